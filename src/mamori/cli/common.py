"""What every ``mamori`` command shares: exit codes, the run context, printing answers and errors.

- :class:`Context` — one run: the reader's language, ``--json``, the safe standard streams
  (:mod:`mamori.cli.streams`) and the product catalogue;
- :func:`print_json` — the answer as one JSON document (:func:`mamori.io.jsonio.dumps`: strict, exact for
  any integer, terminal-safe; ASCII escapes when the output cannot carry UTF-8);
- :func:`print_errors` — an :class:`~mamori.errors.InvalidInput` on stderr (JSON first with ``--json``, then
  one line each, in the reader's language, English on a terminal that cannot show Japanese); exit status 2.

Argument parsing is :mod:`mamori.cli.args`; :class:`Parser` is re-exported here for the command modules.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from mamori import catalog as catalog_mod
from mamori import errors, i18n
from mamori.cli import streams
from mamori.cli.args import ArgumentsRefused, Parser
from mamori.io import jsonio

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
is_utf8 = streams.is_utf8


@dataclass(frozen=True)
class Context:
    """One run of a command: the reader's language, output mode, streams and the product catalogue."""

    lang: i18n.Lang
    as_json: bool
    out: streams.Output
    err: streams.Output
    catalog: catalog_mod.Catalog


def json_text(document: Any, *, pretty: bool, ascii_only: bool) -> str:
    """Strict JSON (see :func:`mamori.io.jsonio.dumps`)."""
    return jsonio.dumps(document, pretty=pretty, ascii_only=ascii_only)


def print_json(ctx: Context, document: Any, *, pretty: bool = True) -> None:
    ctx.out.write(json_text(document, pretty=pretty, ascii_only=not is_utf8(ctx.out)) + "\n")


def print_errors(ctx: Context, exc: errors.InvalidInput) -> int:
    """Every problem on stderr (JSON with ``--json``, then one line each); exit status 2."""
    if ctx.as_json:
        ctx.err.write(json_text(exc.to_dict(ctx.lang), pretty=False, ascii_only=not is_utf8(ctx.err)) + "\n")
    lang: i18n.Lang = ctx.lang if streams.can_show_japanese(ctx.err) else "en"
    messages = exc.messages(lang)
    shown = messages[:MAX_MESSAGES]
    if len(messages) > MAX_MESSAGES:
        shown.append(i18n.text("cli.more_problems", lang, count=f"{len(messages) - MAX_MESSAGES:,}"))
    for message in shown:
        ctx.err.write(f"mamori: {message}\n")
    if isinstance(exc, ArgumentsRefused) and not ctx.as_json:
        ctx.err.write(i18n.text("cli.help_hint", lang, prog=exc.prog) + "\n")
    return EXIT_INVALID
