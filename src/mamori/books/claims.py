"""Claims as known at a date (``product.md`` §8.2): paid, case reserves (支払備金) and incurred.

The records are columnar: the claims (an accident date each: the incident's discovery date), the payments
(a claim, the payment date, the amount; corrections are negative amounts) and the reserve history (a claim,
the day it was set, its order, the reserve). As of the end of day ``D`` a claim's paid is the sum of its
payments dated ``≤ D``; its case reserve is the last reserve set by then (0 once closed, as the history
records it); incurred = paid + case reserve. Dates are day numbers (:func:`mamori.books.premium.day`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mamori.books.premium import by_group

__all__ = ["ClaimRecords", "Position"]

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Position:
    """Per claim as of a date: paid, case reserve and incurred, in yen."""

    paid: Ints
    reserve: Ints

    @property
    def incurred(self) -> Ints:
        return self.paid + self.reserve


@dataclass(frozen=True, slots=True)
class ClaimRecords:
    """``accident`` (day per claim); payments ``pay_claim``/``pay_day``/``pay_amount``; reserve history
    ``res_claim``/``res_day``/``res_amount`` in the order the values were set."""

    accident: Ints
    pay_claim: Ints
    pay_day: Ints
    pay_amount: Ints
    res_claim: Ints
    res_day: Ints
    res_amount: Ints

    @classmethod
    def of(
        cls,
        accident: Sequence[int],
        payments: Sequence[tuple[int, int, int]],
        reserves: Sequence[tuple[int, int, int]],
    ) -> ClaimRecords:
        """From Python rows: payments ``(claim, day, amount)``; reserves ``(claim, day, reserve)`` in order."""

        def col(rows: Sequence[tuple[int, int, int]], k: int) -> Ints:
            return np.asarray([r[k] for r in rows], dtype=np.int64)

        return cls(
            np.asarray(accident, dtype=np.int64),
            col(payments, 0),
            col(payments, 1),
            col(payments, 2),
            col(reserves, 0),
            col(reserves, 1),
            col(reserves, 2),
        )

    @property
    def claims(self) -> int:
        return len(self.accident)

    def first_day(self) -> int | None:
        """The earliest day any record holds (None for no records)."""
        days = [a.min() for a in (self.accident, self.pay_day, self.res_day) if len(a)]
        return int(min(days)) if days else None

    def at(self, as_of: int) -> Position:
        """Paid and case reserve of every claim as known at the end of day ``as_of``."""
        n = self.claims
        paid = by_group(np.where(self.pay_day <= as_of, self.pay_amount, 0), self.pay_claim, n)
        reserve = np.zeros(n, dtype=np.int64)
        known = np.flatnonzero(self.res_day <= as_of)
        if len(known):
            # The last value set by then, per claim (the history is in order): the first one read backwards.
            claims = self.res_claim[known][::-1]
            _, first = np.unique(claims, return_index=True)
            reserve[claims[first]] = self.res_amount[known][::-1][first]
        reported = self.accident <= as_of
        return Position(np.where(reported, paid, 0), np.where(reported, reserve, 0))
