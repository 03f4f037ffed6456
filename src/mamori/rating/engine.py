"""Rating (保険料の算出, product.md §2): one risk, exactly, in ``Decimal``.

The formula is :mod:`mamori.rating.formula` (shared with the vectorised twin); this module looks the
operands up in the version's tables, rounds each payment method's installment in the one place that
rounds (:func:`mamori.money.to_yen`, with the product's unit and mode) and records everything a quote
needs to be re-explained years later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from mamori import money
from mamori.catalog import ProductVersion, RatingTables
from mamori.rating import eligibility, formula
from mamori.rating.eligibility import Decision, Reason
from mamori.rating.inputs import Risk

__all__ = ["Premium", "Quote", "premium_for_monthly", "rate", "terms_of"]


@dataclass(frozen=True, slots=True)
class Premium:
    """Installment amounts by payment method (``monthly``: 12 × this; ``annual``: once), and before rounding."""

    by_method: Mapping[str, int]
    unrounded: Mapping[str, Decimal]

    @property
    def monthly(self) -> int:
        return self.by_method["monthly"]

    @property
    def annual(self) -> int:
        return self.by_method["annual"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """A rated quote: the decision, the premium when quoted, and everything used to reach it.

    ``multipliers`` multiply to the monthly premium before rounding (``base`` × every factor);
    ``details`` describe how they were found (class factor, revenue exponent, revenue rated, loadings).
    """

    status: Decision
    premium: Premium | None
    multipliers: Mapping[str, Decimal]
    details: Mapping[str, Decimal]
    reasons: tuple[Reason, ...]
    risk: Risk
    version: ProductVersion
    term_start_at: dt.datetime
    term_end_at: dt.datetime

    @property
    def monthly_premium(self) -> int | None:
        return self.premium.monthly if self.premium else None

    @property
    def annual_premium(self) -> int | None:
        return self.premium.annual if self.premium else None

    @property
    def monthly_unrounded(self) -> Decimal | None:
        return self.premium.unrounded["monthly"] if self.premium else None

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        """The ``mamori quote --json`` document (interfaces.md §1.1), plus keys that re-explain it."""
        r = self.version.rating
        payment = r.payments[self.risk.payment]
        doc: dict[str, Any] = {"status": self.status}
        for code in r.payments:
            doc[f"{code}_premium"] = self.premium.by_method[code] if self.premium else None
        doc.update(
            {
                "currency": self.version.currency,
                "product": self.version.id,
                "product_version": self.version.version,
                "product_hash": self.version.content_hash,
                "reasons": [reason.to_dict(lang) for reason in self.reasons],
                "factors": {k: float(v) for k, v in self.multipliers.items()},
                "factors_exact": {k: str(v) for k, v in self.multipliers.items()},
                "rating_details": {k: str(v) for k, v in self.details.items()},
                "payment": self.risk.payment,
                "premium": self.premium.by_method[self.risk.payment] if self.premium else None,
                "installments": payment.installments,
                "unrounded": {k: str(v) for k, v in self.premium.unrounded.items()} if self.premium else None,
                "monthly_unrounded": str(self.premium.unrounded["monthly"]) if self.premium else None,
                "annual_unrounded": str(self.premium.unrounded["annual"]) if self.premium else None,
                "rounding": {"unit": r.rounding_unit, "mode": r.rounding_mode.name},
                "term": {"start_at": self.term_start_at.isoformat(), "end_at": self.term_end_at.isoformat()},
                "inputs": self.risk.to_dict(),
            }
        )
        return doc


def _factor(r: RatingTables, table: str, amount: int) -> Decimal:
    option = r.option(table, amount)
    # A referral option has no factor; its quote is never priced, so 1 keeps the arithmetic defined.
    return option.factor if option is not None and option.factor is not None else Decimal(1)


def terms_of(version: ProductVersion, risk: Risk) -> formula.Terms | None:
    """The formula's operands for ``risk`` (None for a class that is never priced)."""
    r = version.rating
    curve = r.curves.get(risk.industry)
    if curve is None:
        return None
    return formula.decimal_terms(
        revenue=risk.revenue,
        revenue_floor=r.revenue_floor,
        reference_revenue=r.reference_revenue,
        upper_anchor_revenue=r.upper_anchor_revenue,
        anchor_low=curve.anchor_low,
        anchor_high=curve.anchor_high,
        exponent=curve.exponent,
        scale=curve.scale,
        liability_factor=_factor(r, "liability", risk.liability_limit),
        expense_factor=_factor(r, "expense", risk.expense_limit),
        deductible_factor=_factor(r, "deductible", risk.deductible),
        per_item=r.measure_per_item,
        measures=risk.measures_declared,
        reference_measures=r.measure_reference_count,
        overseas_pct=risk.overseas_pct,
        north_america_pct=risk.north_america_pct,
        other_loading=r.overseas_other_loading,
        north_america_loading=r.overseas_na_loading,
        bi_loading=_factor(r, "bi", risk.bi_limit) if risk.bi_limit else Decimal(0),
        pd_loading=r.pd_loading if risk.pd_rider else Decimal(0),
    )


