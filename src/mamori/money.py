"""Money and rates: the one place where amounts are rounded.

Money is an ``int`` of yen (JPY has no minor unit). Rates and unrounded amounts are ``Decimal``.
Every conversion from an unrounded ``Decimal`` to yen goes through :func:`to_yen`, with a named
rounding mode and unit, so the rounding rule of every figure is visible where it is used.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

__all__ = [
    "CONTEXT",
    "MAX_YEN",
    "Rounding",
    "Yen",
    "decimal_context",
    "split_evenly",
    "to_decimal",
    "to_yen",
]

Yen = int

#: The largest amount of yen any input may carry (1,000兆円, far above any business's revenue). It keeps
#: every amount exact in an int64 column and in a float64 (below 2**53), so no path can wrap or round it.
MAX_YEN = 10**15

#: Arithmetic context for every rate computation: 40 significant digits (the spec asks for ≥ 28).
#: Rounding inside intermediate arithmetic is banker's rounding, as Decimal's default; the rounding
#: of money is never left to the context but named explicitly in :func:`to_yen`.
CONTEXT = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)


_ONE = Decimal(1)


class Rounding(enum.Enum):
    """Named rounding modes used by the product (the value is the ``decimal`` constant)."""

    HALF_UP = decimal.ROUND_HALF_UP  # premiums: 四捨五入
    HALF_EVEN = decimal.ROUND_HALF_EVEN  # 銀行丸め (offered to product files; not used by sme-cyber)
    DOWN = decimal.ROUND_DOWN  # payments and refunds derived by a rate: 切り捨て
    UP = decimal.ROUND_UP  # 切り上げ (not used by sme-cyber 2025-04; kept for product files)


@contextmanager
def decimal_context() -> Iterator[decimal.Context]:
    """Run a block with the rating context (thread-local, restored afterwards)."""
    with decimal.localcontext(CONTEXT) as ctx:
        yield ctx


def to_decimal(value: int | str | Decimal) -> Decimal:
    """An exact Decimal from an int, a decimal string or a Decimal (never from a float)."""
    if isinstance(value, bool | float):  # pragma: no cover - guarded by typing
        raise TypeError(f"refusing to build a Decimal from {type(value).__name__}")
    return Decimal(value)


def to_yen(amount: Decimal, *, unit: int = 1, mode: Rounding) -> Yen:
    """Round ``amount`` (yen, unrounded) to a multiple of ``unit`` yen with ``mode``.

    >>> to_yen(Decimal("5284.999"), unit=10, mode=Rounding.HALF_UP)
    5280
    >>> to_yen(Decimal("5285"), unit=10, mode=Rounding.HALF_UP)
    5290
    >>> to_yen(Decimal("1234.9"), mode=Rounding.DOWN)
    1234
    """
    if unit <= 0:
        raise ValueError("unit must be a positive number of yen")
    # The context is passed explicitly (not entered): this is on every hot path of rating and claims.
    steps = CONTEXT.divide(amount, Decimal(unit)).quantize(_ONE, rounding=mode.value, context=CONTEXT)
    return int(steps) * unit


def split_evenly(total: Yen, parts: int) -> list[Yen]:
    """Split ``total`` yen into ``parts`` integer amounts that add up exactly.

    The remainder goes to the first parts, so that earlier installments are never smaller.
    """
    if parts <= 0:
        raise ValueError("parts must be positive")
    base, remainder = divmod(total, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]
