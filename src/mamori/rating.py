"""Rating (保険料の算出, product.md §2): the scalar path, in ``Decimal``.

``M_unrounded = M_ref(i, R) × f_L × f_E × f_D × f_S × f_O × (1 + l_BI + l_PD)``; the monthly premium is
that rounded half-up to 10 yen (at least the minimum), the single annual payment is
``M_unrounded × 12 / (1 + loading)`` rounded the same way. The vectorised twin is ``rating_batch``.

To keep boundary cases exact, the one inexact division (by ``1 − p·k_ref`` of the security factor and
by ``1 + loading``) is done last, once, on an otherwise exact product; at the two anchor revenues the
curve is the published anchor itself rather than ``exp(b·ln …)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mamori import eligibility, money
from mamori.eligibility import Reason, Status
from mamori.product import Product
from mamori.risk import Risk

__all__ = ["Premium", "Quote", "rate", "reference_monthly"]


@dataclass(frozen=True, slots=True)
class Premium:
    monthly: int
    annual: int
    monthly_unrounded: Decimal
    annual_unrounded: Decimal


@dataclass(frozen=True, slots=True)
class Quote:
    """A rated quote: the decision, the premium when quoted, and everything used to reach it."""

    status: Status
    premium: Premium | None
    factors: Mapping[str, Decimal]
    reasons: tuple[Reason, ...]
    risk: Risk
    product_id: str
    product_version: str
    product_hash: str
    term_start_at: dt.datetime
    term_end_at: dt.datetime

    @property
    def monthly_premium(self) -> int | None:
        return self.premium.monthly if self.premium else None

    @property
    def annual_premium(self) -> int | None:
        return self.premium.annual if self.premium else None

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        """The ``mamori quote --json`` document (interfaces.md §1.1), plus re-explanation keys."""
        payment_premium = None
        if self.premium:
            payment_premium = self.premium.monthly if self.risk.payment == "monthly" else self.premium.annual
        return {
            "status": self.status,
            "monthly_premium": self.monthly_premium,
            "annual_premium": self.annual_premium,
            "product": self.product_id,
            "product_version": self.product_version,
            "reasons": [r.to_dict(lang) for r in self.reasons],
            "factors": {k: float(v) for k, v in self.factors.items()},
            "factors_exact": {k: str(v) for k, v in self.factors.items()},
            "product_hash": self.product_hash,
            "payment": self.risk.payment,
            "premium": payment_premium,
            "installments": 12 if self.premium and self.risk.payment == "monthly" else 1,
            "monthly_unrounded": str(self.premium.monthly_unrounded) if self.premium else None,
            "annual_unrounded": str(self.premium.annual_unrounded) if self.premium else None,
            "term": {"start_at": self.term_start_at.isoformat(), "end_at": self.term_end_at.isoformat()},
            "inputs": self.risk.to_dict(),
        }


def reference_monthly(product: Product, industry: str, revenue: int) -> Decimal:
    """``M_ref(i, R)``: the unrounded monthly premium under reference conditions (product.md §2.2)."""
    curve = product.curves[industry]
    rated = max(revenue, product.revenue_floor)
    with money.decimal_context():
        if rated == product.reference_revenue:
            base = curve.anchor_low
        elif rated == product.upper_anchor_revenue:
            base = curve.anchor_high
        else:
            ratio = Decimal(rated) / Decimal(product.reference_revenue)
            base = curve.anchor_low * (curve.exponent * ratio.ln()).exp()
        return curve.scale * base


def _factor(product: Product, table: str, amount: int) -> Decimal | None:
    option = product.option(table, amount)
    return option.factor if option is not None else None


def rate(product: Product, risk: Risk) -> Quote:
    """Rate a validated risk: the decision, the factors and, when quoted, the premium."""
    status, reasons = eligibility.assess(product, risk)
    with money.decimal_context():
        factors: dict[str, Decimal] = {}
        if risk.industry in product.curves:
            curve = product.curves[risk.industry]
            factors["base"] = reference_monthly(product, risk.industry, risk.revenue)
            factors["industry_class"] = curve.scale
            factors["revenue_exponent"] = curve.exponent
            factors["revenue_rated"] = Decimal(max(risk.revenue, product.revenue_floor))
        for key, table, amount in (
            ("liability_limit", "liability", risk.liability_limit),
            ("expense_limit", "expense", risk.expense_limit),
            ("deductible", "deductible", risk.deductible),
        ):
            factor = _factor(product, table, amount)
            if factor is not None:
                factors[key] = factor
        p = product.measure_per_item
        security_numerator = 1 - p * risk.measures_declared
        security_denominator = 1 - p * product.measure_reference_count
        factors["security_measures"] = security_numerator / security_denominator
        s_na = risk.north_america_share
        s_other = risk.overseas_share - s_na
        factors["overseas"] = 1 + product.overseas_other_loading * s_other + product.overseas_na_loading * s_na
        bi_loading = _factor(product, "bi", risk.bi_limit) or Decimal(0)
        pd_loading = product.pd_loading if risk.pd_rider else Decimal(0)
        factors["bi_loading"] = bi_loading
        factors["pd_loading"] = pd_loading
        factors["options"] = 1 + bi_loading + pd_loading

        premium = None
        if status == "quoted":
            numerator = (
                factors["base"]
                * factors["liability_limit"]
                * factors["expense_limit"]
                * factors["deductible"]
                * security_numerator
                * factors["overseas"]
                * factors["options"]
            )
            monthly_unrounded = numerator / security_denominator
            annual_unrounded = (
                numerator * product.installments / (security_denominator * (1 + product.installment_loading))
            )
            unit, mode = product.rounding_unit, product.rounding_mode
            premium = Premium(
                monthly=max(money.to_yen(monthly_unrounded, unit=unit, mode=mode), product.minimum_monthly),
                annual=max(money.to_yen(annual_unrounded, unit=unit, mode=mode), product.minimum_annual),
                monthly_unrounded=monthly_unrounded,
                annual_unrounded=annual_unrounded,
            )
    return Quote(
        status=status,
        premium=premium,
        factors=factors,
        reasons=reasons,
        risk=risk,
        product_id=product.id,
        product_version=product.version,
        product_hash=product.content_hash,
        term_start_at=product.term_start_at(risk.start),
        term_end_at=product.term_end_at(risk.start),
    )
