"""The ``mamori`` command line (interfaces.md §1): thin — parse, call the core, print.

Exit status: 0 when a decision was made (including a referral or a decline), 2 for invalid input,
with stderr naming the field and the allowed values, and nothing written anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from mamori import i18n
from mamori.errors import InvalidInput

EXIT_OK = 0
EXIT_INVALID = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        lang = i18n.default_lang()
        prefix = "入力エラー" if lang == "ja" else "invalid input"
        self.exit(EXIT_INVALID, f"{self.prog}: {prefix}: {message}\n")


def _yen(amount: int | None) -> str:
    return "-" if amount is None else f"{amount:,}"


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine output: one JSON document on stdout")
    common.add_argument("--lang", choices=i18n.LANGS, default=None, help="ja or en (default: from the locale)")

    parser = _Parser(prog="mamori", description="Mamori (守り) — SME cyber insurance", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    q = sub.add_parser("quote", parents=[common], help="rate one risk (見積り)")
    q.add_argument("--industry", help="industry class, e.g. wholesale")
    q.add_argument("--revenue", help="annual revenue in yen (a new business: projected revenue)")
    q.add_argument("--liability-limit", dest="liability_limit")
    q.add_argument("--expense-limit", dest="expense_limit")
    q.add_argument("--deductible")
    q.add_argument("--security-measures", dest="security_measures", metavar="K")
    q.add_argument("--measure", dest="measures", action="append", metavar="SXX")
    q.add_argument("--payment", help="monthly or annual")
    q.add_argument("--overseas-share", dest="overseas_share", metavar="PCT")
    q.add_argument("--north-america-share", dest="north_america_share", metavar="PCT")
    q.add_argument("--bi-limit", dest="bi_limit")
    q.add_argument("--pd-rider", dest="pd_rider", action="store_const", const=True, default=None)
    q.add_argument("--start", metavar="YYYY-MM-DD")
    q.add_argument("--term-months", dest="term_months", metavar="N")
    q.add_argument("--entity", help="corporation or sole_proprietor")
    q.add_argument("--new-business", dest="new_business", action="store_const", const=True, default=None,
                   help="revenue is the projected revenue of a newly founded business")  # fmt: skip

    b = sub.add_parser("quote-batch", parents=[common], help="rate every row of a CSV or Parquet file")
    b.add_argument("input", metavar="IN")
    b.add_argument("output", metavar="OUT")

    c = sub.add_parser("claim", parents=[common], help="claims (保険金)")
    csub = c.add_subparsers(dest="claim_command", required=True, parser_class=_Parser)
    calc = csub.add_parser("calculate", parents=[common], help="calculate a claim (算定)")
    calc.add_argument("file", metavar="FILE", help="claim-calculation document (JSON) or JSON Lines")

    sub.add_parser("demo", parents=[common], help="a worked quote demo")
    return parser


def _print_errors(exc: InvalidInput, lang: i18n.Lang, as_json: bool, err: TextIO) -> int:
    if as_json:
        json.dump({"errors": [e.to_dict(lang) for e in exc.errors]}, err, ensure_ascii=False)
        err.write("\n")
    for message in exc.messages(lang):
        err.write(f"mamori: {message}\n")
    return EXIT_INVALID


def _quote(args: argparse.Namespace, lang: i18n.Lang, out: TextIO, err: TextIO) -> int:
    from mamori import rating, risk

    fields = [f for f in risk.FIELDS if f != "new_business"] + ["new_business"]
    raw = {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}
    try:
        product, parsed = risk.parse_risk(raw)
    except InvalidInput as exc:
        return _print_errors(exc, lang, args.json, err)
    quote = rating.rate(product, parsed)
    if args.json:
        json.dump(quote.to_dict(lang), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(render_quote(quote, product, lang))
    return EXIT_OK


def render_quote(quote: Any, product: Any, lang: i18n.Lang) -> str:
    """A quote for people (Japanese or English)."""
    r = quote.risk
    industry = product.industries[r.industry]
    ja = lang == "ja"
    status = {
        "quoted": ("お見積り", "Quoted"),
        "referred": ("要審査（担当者からご連絡します）", "Referred to an underwriter"),
        "declined": ("お引き受けできません", "Declined"),
    }[quote.status][0 if ja else 1]
    lines = [
        f"{product.name_ja if ja else product.name_en} ({quote.product_id} {quote.product_version})",
        f"{'結果' if ja else 'Result'}: {status}",
        f"{'業種' if ja else 'Industry'}: {industry.name_ja if ja else industry.name_en} ({r.industry})",
        f"{'年間売上高' if ja else 'Annual revenue'}: {_yen(r.revenue)}{'円' if ja else ' yen'}",
        f"{'保険期間' if ja else 'Term'}: {quote.term_start_at:%Y-%m-%d %H:%M} – "
        f"{quote.term_end_at:%Y-%m-%d %H:%M} JST",
    ]
    if quote.premium:
        unit = "円" if ja else " yen"
        lines += [
            f"{'月額保険料（12回払）' if ja else 'Monthly premium (12 installments)'}: "
            f"{_yen(quote.monthly_premium)}{unit}",
            f"{'一時払保険料' if ja else 'Single annual payment'}: {_yen(quote.annual_premium)}{unit}",
        ]
    if quote.factors:
        lines.append("計算の内訳:" if ja else "How it was rated:")
        for key, value in quote.factors.items():
            if key == "revenue_rated":
                shown = f"{int(value):,}{'円' if ja else ' yen'}"
            elif key == "base":
                shown = f"{value:,.2f}{'円' if ja else ' yen'}"
            else:
                shown = f"{value:.6f}".rstrip("0").rstrip(".")
            lines.append(f"  {i18n.factor_label(key, lang)}: {shown}")
        if quote.premium:
            lines.append(
                f"  {'端数処理前の月額' if ja else 'monthly before rounding'}: {quote.premium.monthly_unrounded:,.4f}"
                f" → {'10円単位で四捨五入' if ja else 'rounded half-up to 10 yen'}"
            )
    for reason in quote.reasons:
        lines.append(f"  [{reason.code}] {reason.message(lang)}")
    return "\n".join(lines) + "\n"


def _quote_batch(args: argparse.Namespace, lang: i18n.Lang, out: TextIO, err: TextIO) -> int:
    from mamori import batch

    try:
        summary = batch.quote_batch(Path(args.input), Path(args.output))
    except InvalidInput as exc:
        return _print_errors(exc, lang, args.json, err)
    if args.json:
        json.dump(summary.__dict__, out, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(
            (f"{summary.rows}行を算出しました（お見積り {summary.quoted}、要審査 {summary.referred}、"
             f"お引き受け不可 {summary.declined}）: {args.output}\n")
            if lang == "ja"
            else (f"Rated {summary.rows} rows (quoted {summary.quoted}, referred {summary.referred}, "
                  f"declined {summary.declined}): {args.output}\n")
        )  # fmt: skip
    return EXIT_OK


def _claim_calculate(args: argparse.Namespace, lang: i18n.Lang, out: TextIO, err: TextIO) -> int:
    from mamori.claims import cli as claims_cli

    code: int = claims_cli.run_calculate(args.file, as_json=args.json, lang=lang, stdout=out, stderr=err)
    return code


def _demo(args: argparse.Namespace, lang: i18n.Lang, out: TextIO, err: TextIO) -> int:
    from mamori import demo

    out.write(demo.render(lang, as_json=args.json))
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    try:
        return _main(argv, stdout=stdout, stderr=stderr)
    except BrokenPipeError:  # `mamori ... | head`: the reader left; not an error of ours
        sys.stderr.close()
        return EXIT_OK


def _main(argv: Sequence[str] | None, *, stdout: TextIO | None, stderr: TextIO | None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = build_parser().parse_args(argv)
    lang: i18n.Lang = args.lang or i18n.default_lang()
    if args.command == "quote":
        return _quote(args, lang, out, err)
    if args.command == "quote-batch":
        return _quote_batch(args, lang, out, err)
    if args.command == "claim":
        return _claim_calculate(args, lang, out, err)
    return _demo(args, lang, out, err)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
