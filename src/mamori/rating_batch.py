"""The vectorised twin of :mod:`mamori.rating` (numpy), for batch re-rating.

It gives the same yen as the scalar path on every row. float64 arithmetic is within ~1e-15 of the
``Decimal`` value; a row whose unrounded premium lies within a tolerance (far wider than that error)
of a rounding boundary cannot be decided in float64, so it is re-rated on the scalar path. Such rows
are about two in a million for random inputs, and every row of the published table (exact anchors)
is one of them only when it really sits on a boundary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from mamori import rating, risk
from mamori.product import Product

__all__ = ["STATUS_NAMES", "BatchRating", "BatchRisks", "rate_arrays"]

STATUS_NAMES: Final = ("quoted", "referred", "declined")
QUOTED, REFERRED, DECLINED = 0, 1, 2
_ABS_TOL: Final = 1e-6  # in rounding units (10 yen): a million times the float error of a premium
_REL_TOL: Final = 1e-12

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class BatchRisks:
    """Validated columns of one product version's rows (same meaning as :class:`mamori.risk.Risk`)."""

    industry: IntArray  # index into ``list(product.industries)``
    revenue: IntArray
    liability_limit: IntArray
    expense_limit: IntArray
    deductible: IntArray
    measures_declared: IntArray
    overseas_pct: FloatArray  # percent, 0..100, as given
    north_america_pct: FloatArray
    bi_limit: IntArray
    pd_rider: BoolArray
    start: npt.NDArray[np.datetime64]

    def __len__(self) -> int:
        return int(self.revenue.shape[0])

    def raw_row(self, product: Product, i: int) -> dict[str, object]:
        """Row ``i`` as scalar-path input (the fallback for rows on a rounding boundary)."""
        start = self.start[i].astype("datetime64[D]").astype(dt.date)
        return {
            "industry": list(product.industries)[int(self.industry[i])],
            "revenue": int(self.revenue[i]),
            "liability_limit": int(self.liability_limit[i]),
            "expense_limit": int(self.expense_limit[i]),
            "deductible": int(self.deductible[i]),
            "security_measures": int(self.measures_declared[i]),
            "overseas_share": float(self.overseas_pct[i]),
            "north_america_share": float(self.north_america_pct[i]),
            "bi_limit": int(self.bi_limit[i]),
            "pd_rider": bool(self.pd_rider[i]),
            "start": start,
        }


@dataclass(frozen=True)
class BatchRating:
    status: npt.NDArray[np.int8]  # QUOTED / REFERRED / DECLINED
    monthly: IntArray  # 0 unless quoted
    annual: IntArray
    reasons: npt.NDArray[np.int32]  # bit set of ``reason_codes``
    reason_codes: tuple[str, ...]
    fallback_rows: int  # rows decided on the scalar path


def _lookup(amounts: list[int], factors: list[float], values: IntArray) -> FloatArray:
    """Factor of each value in an option table (values are validated members of ``amounts``)."""
    keys = np.asarray(amounts, dtype=np.int64)
    table = np.asarray(factors, dtype=np.float64)
    return table[np.searchsorted(keys, values)]


def _round_half_up(values: FloatArray, unit: int) -> tuple[IntArray, BoolArray]:
    """Half-up rounding to ``unit`` and the mask of values too close to a boundary to trust float64."""
    steps = values / unit
    floor = np.floor(steps)
    frac = steps - floor
    near = np.abs(frac - 0.5) < (_ABS_TOL + _REL_TOL * np.abs(steps))
    rounded = (floor + (frac >= 0.5)).astype(np.int64) * unit
    return rounded, near


