"""What every ``mamori`` command shares: exit codes, the run context, printing answers and errors.

Printing is careful with the terminal: JSON is strict (no NaN or Infinity) and falls back to ASCII
escapes when the output cannot carry UTF-8; readable text replaces what the terminal's encoding cannot
show instead of failing half-way.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, NoReturn, TextIO

import orjson

from mamori import catalog as catalog_mod
from mamori import errors, i18n

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "MAX_MESSAGES",
    "Context",
    "Parser",
    "is_utf8",
    "print_errors",
    "print_json",
]

EXIT_OK: Final = 0
EXIT_INVALID: Final = 2
#: At most this many problems are printed; a huge bad batch must not flood the terminal.
MAX_MESSAGES: Final = 50

Handler = Callable[[argparse.Namespace, "Context"], int]


@dataclass(frozen=True)
class Context:
    """One run of a command: the reader's language, output mode, streams and the product catalogue."""

    lang: i18n.Lang
    as_json: bool
    out: TextIO
    err: TextIO
    catalog: catalog_mod.Catalog


class Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and a message in the reader's language."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        prefix = i18n.text("cli.invalid_input", i18n.default_lang())
        self.exit(EXIT_INVALID, f"{self.prog}: {prefix}: {message}\n")


def is_utf8(stream: TextIO) -> bool:
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True  # an in-memory stream takes any text
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def prepare(stream: TextIO) -> TextIO:
    """A terminal that cannot show every character gets a replacement instead of an exception."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and not is_utf8(stream):
        reconfigure(errors="backslashreplace")
    return stream


def json_text(document: Any, *, pretty: bool, ascii_only: bool) -> str:
    """Strict JSON: a non-finite number is a bug upstream and raises instead of printing ``NaN``."""
    if ascii_only:
        return json.dumps(document, ensure_ascii=True, allow_nan=False, indent=2 if pretty else None)
    option = orjson.OPT_INDENT_2 if pretty else 0
    return orjson.dumps(document, option=option).decode()


def print_json(ctx: Context, document: Any, *, pretty: bool = True) -> None:
    ctx.out.write(json_text(document, pretty=pretty, ascii_only=not is_utf8(ctx.out)) + "\n")


def print_errors(ctx: Context, exc: errors.InvalidInput) -> int:
    """Every problem on stderr (JSON with ``--json``, then one line each); exit status 2."""
    if ctx.as_json:
        ctx.err.write(json_text(exc.to_dict(ctx.lang), pretty=False, ascii_only=not is_utf8(ctx.err)) + "\n")
    messages = exc.messages(ctx.lang)
    shown = messages[:MAX_MESSAGES]
    if len(messages) > MAX_MESSAGES:
        shown.append(i18n.text("cli.more_problems", ctx.lang, count=len(messages) - MAX_MESSAGES))
    for message in shown:
        ctx.err.write(f"mamori: {message}\n")
    return EXIT_INVALID
