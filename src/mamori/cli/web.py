"""``mamori serve``, ``mamori worker``, ``mamori jobs daily`` and ``mamori jobs deadlines``: the web
application's commands (Django is imported only here)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from mamori.cli import args as args_mod
from mamori.cli.common import EXIT_INVALID, EXIT_OK, Context, print_errors, print_json

if TYPE_CHECKING:  # Django is imported only when a command of the web application runs
    from mamori.web.server import NotConfigured

__all__ = ["register"]


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    s = sub.add_parser("serve", parents=[shared], help="serve the web application (gunicorn)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=args_mod.integer, default=8000)
    s.add_argument("--demo", action="store_true", help="load the demo data once (users printed on start)")
    s.add_argument(
        "--scale",
        type=args_mod.integer,
        default=0,
        metavar="N",
        help="with --demo: add N generated policyholders with their histories, once",
    )
    s.add_argument(
        "--workers",
        type=args_mod.integer,
        default=None,
        help="gunicorn worker processes (default: CPUs + 1 of 4 threads each, at most 8)",
    )
    s.set_defaults(handler=_serve)

    w = sub.add_parser(
        "worker", parents=[shared], help="run the background tasks (portfolio runs, close documents, e-mail) as queued"
    )
    w.add_argument("--batch", action="store_true", help="run the tasks queued now, then stop")
    w.add_argument(
        "--no-schedule",
        dest="schedule",
        action="store_false",
        help="do not queue the deadline reminders every hour (cron runs `mamori jobs deadlines` instead)",
    )
    w.set_defaults(handler=_worker)

    j = sub.add_parser("jobs", parents=[shared], help="scheduled jobs")
    jobs = args_mod.subcommands(j, dest="job")
    d = jobs.add_parser("daily", parents=[shared], help="lapse, expire and offer renewals for a date (idempotent)")
    d.add_argument("--date", type=args_mod.date, default=None, metavar="YYYY-MM-DD", help="default: today (JST)")
    d.set_defaults(handler=_daily)
    r = jobs.add_parser(
        "deadlines", parents=[shared], help="remind of regulatory deadlines approaching or overdue (run hourly)"
    )
    r.set_defaults(handler=_deadlines)
    b = jobs.add_parser(
        "export-book", parents=[shared], help="the in-force policies as a portfolio book (CSV or Parquet)"
    )
    b.add_argument("file", type=Path, metavar="FILE", help="book.csv or book.parquet, for mamori portfolio simulate")
    b.set_defaults(handler=_export_book)


#: The most generated policyholders ``--scale`` adds.
MAX_SCALE = 1_000_000


def _serve(args: argparse.Namespace, ctx: Context) -> int:
    from mamori.errors import FieldError, InvalidInput
    from mamori.web import server

    if args.scale and not args.demo:
        return print_errors(ctx, InvalidInput([FieldError("--scale", "E_SCALE_WITHOUT_DEMO", {})]))
    if not 0 <= args.scale <= MAX_SCALE:
        problem = FieldError("--scale", "E_RANGE", {"value": args.scale, "minimum": 0, "maximum": MAX_SCALE})
        return print_errors(ctx, InvalidInput([problem]))
    try:
        return server.serve(
            host=args.host, port=args.port, demo=args.demo, scale=args.scale, workers=args.workers, out=_text(ctx)
        )
    except server.NotConfigured as exc:
        return _not_configured(ctx, exc)


def _worker(args: argparse.Namespace, ctx: Context) -> int:
    from mamori.web import server

    try:
        return server.worker(batch=args.batch, schedule=args.schedule, out=_text(ctx))
    except server.NotConfigured as exc:
        return _not_configured(ctx, exc)


def _daily(args: argparse.Namespace, ctx: Context) -> int:
    from mamori.web import server

    try:
        summary = server.daily(on_date=args.date, out=_text(ctx))
    except server.NotConfigured as exc:
        return _not_configured(ctx, exc)
    if ctx.as_json:
        print_json(ctx, summary)
    else:
        # The jobs' summaries are log lines for operators (cron mails, log files): in English, as before.
        again = "" if summary["ran"] else " (already run for this date)"
        ctx.out.write(
            f"{summary['date']}: lapsed {len(summary['lapsed'])}, expired {len(summary['expired'])}, "
            f"renewal offers {len(summary['renewal_offers'])}{again}\n"
        )
    return EXIT_OK


def _deadlines(args: argparse.Namespace, ctx: Context) -> int:
    from mamori.web import server

    try:
        sent = server.deadline_reminders()
    except server.NotConfigured as exc:
        return _not_configured(ctx, exc)
    if ctx.as_json:
        print_json(ctx, {"sent": [{"incident": i, "kind": k, "stage": s} for i, k, s in sent]})
    else:
        ctx.out.write(f"reminders sent: {len(sent)}\n")
        for incident, kind, stage in sent:
            ctx.out.write(f"  {incident} {kind} {stage}\n")
    return EXIT_OK


def _export_book(args: argparse.Namespace, ctx: Context) -> int:
    from mamori.errors import InvalidInput
    from mamori.io import tables
    from mamori.web import server

    try:
        tables.check_target(args.file, field="FILE")  # before the database is touched
        n = server.export_book(args.file)
    except server.NotConfigured as exc:
        return _not_configured(ctx, exc)
    except InvalidInput as exc:
        print_errors(ctx, exc)
        return EXIT_INVALID
    if ctx.as_json:
        print_json(ctx, {"policies": n, "file": str(args.file)})
    else:
        ctx.out.write(f"{args.file}: {n} policies\n")
    return EXIT_OK


def _text(ctx: Context) -> TextIO:
    """The command's standard output for the server's own messages (written through the same safe stream)."""
    return cast(TextIO, ctx.out)


def _not_configured(ctx: Context, exc: NotConfigured) -> int:
    """The server's configuration is missing: the catalogue's words for what is known, else the operator's text."""
    from mamori.errors import InvalidInput

    if exc.error is not None:
        return print_errors(ctx, InvalidInput([exc.error]))
    ctx.err.write(f"mamori: {exc}\n")
    return EXIT_INVALID
