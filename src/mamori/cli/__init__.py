"""The ``mamori`` command line (interfaces.md §1): parse arguments, call a use case, print. Nothing else.

Exit status: 0 when a decision was made (including a referral or a decline), 2 for invalid input, with
stderr naming the field and the allowed values, and nothing written anywhere. No input and no state of
the standard streams ends in a traceback:

- the arguments are parsed by :mod:`mamori.cli.args` (every problem an input error in the reader's
  language, JSON with ``--json``; a flag given twice refused);
- the streams are :mod:`mamori.cli.streams` (terminal escapes neutralised; a closed or full standard
  output is exit status 2 with a message; a closed standard error never changes the exit status; a closed
  standard input is an input error);
- a broken product folder (``--products``) is exit status 2 with the file, the key and the problem.

A command is a module of :data:`COMMANDS` with ``register(sub, shared)``: it adds its parsers with
``sub.add_parser(name, parents=[shared])`` and sets ``handler(args, ctx) -> int``; see ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from mamori import catalog as catalog_mod
from mamori import i18n
from mamori.cli import args as args_mod
from mamori.cli import books, claims, common, estimate, portfolio, quotes, streams, web
from mamori.errors import FieldError, InvalidInput

__all__ = ["COMMANDS", "build_parser", "main"]

#: Command modules; each adds its sub-commands with a ``handler``.
COMMANDS = (quotes, claims, estimate, portfolio, books, web)
#: Exit status of a run stopped by the user (Ctrl-C), as shells report a SIGINT.
EXIT_INTERRUPTED = 130


def _shared(*, defaults: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name. A sub-command's copy has no defaults,
    so that ``mamori --json quote`` keeps what was given before the name."""
    shared = args_mod.Parser(add_help=False)
    if not defaults:
        shared.argument_default = argparse.SUPPRESS
    shared.add_argument("--json", action="store_true", help="machine output: one JSON document on stdout")
    shared.add_argument("--lang", choices=i18n.LANGS, help="ja or en (default: from the locale)")
    shared.add_argument(
        "--products",
        metavar="DIR",
        help="product versions folder (<DIR>/<product>/<version>/); default: $MAMORI_PRODUCTS or the packaged one",
    )
    return shared


def build_parser() -> argparse.ArgumentParser:
    parser = args_mod.Parser(
        prog="mamori", description="Mamori (守り) — SME cyber insurance", parents=[_shared(defaults=True)]
    )
    sub = args_mod.subcommands(parser, dest="command")
    for module in COMMANDS:
        module.register(sub, _shared(defaults=False))
    return parser


def _language(requested: i18n.Lang | None, out: streams.Output, *, as_json: bool) -> i18n.Lang:
    """The language asked for (else the locale's); English on a terminal that cannot show Japanese."""
    lang = requested or i18n.default_lang()
    return lang if as_json or streams.can_show_japanese(out) else "en"  # JSON carries any text (escaped)


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    out = streams.Output(stdout if stdout is not None else sys.stdout, name="stdout", required=True)
    err = streams.Output(stderr if stderr is not None else sys.stderr, name="stderr", required=False)
    real_stdout = stdout is None
    early = args_mod.early_options(arguments)
    lang = _language(early.lang, out, as_json=early.as_json)
    ctx = common.Context(lang, early.as_json, out, err, catalog_mod.FolderCatalog())
    try:
        code = _run(arguments, ctx)
        out.flush()
    except BrokenPipeError:  # `mamori ... | head`: the reader left; not an error of ours
        if real_stdout:
            streams.silence_stdout()
        return common.EXIT_OK
    except streams.OutputFailed as exc:
        common.print_errors(ctx, InvalidInput([FieldError("stdout", "E_STDOUT", {"problem": exc.problem})]))
        if real_stdout:
            streams.silence_stdout()
        return common.EXIT_INVALID
    except KeyboardInterrupt:
        err.write("\n")
        return EXIT_INTERRUPTED
    return code


def _run(arguments: list[str], ctx: common.Context) -> int:
    try:
        with args_mod.parsing(out=ctx.out):
            parsed = build_parser().parse_args(arguments)
    except args_mod.ArgumentsRefused as exc:
        return common.print_errors(ctx, exc)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else common.EXIT_OK
    lang = _language(parsed.lang, ctx.out, as_json=parsed.json)
    folder = parsed.products or os.environ.get("MAMORI_PRODUCTS") or catalog_mod.PACKAGED_PRODUCTS
    ctx = common.Context(lang, parsed.json, ctx.out, ctx.err, catalog_mod.FolderCatalog(folder))
    try:
        code: int = parsed.handler(parsed, ctx)
    except catalog_mod.ProductDataError as exc:  # the product folder itself is broken
        return common.print_errors(ctx, InvalidInput([exc.as_field_error("products", code="E_PRODUCT_DATA")]))
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
