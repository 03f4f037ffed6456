"""The 重要事項説明書 (important-matters statement: 契約概要 contract summary and 注意喚起情報 warnings) and the
約款 (policy terms) of a product version, generated from its product data (issue 15; product.md §3–5).

Each document is a list of sections ``{"id", "title", "paragraphs": [...], "rows": [(label, value)]}`` in
the reader's language, for the page and the PDF alike. Fixed wording lives in the message catalogue
(``[texts."disclosure.*"]``); every figure comes from the product version.
"""

from __future__ import annotations

from typing import Any

from mamori import i18n
from mamori.catalog import ProductVersion

__all__ = ["disclosure", "terms"]


def _t(key: str, lang: i18n.Lang, **params: Any) -> str:
    return i18n.text(f"disclosure.{key}", lang, **params)


def _yen(amount: int, lang: i18n.Lang) -> str:
    if lang == "ja" and amount >= 10_000 and amount % 10_000 == 0:
        oku, man = divmod(amount // 10_000, 10_000)
        return (f"{oku:,}億" if oku else "") + (f"{man:,}万" if man else "") + "円"
    return i18n.text("yen", lang, amount=f"{amount:,}")


def _options(amounts: Any, lang: i18n.Lang) -> str:
    return _joined([_yen(o.amount, lang) for o in amounts if o.amount], lang)


def _joined(texts: list[str], lang: i18n.Lang) -> str:
    return ("、" if lang == "ja" else "; ").join(texts)


def _label(field: str, lang: i18n.Lang) -> str:
    text = i18n.label(field, lang)
    return text[:1].upper() + text[1:]


def _section(id_: str, title: str, paragraphs: list[str] | None = None, rows: Any = None) -> dict[str, Any]:
    return {"id": id_, "title": title, "paragraphs": paragraphs or [], "rows": list(rows or [])}


def disclosure(version: ProductVersion, lang: i18n.Lang) -> dict[str, Any]:
    """契約概要 and 注意喚起情報 of ``version``: the cover, limits, term, premium, support, exclusions, duties."""
    cov, r, sup, pol = version.coverage, version.rating, version.support, version.policy
    summary = [
        _section(
            "product",
            _t("product", lang),
            [_t("product.text", lang, name=version.name(lang))],
            [
                (
                    s.name.get(lang),
                    _joined([i.name.get(lang) for i in cov.items.values() if i.section == code], lang)
                    or _t("optional", lang),
                )
                for code, s in cov.sections.items()
            ],
        ),
        _section(
            "accidents",
            _t("accidents", lang),
            [t.get(lang) for t in cov.accident_types.values()],
        ),
        _section(
            "limits",
            _t("limits", lang),
            [_t("limits.text", lang)],
            [
                (_label("liability_limit", lang), _options(r.liability, lang)),
                (_label("expense_limit", lang), _options(r.expense, lang)),
                (_label("deductible", lang), _options(r.deductible, lang)),
                (_label("bi_limit", lang), _options(r.bi, lang)),
            ],
        ),
        _section(
            "riders",
            _t("riders", lang),
            [rider.name.get(lang) for rider in cov.riders.values()],
        ),
        _section(
            "term",
            _t("term", lang),
            [_t("term.text", lang, months=version.term.months, time=version.term.start_time.strftime("%H:%M"))],
        ),
        _section(
            "premium",
            _t("premium", lang),
            [_t("premium.text", lang)],
            [
                (
                    i18n.text(f"payment.{code}", lang, installments=m.installments)
                    if code in ("monthly", "annual")
                    else code,
                    _t("premium.installments", lang, n=m.installments),
                )
                for code, m in r.payments.items()
            ],
        ),
        _section(
            "support",
            sup.name[0] if lang == "ja" else sup.name[1],
            [_t("support.text", lang, hours=sup.intake_hours, hotline=sup.hotline)]
            + [phase.ja if lang == "ja" else phase.en for phase in sup.phases],
        ),
    ]
    warnings = [
        _section(
            "exclusions",
            _t("exclusions", lang),
            [e.text.get(lang) for e in cov.exclusions.values()],
        ),
        _section("disclosure_duty", _t("duty", lang), [_t("duty.text", lang)]),
        _section("cooling_off", _t("cooling", lang), [_t("cooling.text", lang)]),
        _section(
            "cancellation",
            _t("cancellation", lang),
            [_t("cancellation.text", lang, unit=f"{pol.refund_unit:,}")],
        ),
        _section("lapse", _t("lapse", lang), [_t("lapse.text", lang, months=pol.lapse_grace_months)]),
        _section("insolvency", _t("insolvency", lang), [_t("insolvency.text", lang)]),
        _section("privacy", _t("privacy", lang), [_t("privacy.text", lang)]),
    ]
    return {
        "title": _t("title", lang),
        "product": version.name(lang),
        "version": version.version,
        "content_hash": version.content_hash[:12],
        "parts": [
            {"id": "summary", "title": _t("summary", lang), "sections": summary},
            {"id": "warnings", "title": _t("warnings", lang), "sections": warnings},
        ],
    }


def terms(version: ProductVersion, lang: i18n.Lang) -> dict[str, Any]:
    """The 約款 as the product data holds it: each section with its clause, items, riders and exclusions."""
    cov = version.coverage
    sections = []
    for code, s in cov.sections.items():
        items = [f"{i.clause} {i.name.get(lang)}" for i in cov.items.values() if i.section == code]
        sections.append(_section(code, f"{s.clause} {s.name.get(lang)}", items))
    for code, rider in cov.riders.items():
        sections.append(_section(f"rider-{code}", f"{rider.clause} {rider.name.get(lang)}", []))
    sections.append(
        _section(
            "exclusions", _t("exclusions", lang), [f"{e.clause} {e.text.get(lang)}" for e in cov.exclusions.values()]
        )
    )
    sections.append(_section("deductible", f"{cov.deductible_clause} {i18n.label('deductible', lang)}", []))
    return {
        "title": _t("terms_title", lang),
        "product": version.name(lang),
        "version": version.version,
        "content_hash": version.content_hash[:12],
        "note": _t("terms_note", lang),
        "parts": [{"id": "terms", "title": _t("terms_title", lang), "sections": sections}],
    }
