"""``mamori claim calculate FILE|-``: read the document(s), call the use case, print the answer(s).

FILE is one claim-calculation document (JSON) or JSON Lines (``.jsonl``, or a file whose first line is
a complete JSON value followed by more lines): one compact answer per line. With ``--json`` one
document gives pretty JSON, else the readable worksheet. Invalid input: exit status 2, every problem on
stderr (with its line for JSON Lines) and nothing on stdout.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, TextIO

from mamori.cli import common
from mamori.errors import FieldError, InvalidInput

if TYPE_CHECKING:  # imported when the command runs: other commands do not pay for them at start
    from mamori.usecases import claims as claim_usecases

__all__ = ["register"]


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    claim = sub.add_parser("claim", help="claims (保険金)")
    claim_sub = claim.add_subparsers(dest="claim_command", required=True, parser_class=common.Parser)
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
        with _opened(path) as stream:
            try:
                source = jsonio.read_input(stream, lines=True if path.endswith(".jsonl") else None)
            except OSError as exc:
                raise _ReadError(exc) from exc
            if source.lines is not None:
                fmt = claim_usecases.AnswerFormat(
                    lang=ctx.lang, output="json" if ctx.as_json else "text", ascii_only=not common.is_utf8(ctx.out)
                )
                lines = _reading(source.lines)
                claim_usecases.calculate_claims(ctx.catalog, lines, _sink(ctx.out), fmt=fmt)
                ctx.out.flush()
                return common.EXIT_OK
    except _ReadError as exc:
        return common.print_errors(ctx, InvalidInput([_file_error(path, exc.cause)]))
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


class _ReadError(Exception):
    """The input could not be read (as opposed to the output failing, which main() handles)."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _reading(lines: Iterator[bytes]) -> Iterator[bytes]:
    """The lines of the input; a failure to read them is an input error, not a crash."""
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except OSError as exc:
            raise _ReadError(exc) from exc
        yield line


@contextlib.contextmanager
def _opened(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer
        return
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; opening errors are input errors
    except OSError as exc:
        raise _ReadError(exc) from exc
    with fh:
        yield fh


def _file_error(path: str, exc: OSError) -> FieldError:
    if isinstance(exc, FileNotFoundError):
        return FieldError("FILE", "E_FILE_NOT_FOUND", {"path": path})
    return FieldError("FILE", "E_FILE", {"path": path, "problem": exc.strerror or type(exc).__name__})


class _TextSink:
    """Answers (UTF-8 bytes) written to a text stream; a block may end inside a character."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._decode = codecs.getincrementaldecoder("utf-8")().decode

    def write(self, data: bytes) -> None:
        self._out.write(self._decode(data))


def _sink(out: TextIO) -> claim_usecases.Sink:
    """The binary buffer under ``out`` when it receives the same bytes (UTF-8, no newline translation)."""
    buffer: IO[bytes] | None = getattr(out, "buffer", None)
    if buffer is not None and common.is_utf8(out) and os.linesep == "\n":
        out.flush()
        return buffer
    return _TextSink(out)
