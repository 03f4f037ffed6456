"""``mamori quote``, ``mamori quote-batch`` and ``mamori demo``: parse, call the use case, print."""

from __future__ import annotations

import argparse
import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori import i18n, usecases
from mamori.cli.common import EXIT_OK, Context, print_errors, print_json
from mamori.errors import FieldError, InvalidInput
from mamori.io.outputs import ENCODINGS
from mamori.rating import values

if TYPE_CHECKING:
    from mamori.rating import engine

__all__ = ["register", "render_quote"]


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    q = sub.add_parser("quote", parents=[shared], help="rate one risk (見積り)")
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
    q.set_defaults(handler=_quote)

    b = sub.add_parser("quote-batch", parents=[shared], help="rate every row of a CSV or Parquet file")
    b.add_argument("input", metavar="IN")
    b.add_argument("output", metavar="OUT")
    b.add_argument(
        "--encoding",
        choices=ENCODINGS,
        default="auto",
        help="text encoding of a CSV (default: auto — UTF-8, else Shift_JIS/cp932 or EUC-JP when certain)",
    )
    b.set_defaults(handler=_quote_batch)

    d = sub.add_parser("demo", parents=[shared], help="a worked quote demo")
    d.set_defaults(handler=_demo)


#: The option of each quote field (the flag a person typed).
_OPTIONS = {"measures": "--measure"}


def _given_values(raw: dict[str, Any]) -> None:
    """A flag given with a value that means "no value" (``NaN``, ``NULL``, ``-``) is refused: in a table such a
    cell takes the default, but a flag typed on purpose must say something."""
    problems = []
    for name, value in raw.items():
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, str) and values.is_null(one):
                option = _OPTIONS.get(name, "--" + name.replace("_", "-"))
                problems.append(FieldError(name, "E_OPTION_NULL", {"option": option, "value": one}))
                break
    if problems:
        raise InvalidInput(problems)


def _quote(args: argparse.Namespace, ctx: Context) -> int:
    from mamori.rating import inputs  # here: numpy is loaded by the commands that rate, not by every command

    raw = {f: getattr(args, f) for f in inputs.FIELDS if getattr(args, f, None) is not None}
    try:
        _given_values(raw)
        quote = usecases.quote(ctx.catalog, raw)
    except InvalidInput as exc:
        return print_errors(ctx, exc)
    if ctx.as_json:
        print_json(ctx, quote.to_dict(ctx.lang))
    else:
        ctx.out.write(render_quote(quote, ctx.lang))
    return EXIT_OK


def _quote_batch(args: argparse.Namespace, ctx: Context) -> int:
    try:
        summary = usecases.rate_table(ctx.catalog, Path(args.input), Path(args.output), encoding=args.encoding)
    except InvalidInput as exc:
        return print_errors(ctx, exc)
    if ctx.as_json:
        print_json(ctx, dataclasses.asdict(summary), pretty=False)
    else:
        ctx.out.write(
            i18n.text("batch.done", ctx.lang, rows=summary.rows, quoted=summary.quoted, referred=summary.referred,
                      declined=summary.declined, path=args.output) + "\n"
        )  # fmt: skip
    return EXIT_OK


def _yen(amount: int | Decimal | None, lang: i18n.Lang) -> str:
    return "-" if amount is None else i18n.text("yen", lang, amount=f"{amount:,}")


def _shown(key: str, value: Decimal, lang: i18n.Lang) -> str:
    if key == "revenue_rated":
        return _yen(int(value), lang)
    if key == "base":
        return i18n.text("yen", lang, amount=f"{value:,.2f}")
    return f"{value:.6f}".rstrip("0").rstrip(".")


