"""``mamori estimate FILE | --preset N``: read the document, call the use case, print the estimate.

FILE is a loss-estimate document (JSON; ``-`` for stdin), interfaces.md §1.5; ``--preset N`` starts from
one of the eight incidents of product.md §6 (a FILE given too, or naming ``"preset"``, overrides parts
of it). With ``--json`` the answer is one JSON document, else a readable estimate with the plan
comparison. Invalid input: exit status 2, every problem on stderr and nothing on stdout.
"""

from __future__ import annotations

import argparse
from typing import Any

from mamori.cli import common, streams
from mamori.errors import InvalidInput

__all__ = ["register"]


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    e = sub.add_parser("estimate", parents=[shared], help="estimate the loss of an incident (想定損害額)")
    e.add_argument("file", metavar="FILE", nargs="?", help="loss-estimate document (JSON), or - for stdin")
    e.add_argument("--preset", metavar="N", help="start from incident example N (1-8) of the product page")
    e.set_defaults(handler=_estimate)


def _estimate(args: argparse.Namespace, ctx: common.Context) -> int:
    from mamori.estimate import answer  # imported when the command runs: other commands start faster
    from mamori.usecases.estimate import estimate_loss

    try:
        document = None if args.file is None else streams.read_bytes(args.file, field="FILE")
        result = estimate_loss(ctx.catalog, document, preset=args.preset)
    except InvalidInput as exc:
        return common.print_errors(ctx, exc)
    if ctx.as_json:
        common.print_json(ctx, answer.to_json_dict(result, ctx.lang))
    else:
        ctx.out.write(answer.render_text(result, ctx.lang))
    return common.EXIT_OK
