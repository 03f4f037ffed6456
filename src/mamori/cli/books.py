"""``mamori reserve TRIANGLE`` and ``mamori books triangle|close`` (interfaces.md §1.7; product.md §8).

``reserve`` reads a triangle file (no database); ``books triangle`` and ``books close`` read the web
application's records (Django is imported only when they run).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from mamori.cli import args as args_mod
from mamori.cli import common
from mamori.cli import web as web_commands
from mamori.errors import InvalidInput

__all__ = ["register"]


def number(text: str) -> float:
    """``type=`` of a decimal option (``--loss-ratio 0.6``, ``--tail 1.05``)."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise args_mod._TypeRefused("E_NUMBER") from None
    if not math.isfinite(value):
        raise args_mod._TypeRefused("E_NUMBER")
    return value


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    r = sub.add_parser("reserve", parents=[shared], help="IBNR of a claims triangle: chain ladder, Mack, BF")
    r.add_argument(
        "triangle", metavar="TRIANGLE", help="CSV or Parquet: origin, age, value (or origin + one column per age)"
    )
    r.add_argument("--method", choices=("chainladder", "mack", "bf"), default="chainladder")
    r.add_argument("--premium", metavar="FILE", help="bf: origin, earned_premium")
    r.add_argument("--loss-ratio", dest="loss_ratio", type=number, metavar="X", help="bf: the a-priori loss ratio")
    r.add_argument("--tail", type=number, default=1.0, metavar="F", help="tail factor (default 1.0)")
    r.set_defaults(handler=reserve)

    group = sub.add_parser("books", help="the insurer's books: triangles and the monthly close")
    commands = args_mod.subcommands(group, dest="books_command")
    t = commands.add_parser("triangle", parents=[shared], help="the web application's claims triangle (long form)")
    t.add_argument("out", metavar="OUT", help="CSV or Parquet to write")
    t.add_argument("--as-of", dest="as_of", type=args_mod.date, required=True, metavar="YYYY-MM-DD")
    t.add_argument("--basis", choices=("paid", "incurred"), required=True)
    t.add_argument("--period", choices=("quarter", "year"), default="quarter")
    t.set_defaults(handler=triangle)
    c = commands.add_parser("close", parents=[shared], help="the monthly close (premium, reserves, IBNR)")
    c.add_argument("--month", required=True, metavar="YYYY-MM")
    c.add_argument("--loss-ratio", dest="loss_ratio", type=number, metavar="X", help="BF a-priori loss ratio")
    c.add_argument("--pdf", metavar="FILE", help="also write the close as a PDF")
    c.set_defaults(handler=close)


def reserve(args: argparse.Namespace, ctx: common.Context) -> int:
    from mamori.usecases import books

    try:
        answer = books.reserve_file(
            Path(args.triangle),
            method=args.method,
            premium=None if args.premium is None else Path(args.premium),
            loss_ratio=args.loss_ratio,
            tail=args.tail,
        )
    except InvalidInput as exc:
        return common.print_errors(ctx, exc)
    if ctx.as_json:
        common.print_json(ctx, answer)
    else:
        ctx.out.write(render_reserve(answer))
    return common.EXIT_OK


def render_reserve(answer: dict[str, Any]) -> str:
    lines = [f"{answer['method']}: " + " ".join(f"{f:.4f}" for f in answer["factors"])]
    se = "se" in answer["total"]
    head = f"{'origin':<10}{'latest':>16}{'ultimate':>16}{'ibnr':>16}" + (f"{'se':>14}" if se else "")
    lines.append(head)
    for row in [*answer["origins"], {"origin": "total", **answer["total"]}]:
        line = f"{row['origin']:<10}{row['latest']:>16,}{row['ultimate']:>16,}{row['ibnr']:>16,}"
        lines.append(line + (f"{row['se']:>14,}" if se else ""))
    return "\n".join(lines) + "\n"


def triangle(args: argparse.Namespace, ctx: common.Context) -> int:
    from mamori.io import tables
    from mamori.usecases import books
    from mamori.web import server
    from mamori.web.books import commands

    try:
        tables.check_target(Path(args.out), field="OUT")  # before the database is touched
        result = commands.triangle(as_of=args.as_of, basis=args.basis, period=args.period)
        tables.write_table(books.triangle_table(result), Path(args.out), field="OUT")
    except server.NotConfigured as exc:
        return web_commands._not_configured(ctx, exc)
    except InvalidInput as exc:
        return common.print_errors(ctx, exc)
    summary = {"file": args.out, "origins": list(result.origins), "cells": len(result.long())}
    if ctx.as_json:
        common.print_json(ctx, summary)
    else:
        ctx.out.write(f"{args.out}: {len(result.origins)} origins, {summary['cells']} cells\n")
    return common.EXIT_OK


def close(args: argparse.Namespace, ctx: common.Context) -> int:
    from mamori.io import outputs
    from mamori.usecases import books
    from mamori.web import server
    from mamori.web.books import commands, documents

    try:
        month = books.parse_month(args.month)
        if args.pdf is not None:
            outputs.check_file(Path(args.pdf), field="pdf")
        answer = commands.close(month=month, loss_ratio=args.loss_ratio)
        if args.pdf is not None:
            pdf = documents.close_pdf(answer, lang=ctx.lang)
            outputs.write_file(Path(args.pdf), lambda fh: fh.write(pdf), field="pdf")
    except server.NotConfigured as exc:
        return web_commands._not_configured(ctx, exc)
    except InvalidInput as exc:
        return common.print_errors(ctx, exc)
    if ctx.as_json:
        common.print_json(ctx, answer)
    else:
        ctx.out.write("\n".join(f"{s}\t{f}\t{v}" for s, f, v in documents.rows(answer, ctx.lang)) + "\n")
    return common.EXIT_OK
