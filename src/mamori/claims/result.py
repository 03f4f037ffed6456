"""The answer of a claim calculation as values: the worksheet's steps, the lines, the sections, the total.

Decisions are data: a line that is not paid carries its exclusion code, a worksheet step carries its
code and the values of its text; the texts themselves are filled from the product's wording only when
the answer is shown (:mod:`mamori.claims.answer`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from mamori import catalog as catalog_mod
from mamori.support import deadlines, service

__all__ = ["BIResult", "ClaimResult", "LineResult", "SectionResult", "Step"]

_NO_PARAMS: Final[Mapping[str, Any]] = MappingProxyType({})


class Step(NamedTuple):
    """One line of the worksheet (算定明細): the step code, the clause that justifies it, and its figures.

    ``before``/``after`` chain the amounts of one line (``line`` set) or one section (``line`` None):
    each step's ``before`` is the previous step's ``after``. ``amount`` is the step's headline figure
    (what was removed, a cap, a deductible, a limit left). ``params`` fill the ja/en text.

    Built by keyword (``Step(step=..., clause=..., amount=...)``). A named tuple rather than a frozen
    dataclass: a claim writes a dozen or more, and a frozen dataclass takes three times as long to build.
    """

    step: str
    clause: str
    section: str | None = None
    line: str | None = None
    before: int | None = None
    after: int | None = None
    amount: int | None = None
    params: Mapping[str, Any] = _NO_PARAMS


class LineResult(NamedTuple):
    """What became of one cost line (a named tuple, built by keyword, for the same reason as Step)."""

    id: str
    item: str
    section: str | None  # None for never-covered kinds
    claimed: int
    covered: int
    exclusion: str | None  # the code that removed the line, or the first that removed part of it
    removed_by: tuple[str, ...]  # every code that removed money from the line


class SectionResult(NamedTuple):
    """A section of cover with items (expenses, liability): covered, deductible, limit, payable."""

    covered: int
    deductible: int
    limit: int
    prior: int
    payable: int
    exclusion: str | None = None  # a code that removed the whole section (period, retroactive date, purchase)


class BIResult(NamedTuple):
    """Business interruption (§3.4): what was claimed, covered and payable, and how it was derived."""

    claimed: bool
    limit: int
    prior: int
    covered: int = 0
    payable: int = 0
    exclusion: str | None = None
    waiting_period_passed: bool | None = None
    profit_rate: Decimal | None = None
    lost_profit: int = 0
    prevention: int = 0
    continuation: int = 0
    indemnity_end_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimResult:
    version: catalog_mod.ProductVersion  # whose terms decided, and whose wording shows the answer
    policy_start_at: dt.datetime
    policy_end_at: dt.datetime
    cover_end_at: dt.datetime
    lines: tuple[LineResult, ...]
    expense: SectionResult
    liability: SectionResult
    bi: BIResult
    deductible: int
    deductible_applied: int
    payable_total: int
    exclusions: tuple[str, ...]
    worksheet: tuple[Step, ...]
    support: service.Support
    regulatory: deadlines.Regulatory
