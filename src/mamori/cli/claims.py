"""``mamori claim calculate FILE|-``: read the document(s), call the use case, print the answer(s).

FILE is one claim-calculation document (JSON) or JSON Lines (``.jsonl``, or a file whose first line is
a complete JSON value followed by more lines): one compact answer per line. With ``--json`` one
document gives pretty JSON, else the readable worksheet. Invalid input: exit status 2, every problem on
stderr (with its line for JSON Lines) and nothing on stdout.
"""

from __future__ import annotations

import argparse
import codecs
import os
from typing import TYPE_CHECKING, Any

from mamori.cli import args as args_mod
from mamori.cli import common, streams
from mamori.errors import InvalidInput

if TYPE_CHECKING:  # imported when the command runs: other commands do not pay for them at start
    from mamori.usecases import claims as claim_usecases

__all__ = ["register"]


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    claim = sub.add_parser("claim", help="claims (保険金)")
    claim_sub = args_mod.subcommands(claim, dest="claim_command")
    calc = claim_sub.add_parser("calculate", parents=[shared], help="calculate a claim (保険金の算定)")
    calc.add_argument(
        "file", metavar="FILE", help="claim-calculation document (JSON), JSON Lines (.jsonl), or - for stdin"
    )
    calc.set_defaults(handler=calculate)


def calculate(args: argparse.Namespace, ctx: common.Context) -> int:
    from mamori.claims import answer
    from mamori.io import jsonio
    from mamori.usecases import claims as claim_usecases

    path: str = args.file
    try:
        with streams.opened(path, field="FILE") as stream:
            source = jsonio.read_input(stream, lines=True if path.endswith(".jsonl") else None)
            if source.lines is not None:
                fmt = claim_usecases.AnswerFormat(
                    lang=ctx.lang, output="json" if ctx.as_json else "text", ascii_only=not common.is_utf8(ctx.out)
                )
                claim_usecases.calculate_claims(ctx.catalog, source.lines, _sink(ctx.out, fmt), fmt=fmt)
                ctx.out.flush()
                return common.EXIT_OK
    except InvalidInput as exc:
        return common.print_errors(ctx, exc)
    assert source.document is not None  # noqa: S101 - one document, since not lines
    try:
        result = claim_usecases.calculate_claim(ctx.catalog, source.document)
    except InvalidInput as exc:
        return common.print_errors(ctx, exc)
    if ctx.as_json:
        common.print_json(ctx, answer.to_json_dict(result, ctx.lang))
    else:
        ctx.out.write(answer.render_text(result, ctx.lang))
    return common.EXIT_OK


class _TextSink:
    """Answers (UTF-8 bytes) written to a text stream; a block may end inside a character."""

    def __init__(self, out: streams.Output) -> None:
        self._out = out
        self._decode = codecs.getincrementaldecoder("utf-8")().decode

    def write(self, data: bytes) -> None:
        self._out.write(self._decode(data))


def _sink(out: streams.Output, fmt: claim_usecases.AnswerFormat) -> claim_usecases.Sink:
    """JSON answers go as bytes to the buffer under ``out`` when it receives the same bytes (UTF-8, no newline
    translation; neutralised on a terminal); readable worksheets go through ``out`` itself (neutralised)."""
    buffer = out.buffer
    if fmt.output == "json" and buffer is not None and common.is_utf8(out) and os.linesep == "\n":
        out.flush()
        return buffer
    return _TextSink(out)
