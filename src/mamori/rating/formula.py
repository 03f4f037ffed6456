"""The premium formula of product.md §2, written once for ``Decimal`` values and numpy arrays alike.

``M_unrounded = M_ref(i, R) × f_L × f_E × f_D × f_S × f_O × (1 + l_BI + l_PD)``; a payment method's
installment is ``M_unrounded × months / divisor`` rounded. The scalar engine evaluates it with
``Decimal`` operands (exact), the vectorised twin with float64 arrays; only the operations differ
(:class:`Ops`). To keep exact halves exact, the one inexact division (by ``1 − p·k_ref`` of the
security factor and by the payment divisor) is done last, on an otherwise exact product; at the two
anchor revenues the curve is the published anchor itself rather than ``exp(b·ln …)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import numpy as np

__all__ = ["DECIMAL_OPS", "MULTIPLIERS", "NUMPY_OPS", "Ops", "Terms", "multipliers", "numerator", "reference_monthly"]

#: The multipliers of a quote, in order; their product is the monthly premium before rounding.
MULTIPLIERS: Final = (
    "base",
    "liability_limit",
    "expense_limit",
    "deductible",
    "security_measures",
    "overseas",
    "options",
)


@dataclass(frozen=True)
class Ops:
    """The operations that differ between a ``Decimal`` and a numpy evaluation."""

    ln: Callable[[Any], Any]
    exp: Callable[[Any], Any]
    select: Callable[[Any, Any, Any], Any]  # (condition, if true, if false)
    maximum: Callable[[Any, Any], Any]


DECIMAL_OPS: Final = Ops(
    ln=lambda x: x.ln(),
    exp=lambda x: x.exp(),
    select=lambda cond, a, b: a if cond else b,
    maximum=max,
)
NUMPY_OPS: Final = Ops(ln=np.log, exp=np.exp, select=np.where, maximum=np.maximum)


@dataclass(frozen=True)
class Terms:
    """The operands of one risk (Decimal) or of many (arrays), already looked up in the product tables."""

    revenue: Any
    revenue_floor: Any
    reference_revenue: Any
    upper_anchor_revenue: Any
    anchor_low: Any  # of the curve class
    anchor_high: Any
    exponent: Any
    scale: Any  # the class factor f_i (1 for classes with their own anchors)
    liability_factor: Any
    expense_factor: Any
    deductible_factor: Any
    per_item: Any  # p of f_S
    measures: Any  # k, items declared
    reference_measures: Any  # k_ref
    overseas_pct: Any
    north_america_pct: Any
    other_loading: Any
    north_america_loading: Any
    bi_loading: Any
    pd_loading: Any


def reference_monthly(t: Terms, ops: Ops) -> Any:
    """``M_ref(i, R)`` (product.md §2.2): the published anchor at the anchor revenues, the curve between."""
    rated = ops.maximum(t.revenue, t.revenue_floor)
    curve = t.anchor_low * ops.exp(t.exponent * ops.ln(rated / t.reference_revenue))
    at_low = ops.select(rated == t.reference_revenue, t.anchor_low, curve)
    return t.scale * ops.select(rated == t.upper_anchor_revenue, t.anchor_high, at_low)


def security_numerator(t: Terms) -> Any:
    return 1 - t.per_item * t.measures


def security_denominator(t: Terms) -> Any:
    return 1 - t.per_item * t.reference_measures


def overseas(t: Terms) -> Any:
    """``f_O = 1 + other·s_other + na·s_na`` with shares from percentages."""
    return (
        1
        + t.other_loading * (t.overseas_pct - t.north_america_pct) / 100
        + t.north_america_loading * t.north_america_pct / 100
    )


def options(t: Terms) -> Any:
    return 1 + t.bi_loading + t.pd_loading


def numerator(t: Terms, ops: Ops) -> Any:
    """The monthly premium before rounding, times the security denominator (divided last, once)."""
    return (
        reference_monthly(t, ops)
        * t.liability_factor
        * t.expense_factor
        * t.deductible_factor
        * security_numerator(t)
        * overseas(t)
        * options(t)
    )


def installment(numer: Any, t: Terms, months: Any, divisor: Any) -> Any:
    """One installment before rounding: ``M_unrounded × months / divisor``, one division at the end."""
    return numer * months / (security_denominator(t) * divisor)


def multipliers(t: Terms, ops: Ops) -> dict[str, Any]:
    """Each multiplier of :data:`MULTIPLIERS` (their product is the monthly premium before rounding)."""
    return {
        "base": reference_monthly(t, ops),
        "liability_limit": t.liability_factor,
        "expense_limit": t.expense_factor,
        "deductible": t.deductible_factor,
        "security_measures": security_numerator(t) / security_denominator(t),
        "overseas": overseas(t),
        "options": options(t),
    }


def decimal_terms(**values: Any) -> Terms:
    """Terms of one risk, every operand a Decimal (ints converted exactly)."""
    return Terms(**{k: v if isinstance(v, Decimal) else Decimal(v) for k, v in values.items()})
