"""The ``mamori`` command line (interfaces.md §1): parse arguments, call a use case, print. Nothing else.

Exit status: 0 when a decision was made (including a referral or a decline), 2 for invalid input, with
stderr naming the field and the allowed values, and nothing written anywhere.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from mamori import catalog as catalog_mod
from mamori import i18n
from mamori.cli import claims, common, estimate, portfolio, quotes, web

__all__ = ["build_parser", "main"]

#: Command modules; each adds its sub-commands with a ``handler``.
COMMANDS = (quotes, claims, estimate, portfolio, web)


def _shared(*, defaults: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name. A sub-command's copy has no defaults,
    so that ``mamori --json quote`` keeps what was given before the name."""
    shared = common.Parser(add_help=False)
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
    parser = common.Parser(
        prog="mamori", description="Mamori (守り) — SME cyber insurance", parents=[_shared(defaults=True)]
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=common.Parser)
    for module in COMMANDS:
        module.register(sub, _shared(defaults=False))
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = common.prepare(stdout or sys.stdout)
    err = common.prepare(stderr or sys.stderr)
    try:
        args = build_parser().parse_args(argv)
        lang: i18n.Lang = args.lang or i18n.default_lang()
        folder = args.products or os.environ.get("MAMORI_PRODUCTS") or catalog_mod.PACKAGED_PRODUCTS
        ctx = common.Context(lang, args.json, out, err, catalog_mod.FolderCatalog(folder))
        try:
            code: int = args.handler(args, ctx)
        except catalog_mod.ProductDataError as exc:  # the product folder itself is broken
            err.write(f"mamori: {i18n.text('cli.product_data', lang)}: {exc}\n")
            return common.EXIT_INVALID
        return code
    except BrokenPipeError:  # `mamori ... | head`: the reader left; not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return common.EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
