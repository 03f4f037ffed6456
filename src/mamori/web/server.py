"""``mamori serve``: apply migrations, register the product versions, collect static files, load the demo
data when asked, and serve with gunicorn (WhiteNoise serves the static files). Also ``mamori jobs daily``.

Safe by default: without ``--demo``, ``MAMORI_SECRET_KEY`` must be set (the server refuses to start
otherwise). ``--demo`` keeps a generated key in the data folder and lets cookies work over plain HTTP on
this machine.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from mamori.errors import FieldError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Seconds a worker may spend on one request before gunicorn replaces it.
REQUEST_TIME_LIMIT = 60


class NotConfigured(Exception):
    """The server cannot start as configured (a message for the operator); ``error``: the input error that
    says it in the reader's language, when there is one (an environment variable's bad value)."""

    def __init__(self, message: str, *, error: FieldError | None = None) -> None:
        super().__init__(message)
        self.error = error


def _data_dir() -> Path:
    return Path(os.environ.get("MAMORI_DATA_DIR") or Path.cwd() / "mamori-data")


def _demo_secret_key() -> str:
    """The demo's secret key, generated once and kept (owner-only) in the data folder."""
    path = _data_dir() / "demo-secret-key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key)
    return key


def configure(*, demo: bool) -> None:
    """Environment for Django, then ``django.setup()``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.web.config.settings")
    if demo:
        os.environ["MAMORI_DEMO"] = "1"
        if not os.environ.get("MAMORI_SECRET_KEY"):
            os.environ["MAMORI_SECRET_KEY"] = _demo_secret_key()
    elif not os.environ.get("MAMORI_SECRET_KEY"):
        missing = FieldError("MAMORI_SECRET_KEY", "E_SECRET_KEY", {})
        raise NotConfigured(missing.message("en"), error=missing)
    import django

    from mamori.web.config import env

    try:
        django.setup()
    except env.BadSetting as exc:
        raise NotConfigured(str(exc), error=exc.error) from None


def migrate_and_register() -> None:
    """Apply pending migrations and register the product versions of the folder (both idempotent)."""
    from django.conf import settings
    from django.core.management import call_command

    from mamori import catalog as catalog_mod
    from mamori.web.productdb import selectors as productdb
    from mamori.web.productdb.services import product_versions_register

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as exc:
        if _is_database_down(exc):
            raise NotConfigured(_database_down(exc)) from None
        raise
    from mamori.web.incidents.services import next_deadlines_refresh

    next_deadlines_refresh()  # cases opened before the desk's next deadline was stored
    source = catalog_mod.FolderCatalog(settings.MAMORI_PRODUCTS or catalog_mod.PACKAGED_PRODUCTS)
    product_versions_register(source=source)
    productdb.catalog().forget()


def _is_database_down(exc: BaseException) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def _database_down(exc: BaseException) -> str:
    """One line for the operator: which database (never its password) and what it said."""
    from django.db import connection

    where = connection.settings_dict
    if where.get("ENGINE", "").endswith("sqlite3"):
        place = str(where.get("NAME"))
    else:
        place = f"{where.get('HOST') or 'localhost'}:{where.get('PORT') or 5432}/{where.get('NAME')}"
    said = " ".join(str(exc).split()) or type(exc).__name__
    return f"the database at DATABASE_URL ({place}) does not answer: {said[:200]}"


def prepare(*, demo: bool, out: TextIO, scale: int = 0) -> None:
    """Migrations, product versions, static files, and the demo data (once; ``scale`` generated
    policyholders more, once)."""
    from django.core.management import call_command

    migrate_and_register()
    call_command("collectstatic", interactive=False, verbosity=0)
    if demo:
        from mamori.web import demo as demo_data

        demo_data.load(out=out)
        if scale:
            from mamori.web import demo_scale

            demo_scale.load(scale=scale, out=out)


def serve(
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    demo: bool = False,
    scale: int = 0,
    workers: int | None = None,
    out: TextIO = sys.stdout,
) -> int:
    configure(demo=demo)
    from mamori.web.config import env

    try:  # before the preparation: a start that cannot serve stops before it migrates anything
        threads = env.integer("MAMORI_WEB_THREADS", 4, minimum=1, maximum=32)
    except env.BadSetting as exc:
        raise NotConfigured(str(exc), error=exc.error) from None
    prepare(demo=demo, out=out, scale=scale)
    from django.db import connections

    # gunicorn forks its workers from this process (preload_app): a database connection opened by the
    # preparation would be one socket shared by every worker, their answers mixed under load.
    connections.close_all()
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    from mamori.web.config.wsgi import application

    if (
        host not in ("127.0.0.1", "localhost", "::1")
        and host not in settings.ALLOWED_HOSTS
        and "*" not in settings.ALLOWED_HOSTS
    ):
        out.write(f"mamori: note: {host} is not in MAMORI_ALLOWED_HOSTS ({', '.join(settings.ALLOWED_HOSTS)})\n")
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        # Threaded: CPUs + 1 processes (measured best for the quote API on 2 cores, bench/bench_web_quotes.py);
        # one request per process: gunicorn's 2 × CPUs + 1.
        "workers": workers or min((os.cpu_count() or 1) + 1 if threads > 1 else 2 * (os.cpu_count() or 1) + 1, 8),
        "accesslog": os.environ.get("MAMORI_ACCESS_LOG") or None,
        "errorlog": "-",
        "loglevel": os.environ.get("MAMORI_LOG_LEVEL", "warning").lower(),
        "timeout": REQUEST_TIME_LIMIT,
        "preload_app": True,
        # Request line and headers bounded by gunicorn itself (the application refuses a longer address
        # with 414 in the one error shape before that): 8 KiB each, at most 100 header fields.
        "limit_request_line": 8190,
        "limit_request_field_size": 8190,
        "limit_request_fields": 100,
        # Its own refusals in the one error shape; threads (MAMORI_WEB_THREADS, default 4) with kept-alive
        # connections: while one request waits for the database another runs. 1: the sync worker.
        "worker_class": "mamori.web.gunicorn_worker." + ("JsonErrorThreadWorker" if threads > 1 else "JsonErrorWorker"),
        "threads": threads,
    }

    class Server(BaseApplication):  # gunicorn ships no type information
        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    out.write(f"Mamori: http://{host if ':' not in host else f'[{host}]'}:{port}/  (Ctrl+C で停止 / to stop)\n")
    out.flush()
    Server().run()
    return 0


def worker(*, batch: bool = False, schedule: bool = True, out: TextIO = sys.stdout) -> int:
    """``mamori worker``: run the background tasks from the database queue (django-tasks' database
    backend) as they come — several workers on several machines may share one database — or, with
    ``batch``, those queued now. A running worker also queues the deadline reminders every hour
    (``schedule``; several workers queueing them is harmless: a reminder is sent once)."""
    configure(demo=bool(os.environ.get("MAMORI_DEMO")))
    migrate_and_register()
    from django.core.management import call_command

    stop = threading.Event()
    if not batch:
        out.write("Mamori worker: running background tasks (Ctrl+C で停止 / to stop)\n")
        out.flush()
        if schedule:
            threading.Thread(target=hourly, args=(stop,), name="mamori-hourly", daemon=True).start()
    options = ["--no-startup-delay", "--batch"] if batch else ["--no-startup-delay"]
    try:
        call_command("db_worker", *options, verbosity=0)
    finally:
        stop.set()
    return 0


#: Seconds between two queueings of the deadline reminders by a running worker.
HOURLY_SECONDS = 3600


def hourly(stop: threading.Event, every: float = HOURLY_SECONDS) -> None:
    """Queue the deadline reminders now and every ``every`` seconds until ``stop`` is set (a worker's
    thread; an error is logged and the next hour tried)."""
    from django.db import connection

    from mamori.web.incidents.services import deadline_reminders_job

    while True:
        try:
            deadline_reminders_job.enqueue()
        except Exception:
            logging.getLogger("mamori.background").exception("the deadline reminders could not be queued")
        finally:
            connection.close()  # this thread's own connection, not kept open for an hour
        if stop.wait(every):
            return


def daily(*, on_date: dt.date | None, out: TextIO) -> dict[str, Any]:
    """``mamori jobs daily [--date]``: lapse, expire and offer renewals for a date (idempotent)."""
    configure(demo=bool(os.environ.get("MAMORI_DEMO")))
    migrate_and_register()
    from mamori.web.productdb import selectors as productdb
    from mamori.web.quotes.services import anonymous_quotes_purge
    from mamori.web.security import throttle
    from mamori.web.servicing import services as servicing

    day = on_date or productdb.catalog().latest().today()
    summary, ran = servicing.daily_run(on_date=day)
    throttle.purge()  # expired throttle counters (without Redis)
    return {"date": day.isoformat(), "ran": ran, **summary, "anonymous_quotes_deleted": anonymous_quotes_purge()}


def deadline_reminders() -> list[tuple[str, str, str]]:
    """``mamori jobs deadlines``: remind the desk and the policyholder of each regulatory deadline that is
    approaching or overdue, once per deadline and stage (safe to run as often as wanted; hourly is meant)."""
    configure(demo=bool(os.environ.get("MAMORI_DEMO")))
    migrate_and_register()
    from mamori.web.incidents import services as incidents

    incidents.next_deadlines_refresh()
    return incidents.deadline_notices()


def export_book(path: Path) -> int:
    """``mamori jobs export-book FILE``: the in-force policies as a portfolio book (interfaces.md §1.6
    columns, CSV or Parquet by the file's name), for ``mamori portfolio simulate``; the number of policies."""
    configure(demo=bool(os.environ.get("MAMORI_DEMO")))
    migrate_and_register()
    import pyarrow as pa

    from mamori.io import tables
    from mamori.web.portfolio import selectors

    records = selectors.book_records()
    names = ["policy_id", "industry", "revenue", "liability_limit", "expense_limit", "deductible", "bi_limit",
             "pd_rider", "annual_premium", "security_measures", "start_date"]  # fmt: skip
    table = pa.table({name: [r[name] for r in records] for name in names})
    tables.write_table(table, path, field="FILE")
    return len(records)
