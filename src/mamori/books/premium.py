"""Written, earned and unearned premium (既経過・未経過保険料), ``product.md`` §8.1, over columnar arrays.

A book is a set of **written amounts**, each with the policy it belongs to, its effective date ``a`` and the
original end date ``b`` of its term (exclusive). Each amount ``w`` is earned evenly per day over ``[a, b)``:

    earned(w) = sign(w) × floor(|w| × clamp(D + 1 − a, 0, b − a) / (b − a))

as of the end of day ``D`` (JST). After the term ends, earned = written exactly. Dates are day numbers
(days since 1970-01-01, :func:`day`), so a million amounts are a few numpy operations, never a Python loop
per policy. All amounts are integer yen (int64); the sums are exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "Book",
    "Premium",
    "WrittenAmounts",
    "by_group",
    "day",
    "earned",
    "from_day",
    "month_bounds",
    "monthly",
    "premium",
]

Ints = npt.NDArray[np.int64]

_EPOCH: Final = dt.date(1970, 1, 1)


def day(date: dt.date) -> int:
    """The day number of ``date``: days since 1970-01-01."""
    return (date - _EPOCH).days


def from_day(number: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(number))


@dataclass(frozen=True, slots=True)
class WrittenAmounts:
    """Written amounts in columns of equal length: ``policy`` (an index into the book's policies),
    ``amount`` (yen, signed), ``effective`` (``a``) and ``term_end`` (``b``, exclusive), as day numbers."""

    policy: Ints
    amount: Ints
    effective: Ints
    term_end: Ints

    def __post_init__(self) -> None:
        n = len(self.amount)
        if not (len(self.policy) == len(self.effective) == len(self.term_end) == n):
            raise ValueError("the columns of the written amounts differ in length")

    @classmethod
    def of(
        cls,
        policy: Sequence[int] | Ints,
        amount: Sequence[int] | Ints,
        effective: Sequence[int] | Ints,
        term_end: Sequence[int] | Ints,
    ) -> WrittenAmounts:
        return cls(
            np.asarray(policy, dtype=np.int64),
            np.asarray(amount, dtype=np.int64),
            np.asarray(effective, dtype=np.int64),
            np.asarray(term_end, dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.amount)


def earned(amounts: WrittenAmounts, as_of: int) -> Ints:
    """What each written amount has earned by the end of day ``as_of`` (a day number), in yen."""
    length = np.maximum(amounts.term_end - amounts.effective, 1)  # a one-day term at least (never 0 days)
    days = np.clip(as_of + 1 - amounts.effective, 0, length)
    magnitude = np.abs(amounts.amount)
    out: Ints = np.sign(amounts.amount) * ((magnitude * days) // length)
    return out


def written(amounts: WrittenAmounts, as_of: int) -> Ints:
    """Each amount if it is written by the end of ``as_of`` (its effective date has come), else 0."""
    return np.where(amounts.effective <= as_of, amounts.amount, 0)


#: Below this, every partial sum of integers is exact in float64 (2^53).
_EXACT: Final = 2**53


def by_group(values: Ints, codes: Ints, groups: int) -> Ints:
    """Exact integer sums of ``values`` by group code ``0 … groups − 1``: ``bincount`` in float64 when the
    sum of the magnitudes stays below 2^53 (every partial sum then exact), else ``add.at`` in int64."""
    if len(values) and float(np.abs(values).sum(dtype=np.float64)) < _EXACT:
        return np.rint(np.bincount(codes, weights=values, minlength=groups)).astype(np.int64)
    out = np.zeros(groups, dtype=np.int64)
    np.add.at(out, codes, values)
    return out


@dataclass(frozen=True, slots=True)
class Premium:
    """Written, earned and unearned (written − earned) premium, in yen."""

    written: int
    earned: int

    @property
    def unearned(self) -> int:
        return self.written - self.earned

    def as_dict(self) -> dict[str, int]:
        return {"written": self.written, "earned": self.earned, "unearned": self.unearned}


@dataclass(frozen=True, slots=True)
class Book:
    """The premium of a book as of a date: per policy (arrays indexed by policy) and in total."""

    as_of: dt.date
    written: Ints
    earned: Ints

    @property
    def unearned(self) -> Ints:
        return self.written - self.earned

    @property
    def total(self) -> Premium:
        return Premium(int(self.written.sum()), int(self.earned.sum()))

    def grouped(self, codes: Ints, groups: int) -> list[Premium]:
        """The premium by group of policies (``codes[policy]`` is the group of each policy)."""
        w = by_group(self.written, codes, groups)
        e = by_group(self.earned, codes, groups)
        return [Premium(int(w[g]), int(e[g])) for g in range(groups)]


def premium(amounts: WrittenAmounts, as_of: dt.date, policies: int) -> Book:
    """The premium book as of the end of ``as_of``: written, earned and unearned per policy."""
    d = day(as_of)
    return Book(
        as_of=as_of,
        written=by_group(written(amounts, d), amounts.policy, policies),
        earned=by_group(earned(amounts, d), amounts.policy, policies),
    )


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY-MM``."""
    first = dt.date.fromisoformat(month + "-01")
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def monthly(amounts: WrittenAmounts, months: Sequence[str], as_of: dt.date | None = None) -> list[tuple[str, Premium]]:
    """Premium written and earned *in* each month ``YYYY-MM`` (written: effective in the month; earned: as of
    the month's last day minus as of the day before its first), a month after ``as_of`` cut at ``as_of``."""
    out = []
    totals: dict[int, tuple[int, int]] = {}  # day → (written, earned) as of its end: a month end serves twice

    def at(d: int) -> tuple[int, int]:
        if d not in totals:
            totals[d] = (int(written(amounts, d).sum()), int(earned(amounts, d).sum()))
        return totals[d]

    for month in months:
        first, last = month_bounds(month)
        end = day(last) if as_of is None else min(day(last), day(as_of))
        (w0, e0), (w1, e1) = at(day(first) - 1), at(end)
        out.append((month, Premium(w1 - w0, e1 - e0)))
    return out
