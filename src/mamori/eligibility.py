"""Eligibility (加入条件, product.md §1): referrals and declines, with codes and ja/en messages.

Input errors are found earlier (``mamori.risk``); this module only decides on a valid risk.
A decline takes precedence over referrals; a referral lists every reason that applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mamori.product import Product
from mamori.risk import Risk

Status = Literal["quoted", "referred", "declined"]


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    kind: Literal["refer", "decline"]
    message_ja: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_ja if lang == "ja" else self.message_en

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "message": self.message(lang),
                "message_ja": self.message_ja, "message_en": self.message_en}  # fmt: skip


def _reason(product: Product, code: str, **values: Any) -> Reason:
    text = product.reasons[code]
    return Reason(code, text.kind, text.render("ja", **values), text.render("en", **values))


def assess(product: Product, risk: Risk) -> tuple[Status, tuple[Reason, ...]]:
    """The underwriting decision on a valid risk and every reason behind it."""
    industry = product.industries[risk.industry]
    names = {"industry_ja": industry.name_ja, "industry_en": industry.name_en}
    if industry.status == "decline":
        return "declined", (
            _reason(product, "D_INDUSTRY", note_ja=industry.note_ja, note_en=industry.note_en, **names),
        )

    reasons: list[Reason] = []
    if industry.status == "refer":
        reasons.append(_reason(product, "R_INDUSTRY", **names))
    if risk.revenue > product.referral_revenue_above:
        reasons.append(_reason(product, "R_REVENUE", threshold=product.referral_revenue_above))
    if risk.overseas_share > product.overseas_refer_above:
        pct = (product.overseas_refer_above * 100).normalize()
        reasons.append(_reason(product, "R_OVERSEAS", threshold_pct=f"{pct:f}"))
    option = product.option("liability", risk.liability_limit)
    if option is not None and option.refer is not None:
        reasons.append(_reason(product, option.refer, amount=risk.liability_limit))
    return ("referred" if reasons else "quoted"), tuple(reasons)
