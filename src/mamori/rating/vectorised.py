"""The vectorised twin of :mod:`mamori.rating.engine`, for batch re-rating (numpy, float64).

The formula (:mod:`formula`) and the eligibility rules (:mod:`eligibility`) are the scalar path's own,
evaluated on arrays. float64 is within ~1e-15 of the ``Decimal`` value; a row whose unrounded premium
lies within a tolerance (far wider than that error) of a rounding boundary of the product's rounding
mode cannot be decided in float64, so it is re-rated exactly by the scalar engine with the same
version. Same yen on every row, by construction; property-tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from mamori import money
from mamori.catalog import ProductVersion, RatingTables
from mamori.rating import eligibility, engine, formula
from mamori.rating.columns import ColumnRisks

__all__ = ["ColumnRating", "rate_columns"]

QUOTED, REFERRED, DECLINED = 0, 1, 2
_ABS_TOL: Final = 1e-6  # in rounding units: a million times the float error of a premium
_REL_TOL: Final = 1e-12

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ColumnRating:
    status: npt.NDArray[np.int8]  # index into eligibility.DECISIONS
    premiums: Mapping[str, IntArray]  # payment method → installment (0 unless quoted)
    reasons: npt.NDArray[np.int64]  # bit j set: rule j of ``reason_codes`` gives a reason
    reason_codes: tuple[str, ...]
    exact_rows: int  # rows decided by the scalar engine (on a rounding boundary)


def _lookup(r: RatingTables, table: str, amounts: IntArray) -> FloatArray:
    """The factor of each amount (amounts are validated options; a referral option has no factor: 1)."""
    options = r.options(table)
    keys = np.asarray([o.amount for o in options], dtype=np.int64)
    factors = np.asarray([float(o.factor) if o.factor is not None else 1.0 for o in options])
    return factors[np.clip(np.searchsorted(keys, amounts), 0, len(keys) - 1)]


def _round(values: FloatArray, unit: int, mode: money.Rounding) -> tuple[IntArray, BoolArray]:
    """Rounding to ``unit`` with ``mode``, and the rows too close to a boundary of that mode to trust float64."""
    steps = np.nan_to_num(values / unit, nan=0.0, posinf=0.0, neginf=0.0)  # only unpriced rows are not finite
    floor = np.floor(steps)
    frac = steps - floor
    tolerance = _ABS_TOL + _REL_TOL * np.abs(steps)
    if mode in (money.Rounding.HALF_UP, money.Rounding.HALF_EVEN):
        near = np.abs(frac - 0.5) < tolerance
        rounded = floor + (frac > 0.5)  # exact halves are near, and decided exactly
    else:
        near = (frac < tolerance) | (1 - frac < tolerance)
        rounded = floor if mode == money.Rounding.DOWN else np.ceil(steps)
    return rounded.astype(np.int64) * unit, near


def _terms(version: ProductVersion, c: Mapping[str, npt.NDArray[Any]], industries: tuple[str, ...]) -> formula.Terms:
    r = version.rating
    curves = [r.curves.get(code) for code in industries]

    def per_class(attribute: str, absent: float) -> FloatArray:
        table = np.array([float(getattr(cv, attribute)) if cv is not None else absent for cv in curves])
        by_row: FloatArray = table[c["industry"]]
        return by_row

    return formula.Terms(
        revenue=c["revenue"].astype(np.float64),
        revenue_floor=float(r.revenue_floor),
        reference_revenue=float(r.reference_revenue),
        upper_anchor_revenue=float(r.upper_anchor_revenue),
        anchor_low=per_class("anchor_low", 1.0),
        anchor_high=per_class("anchor_high", 1.0),
        exponent=per_class("exponent", 0.0),
        scale=per_class("scale", 0.0),
        liability_factor=_lookup(r, "liability", c["liability_limit"]),
        expense_factor=_lookup(r, "expense", c["expense_limit"]),
        deductible_factor=_lookup(r, "deductible", c["deductible"]),
        per_item=float(r.measure_per_item),
        measures=c["security_measures"],
        reference_measures=float(r.measure_reference_count),
        overseas_pct=c["overseas_share"],
        north_america_pct=c["north_america_share"],
        other_loading=float(r.overseas_other_loading),
        north_america_loading=float(r.overseas_na_loading),
        bi_loading=_lookup(r, "bi", c["bi_limit"]),
        pd_loading=np.where(c["pd_rider"].astype(np.bool_), float(r.pd_loading), 0.0),
    )


def rate_columns(group: ColumnRisks) -> ColumnRating:
    """Rate every row of one version's validated columns."""
    version = group.version
    r = version.rating
    c = group.columns
    n = len(group)
    rules = eligibility.rules_for(version)
    applies = [np.broadcast_to(np.asarray(rule.applies(c), dtype=np.bool_), (n,)) for rule in rules]
    is_decline = [r.reasons[rule.code].kind == "decline" for rule in rules]
    declined = np.logical_or.reduce([a for a, d in zip(applies, is_decline, strict=True) if d] or [np.zeros(n, bool)])
    bits = np.zeros(n, dtype=np.int64)
    for j, (a, d) in enumerate(zip(applies, is_decline, strict=True)):
        # A decline takes precedence: its reasons alone are given.
        bits |= (a & (d | ~declined)).astype(np.int64) << j
    status = np.where(declined, DECLINED, np.where(bits != 0, REFERRED, QUOTED)).astype(np.int8)
    quoted = status == QUOTED

    t = _terms(version, c, group.allowed["industry"])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        numer = formula.numerator(t, formula.NUMPY_OPS)
    premiums: dict[str, IntArray] = {}
    near_any = np.zeros(n, dtype=np.bool_)
    for code, method in r.payments.items():
        unrounded = np.where(
            quoted, formula.installment(numer, t, float(method.months_per_installment), float(method.divisor)), 0.0
        )
        rounded, near = _round(unrounded, r.rounding_unit, r.rounding_mode)
        premiums[code] = np.where(quoted, np.maximum(rounded, method.minimum), 0).astype(np.int64)
        near_any |= near & quoted
    exact = np.flatnonzero(near_any)
    for i in exact:
        quote = engine.rate(version, group.risk(int(i)))
        assert quote.premium is not None  # noqa: S101 - a quoted row is priced by both paths
        for code in r.payments:
            premiums[code][i] = quote.premium.by_method[code]
    return ColumnRating(
        status=status,
        premiums=premiums,
        reasons=bits,
        reason_codes=tuple(rule.code for rule in rules),
        exact_rows=int(exact.size),
    )
