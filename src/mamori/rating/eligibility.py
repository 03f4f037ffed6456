"""Eligibility (加入条件, product.md §1): one list of rules, evaluated on one risk or on columns.

Each rule names a reason of the product data (whose ``kind`` says refer or decline, and whose texts
are filled with the rule's values). A decline takes precedence: its reasons alone are given; a
referral lists every referral reason that applies. Input errors are found before (``inputs``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np

from mamori.catalog import ProductVersion, RatingTables

__all__ = ["DECISIONS", "Decision", "Reason", "Rule", "decide", "rules_for"]

Decision = Literal["quoted", "referred", "declined"]
DECISIONS: Final[tuple[Decision, ...]] = ("quoted", "referred", "declined")
STATUS_CODES: Final = {"quote": 0, "refer": 1, "decline": 2}


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


@dataclass(frozen=True)
class Rule:
    """``applies(view)`` for a risk's values (or row-wise for columns); ``values(view)`` fill its texts."""

    code: str
    applies: Callable[[Mapping[str, Any]], Any]
    values: Callable[[Mapping[str, Any]], dict[str, Any]]


@functools.lru_cache(maxsize=64)
def rules_for(version: ProductVersion) -> tuple[Rule, ...]:
    """The rules of a version: its industry statuses, thresholds and referral options are its data."""
    r = version.rating
    codes = list(r.industries)
    status = np.array([STATUS_CODES[r.industries[c].status] for c in codes], dtype=np.int8)
    index = {c: i for i, c in enumerate(codes)}

    def industry_status(view: Mapping[str, Any]) -> Any:
        industry = view["industry"]
        # A risk holds the code; a column holds indices into the version's classes.
        return status[index[industry]] if isinstance(industry, str) else status[industry]

    def names(view: Mapping[str, Any]) -> dict[str, Any]:
        industry = view["industry"]
        ic = r.industries[industry if isinstance(industry, str) else codes[int(industry)]]
        return {"industry_ja": ic.name_ja, "industry_en": ic.name_en, "note_ja": ic.note_ja, "note_en": ic.note_en}

    refer_pct = r.overseas_refer_above * 100
    rules = [
        Rule("D_INDUSTRY", lambda v: industry_status(v) == STATUS_CODES["decline"], names),
        Rule("R_INDUSTRY", lambda v: industry_status(v) == STATUS_CODES["refer"], names),
        Rule("R_REVENUE", lambda v: v["revenue"] > r.referral_revenue_above,
             lambda v: {"threshold": r.referral_revenue_above}),
        Rule("R_OVERSEAS", lambda v: v["overseas_share"] > _same_kind(v["overseas_share"], refer_pct),
             lambda v: {"threshold_pct": f"{refer_pct.normalize():f}"}),
    ]  # fmt: skip
    for option in r.liability:
        if option.refer is not None:
            rules.append(
                Rule(
                    option.refer,
                    functools.partial(_limit_is, option.amount),
                    lambda v: {"amount": int(v["liability_limit"])},
                )
            )
    return tuple(rules)


def _limit_is(amount: int, view: Mapping[str, Any]) -> Any:
    return view["liability_limit"] == amount


def _same_kind(value: Any, threshold: Any) -> Any:
    # A column holds percentages as floats (at most four decimals, so the comparison is exact).
    return threshold if not isinstance(value, np.ndarray) else float(threshold)


def reason(rating: RatingTables, rule: Rule, view: Mapping[str, Any]) -> Reason:
    text = rating.reasons[rule.code]
    filled = rule.values(view)
    return Reason(rule.code, text.kind, text.render("ja", **filled), text.render("en", **filled))


def decide(version: ProductVersion, view: Mapping[str, Any]) -> tuple[Decision, tuple[Reason, ...]]:
    """The decision on one valid risk's values and every reason behind it."""
    r = version.rating
    applying = [rule for rule in rules_for(version) if rule.applies(view)]
    declines = [rule for rule in applying if r.reasons[rule.code].kind == "decline"]
    if declines:
        return "declined", tuple(reason(r, rule, view) for rule in declines)
    if applying:
        return "referred", tuple(reason(r, rule, view) for rule in applying)
    return "quoted", ()
