"""The claims ledger: what was paid, by section and by sublimited item, and how a payment is attributed.

A policy year's limits hold across all of its claims because every calculation takes what the ledger
already holds for the other claims as its ``prior_payments`` (product.md §3.6-3, §3.6-5). This module
is the arithmetic of that ledger, pure and framework-free:

- :func:`total` sums entries into a :class:`Paid` (the ``prior_payments`` of a claim document);
- :func:`still_allowed` is what a calculation still allows for its claim;
- :func:`allocate` attributes a payment (or, with a negative amount, a correction) to sections — expenses,
  then liability, then business interruption, as the calculation paid them — and, within a section, to
  its cost lines in document order after the deductible, so that the part paid for a sublimited item
  is known and counted against the sublimit by later claims. A correction takes back in reverse order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from mamori.claims.result import ClaimResult

__all__ = ["SECTIONS", "Paid", "allocate", "still_allowed", "total"]

#: The order a payment fills the sections in (a correction empties them in reverse).
SECTIONS: Final = ("expense", "liability", "bi")


@dataclass(frozen=True, slots=True, kw_only=True)
class Paid:
    """Amounts paid (or attributed to one payment), by section and by sublimited item."""

    expense: int = 0
    liability: int = 0
    bi: int = 0
    sublimits: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def section(self, name: str) -> int:
        amount: int = getattr(self, name)
        return amount

    @property
    def amount(self) -> int:
        return self.expense + self.liability + self.bi

    def plus(self, other: Paid) -> Paid:
        items = dict(self.sublimits)
        for code, value in other.sublimits.items():
            items[code] = items.get(code, 0) + value
        return Paid(
            expense=self.expense + other.expense,
            liability=self.liability + other.liability,
            bi=self.bi + other.bi,
            sublimits=MappingProxyType({k: v for k, v in items.items() if v}),
        )

    def to_prior(self) -> dict[str, object]:
        """As the ``prior_payments`` block of a claim document (interfaces.md §1.3)."""
        return {"expense": self.expense, "liability": self.liability, "bi": self.bi, "sublimits": dict(self.sublimits)}


def total(entries: Iterable[Paid]) -> Paid:
    out = Paid()
    for entry in entries:
        out = out.plus(entry)
    return out


def _payable(result: ClaimResult, section: str) -> int:
    return {"expense": result.expense.payable, "liability": result.liability.payable, "bi": result.bi.payable}[section]


def still_allowed(result: ClaimResult, paid_on_claim: Paid) -> int:
    """What the calculation still allows for its claim: in each section, what it makes payable there less
    what the claim was paid there (a section paid more than a later calculation allows gives nothing back
    to another section: a payment is attributed to a section, and a section's limit is its own)."""
    return sum(max(_payable(result, s) - paid_on_claim.section(s), 0) for s in SECTIONS)


def _deductible(result: ClaimResult, section: str) -> int:
    if section == "expense":
        return result.expense.deductible
    if section == "liability":
        return result.liability.deductible
    return 0


def _items(result: ClaimResult, section: str, start: int, end: int, sublimited: frozenset[str]) -> dict[str, int]:
    """The part of the section's payable stream ``[start, end)`` that falls on each sublimited item's lines.

    Covered amounts of the section's lines, in document order, form a stream; the first ``deductible``
    yen of it are the deductible, and payable position ``x`` is covered position ``x + deductible``.
    """
    shift = _deductible(result, section)
    lo, hi = start + shift, end + shift
    out: dict[str, int] = {}
    position = 0
    for line in result.lines:
        if line.section != section or line.covered <= 0:
            continue
        line_lo, line_hi = position, position + line.covered
        position = line_hi
        if line.item in sublimited:
            overlap = min(hi, line_hi) - max(lo, line_lo)
            if overlap > 0:
                out[line.item] = out.get(line.item, 0) + overlap
    return out


def _taken_back(result: ClaimResult, paid: Paid, section: str, take: int, sublimited: frozenset[str]) -> dict[str, int]:
    """What a correction of ``take`` in ``section`` takes back from the sublimited items the claim was paid
    for there: only the part beyond what was paid for other lines, from the items in reverse code order."""
    terms = result.version.coverage.items
    codes = sorted(c for c, v in paid.sublimits.items() if c in sublimited and v > 0 and terms[c].section == section)
    on_items = sum(paid.sublimits[c] for c in codes)
    back = max(take - (paid.section(section) - on_items), 0)
    out: dict[str, int] = {}
    for code in reversed(codes):
        part = min(back, paid.sublimits[code])
        if part:
            out[code] = part
            back -= part
    return out


def allocate(result: ClaimResult, paid_on_claim: Paid, amount: int, sublimited: Iterable[str]) -> Paid:
    """Attribute ``amount`` (a payment, or a negative correction) for the claim ``result`` was calculated for.

    A payment fills each section up to what the calculation makes payable there, in :data:`SECTIONS`
    order, and is attributed to sublimited items by the calculation's lines. A correction takes back from
    each section what the claim was paid there, in reverse order; within a section it takes back what was
    not attributed to a sublimited item first, then from the items (never below nothing): the claim's own
    earlier attributions, whatever its costs are now. Raises ValueError when the amount does not fit (more
    than still allowed, or more taken back than paid).
    """
    items = frozenset(sublimited)
    if amount > still_allowed(result, paid_on_claim):
        raise ValueError(f"{amount} yen is more than the calculation still allows")
    if -amount > paid_on_claim.amount:
        raise ValueError(f"{-amount} yen is more than the claim was paid")
    by_section: dict[str, int] = {}
    by_item: dict[str, int] = {}
    left = abs(amount)
    order = SECTIONS if amount >= 0 else tuple(reversed(SECTIONS))
    for section in order:
        already = paid_on_claim.section(section)
        room = max(_payable(result, section) - already, 0) if amount >= 0 else already
        take = min(left, room)
        if take <= 0:
            continue
        if amount >= 0:
            by_section[section] = take
            for code, part in _items(result, section, already, already + take, items).items():
                by_item[code] = by_item.get(code, 0) + part
        else:
            by_section[section] = -take
            for code, part in _taken_back(result, paid_on_claim, section, take, items).items():
                by_item[code] = by_item.get(code, 0) - part
        left -= take
    if left:  # cannot happen when the checks above hold; never attribute less than the amount
        raise ValueError(f"{left} yen of {amount} could not be attributed to a section")
    return Paid(
        expense=by_section.get("expense", 0),
        liability=by_section.get("liability", 0),
        bi=by_section.get("bi", 0),
        sublimits=MappingProxyType(by_item),
    )