def premium_of(version: ProductVersion, t: formula.Terms) -> Premium:
    """Each payment method's installment, rounded with the product's unit and mode, at least its minimum."""
    r = version.rating
    by_method: dict[str, int] = {}
    unrounded: dict[str, Decimal] = {}
    with money.decimal_context():
        numer = formula.numerator(t, formula.DECIMAL_OPS)
        for code, method in r.payments.items():
            amount = formula.installment(numer, t, Decimal(method.months_per_installment), method.divisor)
            unrounded[code] = amount
            rounded = money.to_yen(amount, unit=r.rounding_unit, mode=r.rounding_mode)
            by_method[code] = max(rounded, method.minimum)
    return Premium(MappingProxyType(by_method), MappingProxyType(unrounded))


def premium_for_monthly(version: ProductVersion, monthly: int) -> Premium:
    """Every payment method's installment for a monthly premium set by hand (an underwriter's, for a
    referral): ``monthly × months / divisor`` rounded as the product rounds, at least its minimum."""
    r = version.rating
    by_method: dict[str, int] = {}
    unrounded: dict[str, Decimal] = {}
    with money.decimal_context():
        for code, method in r.payments.items():
            amount = Decimal(monthly) * method.months_per_installment / method.divisor
            unrounded[code] = amount
            by_method[code] = max(money.to_yen(amount, unit=r.rounding_unit, mode=r.rounding_mode), method.minimum)
    return Premium(MappingProxyType(by_method), MappingProxyType(unrounded))


def eligibility_view(risk: Risk) -> dict[str, Any]:
    """The values the eligibility rules read, as the column path holds them for a row."""
    return {
        "industry": risk.industry,
        "revenue": risk.revenue,
        "overseas_share": risk.overseas_pct,
        "liability_limit": risk.liability_limit,
    }


def rate(version: ProductVersion, risk: Risk) -> Quote:
    """Rate a validated risk with ``version``: the decision, the multipliers and, when quoted, the premium."""
    status, reasons = eligibility.decide(version, eligibility_view(risk))
    t = terms_of(version, risk)
    multipliers: dict[str, Decimal] = {}
    details: dict[str, Decimal] = {}
    premium = None
    if t is not None:
        with money.decimal_context():
            multipliers = formula.multipliers(t, formula.DECIMAL_OPS)
            details = {
                "industry_class": t.scale,
                "revenue_exponent": t.exponent,
                "revenue_rated": max(t.revenue, t.revenue_floor),
                "measures_declared": t.measures,
                "bi_loading": t.bi_loading,
                "pd_loading": t.pd_loading,
            }
        if status == "quoted":
            premium = premium_of(version, t)
    return Quote(
        status=status,
        premium=premium,
        multipliers=MappingProxyType(multipliers),
        details=MappingProxyType(details),
        reasons=reasons,
        risk=risk,
        version=version,
        term_start_at=version.term_start_at(risk.start),
        term_end_at=version.term_end_at(risk.start),
    )


def indicative_premium(version: ProductVersion, risk: Risk) -> Premium | None:
    """The premium the formula gives a risk whatever its decision — for a referral, the underwriter's starting
    point (issue 15); None when the risk is outside the tables (an industry the product does not rate)."""
    t = terms_of(version, risk)
    if t is None:
        return None
    with money.decimal_context():
        return premium_of(version, t)