def render_quote(quote: engine.Quote, lang: i18n.Lang) -> str:
    """A quote for people, in Japanese or English."""
    version = quote.version
    r = quote.risk
    lines = [
        f"{version.name(lang)} ({version.id} {version.version})",
        f"{i18n.text('quote.result', lang)}: {i18n.text(f'quote.{quote.status}', lang)}",
        f"{i18n.text('quote.industry', lang)}: {version.rating.industries[r.industry].name(lang)} ({r.industry})",
        f"{i18n.text('quote.revenue', lang)}: {_yen(r.revenue, lang)}",
        f"{i18n.text('quote.term', lang)}: {quote.term_start_at:%Y-%m-%d %H:%M} – {quote.term_end_at:%Y-%m-%d %H:%M}"
        f" {quote.term_start_at:%Z}",
    ]
    if quote.premium:
        for code, method in version.rating.payments.items():
            key = f"quote.payment.{code}" if code in ("monthly", "annual") else "quote.payment.other"
            label = i18n.text(key, lang, installments=method.installments, code=code)
            lines.append(f"{label}: {_yen(quote.premium.by_method[code], lang)}")
    if quote.multipliers:
        lines.append(i18n.text("quote.how", lang))
        lines += [f"  {i18n.factor_label(k, lang)}: {_shown(k, v, lang)}" for k, v in quote.multipliers.items()]
        if quote.premium:
            rounding = version.rating
            how = i18n.text(f"rounding.{rounding.rounding_mode.name}", lang, unit=rounding.rounding_unit)
            lines.append(
                f"  {i18n.text('quote.before_rounding', lang)}: {quote.premium.unrounded['monthly']:,.4f} → {how}"
            )
        lines.append(i18n.text("quote.details", lang))
        lines += [f"  {i18n.factor_label(k, lang)}: {_shown(k, v, lang)}" for k, v in quote.details.items()]
    lines += [f"  [{reason.code}] {reason.message(lang)}" for reason in quote.reasons]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ demo

_EXAMPLES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("新規開業の個人事業主（見込売上高 3,000万円）", "A new sole proprietor (projected revenue 30M yen)",
     {"industry": "professional_services", "revenue": 30_000_000, "entity": "sole_proprietor", "new_business": True}),
    ("対策10項目を申告、賠償5億円・費用1億円", "All 10 measures declared, liability 500M, expenses 100M",
     {"industry": "manufacturing", "revenue": 1_000_000_000, "liability_limit": 500_000_000,
      "expense_limit": 100_000_000, "security_measures": 10}),
    ("利益補償（3,000万円）と対人・対物追加条項付き", "With business interruption (30M) and the PD rider",
     {"industry": "retail", "revenue": 800_000_000, "bi_limit": 30_000_000, "pd_rider": True}),
    ("情報通信業（要審査）", "Information and communications (referred)",
     {"industry": "information_communications", "revenue": 500_000_000}),
    ("暗号資産交換業（お引き受け不可）", "Crypto-asset exchange (declined)",
     {"industry": "crypto_assets", "revenue": 500_000_000}),
)  # fmt: skip


def _demo(args: argparse.Namespace, ctx: Context) -> int:
    lang = ctx.lang
    version, table = usecases.published_table(ctx.catalog)
    start = max(version.today(), version.effective_from).isoformat()
    examples = [
        (ja if lang == "ja" else en, usecases.quote(ctx.catalog, {**raw, "start": start})) for ja, en, raw in _EXAMPLES
    ]
    if ctx.as_json:
        print_json(ctx, {"published_table": table, "examples": [{"title": t, **q.to_dict(lang)} for t, q in examples]})
        return EXIT_OK
    r = version.rating
    monthly = r.payments["monthly"]
    low, high = r.reference_revenue, r.upper_anchor_revenue
    lines = [
        i18n.text("demo.title", lang),
        "",
        i18n.text("demo.table", lang, installments=monthly.installments, liability=f"{r.liability_default:,}",
                  expense=f"{r.expense_default:,}", deductible=f"{r.deductible_default:,}",
                  measures=r.measure_reference_count),
        "  " + i18n.text("demo.columns", lang, low=f"{low:,}", high=f"{high:,}"),
    ]  # fmt: skip
    for row in table:
        name = r.industries[row["industry"]].name(lang)
        lines.append(f"  {name:<16}{row[str(low)]:>12,}{row[str(high)]:>12,}")
    for title, quote in examples:
        lines += ["", f"■ {title}", render_quote(quote, lang).rstrip()]
    lines += ["", i18n.text("demo.try", lang)]
    ctx.out.write("\n".join(lines) + "\n")
    return EXIT_OK
