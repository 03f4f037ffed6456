"""Issue 14, items 5 and 9: an Idempotency-Key whose request died is never stuck; an unreachable database
at start is one line naming DATABASE_URL and exit 2; during an outage /api/v1/health answers 503 and the
API answers JSON, and after it every worker answers again (connections health-checked) — the outage made
by a TCP proxy between the server and PostgreSQL, cut and restored; logs are JSON with a request id."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from mamori.web.api.models import IdempotencyRecord
from mamori.web.applications import services as applications
from mamori.web.policies.models import Policy
from mamori.web.quotes import services as quotes
from mamori.web.servicing import services as servicing

MAMORI = [sys.executable, "-m", "mamori.cli"]


def _approved(user: User, today: dt.date) -> Any:
    quote, _ = quotes.quote_create(raw={"industry": "wholesale", "revenue": 500_000_000}, user=user)
    return applications.application_submit(
        user=user, quote=quote, start=today.isoformat(), payment="monthly", consent=True
    )


def _bind(api: Callable[..., Any], user: User, app: Any, key: str) -> Any:
    return api(user).post(f"/applications/{app.pk}/bind", {}, key=key)


# ------------------------------------------------------------------------------------------ idempotency


@pytest.mark.django_db
def test_a_key_left_pending_by_a_dead_request_is_taken_over_at_once(
    api: Callable[..., Any], holder: User, today: dt.date
) -> None:
    app = _approved(holder, today)
    path = f"/api/v1/applications/{app.pk}/bind"
    IdempotencyRecord.objects.create(  # what a worker killed during a keyed bind left (earlier scheme)
        user=holder, key="bind-1", operation=f"POST {path}", request_hash="x", status_code=0, body={}
    )
    started = time.monotonic()
    r = _bind(api, holder, app, "bind-1")
    assert r.status_code == 201, r.content
    assert time.monotonic() - started < 5  # no waiting for a request that will never finish
    assert _bind(api, holder, app, "bind-1").json() == r.json()  # and the key now replays its answer
    assert Policy.objects.count() == 1


@pytest.mark.django_db
def test_a_keyed_action_that_fails_leaves_the_key_free(
    api: Callable[..., Any], holder: User, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _approved(holder, today)
    original = servicing.application_bind

    def dies(**_: Any) -> Any:
        raise RuntimeError("the worker died")

    monkeypatch.setattr(servicing, "application_bind", dies)
    r = Client(raise_request_exception=False).post(
        f"/api/v1/applications/{app.pk}/bind", data="{}", content_type="application/json",
        headers={**api(holder).headers, "Idempotency-Key": "k"},
    )  # fmt: skip
    assert r.status_code == 500 and not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(servicing, "application_bind", original)
    assert _bind(api, holder, app, "k").status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_for_a_request_in_flight_and_runs_when_its_worker_dies(
    api: Callable[..., Any], holder: User, today: dt.date
) -> None:
    import psycopg

    app = _approved(holder, today)
    s = connection.settings_dict
    # The "worker": it claimed the key in its open transaction, then dies without committing.
    worker = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"])
    worker.execute(
        f"INSERT INTO {IdempotencyRecord._meta.db_table} (user_id, key, operation, request_hash, status_code, body, "  # noqa: S608 - the model's own table name
        "created_at) VALUES (%s, 'bind-2', 'POST', 'x', 0, '{}', now())",
        (holder.pk,),
    )
    results: list[Any] = []

    def bind_again() -> None:
        try:
            results.append(_bind(api, holder, app, "bind-2"))
        finally:
            connection.close()  # this thread's own connection

    retry = threading.Thread(target=bind_again)
    retry.start()
    time.sleep(1.0)
    assert retry.is_alive()  # it waits for the request in flight instead of running the bind twice
    worker.close()  # the worker dies: PostgreSQL ends its transaction
    retry.join(timeout=30)
    assert results and results[0].status_code == 201, results
    assert Policy.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_for_a_request_still_running_at_most_the_set_time(
    api: Callable[..., Any], holder: User, today: dt.date, settings: Any
) -> None:
    import psycopg

    settings.MAMORI_IDEMPOTENCY_WAIT_SECONDS = 0.5
    app = _approved(holder, today)
    s = connection.settings_dict
    worker = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"])
    try:
        worker.execute(
            f"INSERT INTO {IdempotencyRecord._meta.db_table} (user_id, key, operation, request_hash, status_code, body, "  # noqa: S608 - the model's own table name
            "created_at) VALUES (%s, 'bind-3', 'POST', 'x', 0, '{}', now())",
            (holder.pk,),
        )
        started = time.monotonic()
        r = _bind(api, holder, app, "bind-3")
        assert r.status_code == 409 and r.json()["errors"][0]["code"] == "E_IDEMPOTENCY_IN_PROGRESS"
        assert int(r["Retry-After"]) > 0
        assert time.monotonic() - started < 5
    finally:
        worker.close()
    assert _bind(api, holder, app, "bind-3").status_code == 201  # once the first is gone
    assert Policy.objects.count() == 1


# ------------------------------------------------------------------------------------------ start-up


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAMORI_", "DJANGO_", "DATABASE_URL"))}
    env.update(MAMORI_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_database_at_start_is_one_line_naming_database_url_and_exit_2(tmp_path: Path) -> None:
    url = f"postgres://mamori:secret-pw@127.0.0.1:{_closed_port()}/mamori"
    env = _env(tmp_path, MAMORI_SECRET_KEY="x" * 50, DATABASE_URL=url)
    done = subprocess.run([*MAMORI, "serve", "--port", "1"], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and "Traceback" not in done.stderr, done.stderr
    assert "secret-pw" not in done.stderr


# ------------------------------------------------------------------------------------------ an outage


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 to PostgreSQL whose connections can be cut (and new ones refused), then
    restored. Bounded: it serves only while the test runs."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = int(self.listener.getsockname()[1])
        self.up = True
        self.stopped = False
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                continue
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError, ValueError):
            while not self.stopped:
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError("closed")
                    (b if sock is a else a).sendall(data)
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.close()

    def cut(self) -> None:
        self.up = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()

    def restore(self) -> None:
        self.up = True

    def stop(self) -> None:
        self.stopped = True
        self.cut()
        self.listener.close()


@pytest.fixture
def outage_database() -> Iterator[tuple[str, int, str]]:
    """A database of its own for the served application (dropped afterwards): (host, port, name)."""
    import psycopg

    s = connection.settings_dict
    host, port = s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)
    name = f"{s['NAME']}_outage"[:63]
    admin = psycopg.connect(host=host, port=port, user=s["USER"], dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield host, port, name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - a local server
    try:
        with urllib.request.urlopen(request, timeout=20) as r:  # noqa: S310 - a local server
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_database_outage_is_503_in_json_and_every_worker_recovers(
    tmp_path: Path, outage_database: tuple[str, int, str]
) -> None:
    host, port, name = outage_database
    proxy = CuttableProxy((host, port))
    web_port = _closed_port()
    user = connection.settings_dict["USER"]
    env = _env(
        tmp_path,
        MAMORI_SECRET_KEY="x" * 50,
        MAMORI_SECURE_COOKIES="0",
        MAMORI_LOG_FORMAT="json",
        MAMORI_DB_CONNECT_TIMEOUT="3",
        DATABASE_URL=f"postgres://{user}@127.0.0.1:{proxy.port}/{name}",
    )
    log = (tmp_path / "server.log").open("w+")
    server = subprocess.Popen([*MAMORI, "serve", "--port", str(web_port), "--workers", "2"], cwd=tmp_path, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{web_port}/api/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                status, _, body = _get(f"{base}/health")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.5)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        for path in ("/policies?q=" + "a" * 5000, "/policies?q=" + "a" * 9000):  # ours, then gunicorn's own 414
            status, headers, body = _get(base + path)
            assert status == 414 and headers["Content-Type"].startswith("application/json"), body[:200]
            assert json.loads(body)["errors"][0]["code"] == "E_URI_TOO_LONG"

        proxy.cut()
        for _ in range(4):  # whichever worker answers
            status, headers, body = _get(f"{base}/health")
            assert status == 503 and json.loads(body)["status"] == "unavailable"
            status, headers, body = _get(f"{base}/policies", {"Authorization": "Bearer nothing"})
            assert status in (401, 503) and headers["Content-Type"].startswith("application/json"), body
            assert json.loads(body)["errors"]

        proxy.restore()
        answers = [_get(f"{base}/health")[0] for _ in range(8)]  # both workers, each reusing its connection
        assert answers == [200] * 8, answers
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        proxy.stop()
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("{")]
    requests = [entry for entry in lines if entry.get("logger") == "mamori.request"]
    assert requests and all(len(entry["request_id"]) == 32 for entry in requests)
    assert any(entry["status"] == 503 for entry in requests)