def rate_arrays(
    product: Product,
    risks: BatchRisks,
    scalar: Callable[[dict[str, object]], rating.Quote] | None = None,
) -> BatchRating:
    """Rate every row of one product version. ``scalar`` rates a boundary row exactly."""
    if scalar is None:

        def scalar(raw: dict[str, object]) -> rating.Quote:
            return rating.rate(*risk.parse_risk(raw))

    n = len(risks)
    codes = list(product.industries)
    classes = [product.industries[c] for c in codes]
    status_of_class = np.array([{"quote": 0, "refer": 1, "decline": 2}[c.status] for c in classes], dtype=np.int8)
    ind_status = status_of_class[risks.industry]

    reason_codes = ["D_INDUSTRY", "R_INDUSTRY", "R_REVENUE", "R_OVERSEAS"]
    refer_options = [o for o in product.liability if o.refer is not None]
    for o in refer_options:
        if o.refer not in reason_codes:
            reason_codes.append(str(o.refer))
    bits = np.zeros(n, dtype=np.int32)
    declined = ind_status == DECLINED
    bits |= declined.astype(np.int32) << 0
    bits |= (ind_status == REFERRED).astype(np.int32) << 1
    bits |= (risks.revenue > product.referral_revenue_above).astype(np.int32) << 2
    bits |= (risks.overseas_pct > float(product.overseas_refer_above * 100)).astype(np.int32) << 3
    for o in refer_options:
        bit = reason_codes.index(str(o.refer))
        bits |= (risks.liability_limit == o.amount).astype(np.int32) << bit
    # A decline takes precedence: its reasons alone are given.
    bits = np.where(declined, 1, bits).astype(np.int32)
    status = np.where(declined, DECLINED, np.where(bits != 0, REFERRED, QUOTED)).astype(np.int8)
    quoted = status == QUOTED

    # Curves, float64. Non-quotable classes get harmless placeholders (they are never priced).
    anchor_low = np.array([float(product.curves[c].anchor_low) if c in product.curves else 1.0 for c in codes])
    anchor_high = np.array([float(product.curves[c].anchor_high) if c in product.curves else 1.0 for c in codes])
    exponent = np.array([float(product.curves[c].exponent) if c in product.curves else 0.0 for c in codes])
    scale = np.array([float(product.curves[c].scale) if c in product.curves else 0.0 for c in codes])
    idx = risks.industry
    rated = np.maximum(risks.revenue, product.revenue_floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        curve = anchor_low[idx] * np.exp(exponent[idx] * np.log(rated / product.reference_revenue))
    curve = np.where(rated == product.reference_revenue, anchor_low[idx], curve)
    curve = np.where(rated == product.upper_anchor_revenue, anchor_high[idx], curve)
    m_ref = scale[idx] * curve

    def factors(table: str) -> tuple[list[int], list[float]]:
        opts = getattr(product, table)
        return [o.amount for o in opts], [float(o.factor) if o.factor is not None else np.nan for o in opts]

    f_l = _lookup(*factors("liability"), risks.liability_limit)
    f_e = _lookup(*factors("expense"), risks.expense_limit)
    f_d = _lookup(*factors("deductible"), risks.deductible)
    l_bi = _lookup(*factors("bi"), risks.bi_limit)
    p = float(product.measure_per_item)
    security_numerator = 1.0 - p * risks.measures_declared
    security_denominator = 1.0 - p * product.measure_reference_count
    s_na = risks.north_america_pct / 100.0
    s_other = risks.overseas_pct / 100.0 - s_na
    f_o = 1.0 + float(product.overseas_other_loading) * s_other + float(product.overseas_na_loading) * s_na
    options = 1.0 + l_bi + np.where(risks.pd_rider, float(product.pd_loading), 0.0)
    numerator = m_ref * f_l * f_e * f_d * security_numerator * f_o * options
    monthly_f = numerator / security_denominator
    annual_f = numerator * product.installments / (security_denominator * (1.0 + float(product.installment_loading)))

    unit = product.rounding_unit
    if product.rounding_mode.name != "HALF_UP":  # pragma: no cover - no such product yet
        raise NotImplementedError("the vectorised path implements HALF_UP rounding only")
    monthly_f = np.where(quoted, monthly_f, 0.0)
    annual_f = np.where(quoted, annual_f, 0.0)
    monthly, near_m = _round_half_up(monthly_f, unit)
    annual, near_a = _round_half_up(annual_f, unit)
    monthly = np.where(quoted, np.maximum(monthly, product.minimum_monthly), 0)
    annual = np.where(quoted, np.maximum(annual, product.minimum_annual), 0)

    fallback = np.flatnonzero(quoted & (near_m | near_a))
    for i in fallback:
        q = scalar(risks.raw_row(product, int(i)))
        monthly[i] = q.monthly_premium or 0
        annual[i] = q.annual_premium or 0
    return BatchRating(
        status=status,
        monthly=monthly.astype(np.int64),
        annual=annual.astype(np.int64),
        reasons=bits,
        reason_codes=tuple(reason_codes),
        fallback_rows=int(fallback.size),
    )
