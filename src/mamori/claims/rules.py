"""One small pure function per rule of product.md §3 (after OasisLMF's one ``calcrule`` per rule).

Each function takes plain values (yen as ``int``, rates as ``Decimal``, aware date-times) and returns
plain values; :mod:`mamori.claims.pipeline` calls them in the order of §3.6 and writes the worksheet.
None raises for a "not covered": they return ``False``, ``0`` or an exclusion code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from mamori import calendar, money

__all__ = [
    "apply_cap",
    "condolence_cap",
    "continuation_expense",
    "cover_window",
    "in_period",
    "indemnity_end",
    "item_triggered",
    "lost_profit",
    "never_covered_exclusion",
    "not_before_retroactive",
    "outage_exceeds_waiting",
    "prevention_expense",
    "profit_rate",
    "purchased",
    "remaining",
    "remove_part",
    "share_of",
    "split_deductible",
    "trigger_instant",
    "whole_claim_exclusions",
]

_ZERO = Decimal(0)
#: The rating context of :func:`mamori.money.decimal_context`, used directly for single operations
#: (entering the context manager costs more than the arithmetic).
_CONTEXT = money.CONTEXT.copy()


# ------------------------------------------------------------------------------ §1, §3.6-1 period


def cover_window(
    start_at: dt.datetime, end_at: dt.datetime, status: str, ended_at: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    """The instants cover starts and ends: the policy period, cut short by a cancellation or lapse.

    ``ended_at`` is itself the end of cover when the policy is cancelled or lapsed (brief: "ended_at is
    the end of cover"); it never extends the period.
    """
    if status != "in_force" and ended_at is not None and ended_at < end_at:
        return start_at, max(start_at, ended_at)
    return start_at, end_at


def in_period(at: dt.datetime, start_at: dt.datetime, end_at: dt.datetime) -> bool:
    """Half-open ``[start, end)``: a trigger at exactly the end instant (16:00 JST) is outside."""
    return start_at <= at < end_at


def trigger_instant(
    trigger: str,
    *,
    discovered_at: dt.datetime,
    claim_made_at: dt.datetime | None,
    outage_start: dt.datetime | None,
) -> tuple[dt.datetime | None, str]:
    """The instant that must fall in the policy period for a section, and how the worksheet names it.

    ``discovery``: the incident's discovery. ``claim`` (claims-made): the first claim against the
    insured, or discovery when no claim date is given (named ``claim_by_discovery``). ``outage``: the
    outage start, None when the document has no outage.
    """
    if trigger == "discovery":
        return discovered_at, "discovery"
    if trigger == "claim":
        return (discovered_at, "claim_by_discovery") if claim_made_at is None else (claim_made_at, "claim")
    return outage_start, "outage"


def not_before_retroactive(occurred_at: dt.datetime, retroactive_at: dt.datetime) -> bool:
    """A section with a retroactive date covers accidents on or after it (start of the first continuous policy)."""
    return occurred_at >= retroactive_at


def purchased(optional: bool, limit: int) -> bool:
    """An optional section (business interruption) exists only when bought: a limit above zero."""
    return not optional or limit > 0


# ---------------------------------------------------------------------------------- §3.7 triggers


def item_triggered(
    accident_types: frozenset[str],
    attack_confirmed: bool,
    any_types: frozenset[str],
    confirmed_types: frozenset[str],
) -> bool:
    """An item is triggered by any of ``any_types``, or by ``confirmed_types`` with the attack confirmed."""
    if not accident_types.isdisjoint(any_types):
        return True
    return attack_confirmed and not accident_types.isdisjoint(confirmed_types)


# ------------------------------------------------------------------------------- §3.7 exclusions


def whole_claim_exclusions(facts: Iterable[tuple[bool, str]]) -> tuple[str, ...]:
    """Codes of the whole-claim exclusions whose fact holds (X_INTENT, X_WAR, X_PRIOR), in order."""
    return tuple(code for holds, code in facts if holds)


def never_covered_exclusion(kind: str, never_covered: Mapping[str, str]) -> str | None:
    """The exclusion code of a never-covered cost kind (RANSOM → X_RANSOM), else None."""
    return never_covered.get(kind)


def remove_part(amount: int, part: int) -> tuple[int, int]:
    """Remove an excluded part (betterment, contractual excess): (what is left, what was removed)."""
    removed = min(max(part, 0), amount)
    return amount - removed, removed


# --------------------------------------------------------------------------- §3.2, §3.6-3 per item


def condolence_cap(persons: int, businesses: int, per_person: int, per_business: int) -> int:
    """Condolence cap: per_person × persons + per_business × businesses.

    Reading: both caps add up on one line (a line may pay persons and businesses). The products of
    integers are whole yen already, so no rounding is needed.
    """
    return per_person * max(persons, 0) + per_business * max(businesses, 0)


def share_of(limit: int, share: Decimal) -> int:
    """A sublimit written as a share of a limit (EX_PREVENTION: 10 % of E), rounded down to the yen."""
    return money.to_yen(Decimal(limit) * share, mode=money.Rounding.DOWN)


def remaining(limit: int, used: int) -> int:
    """What is left of a limit after earlier payments in the policy year; never negative."""
    return max(limit - used, 0)


def apply_cap(amount: int, cap: int) -> int:
    """The amount, not above the cap; never negative."""
    return max(min(amount, cap), 0)


# ------------------------------------------------------------------------------- §3.6-4 deductible


def split_deductible(deductible: int, covered: Iterable[int]) -> tuple[int, ...]:
    """One deductible per accident, taken from each section in turn (expense first): the part per section."""
    left = max(deductible, 0)
    parts: list[int] = []
    for amount in covered:
        part = min(left, max(amount, 0))
        parts.append(part)
        left -= part
    return tuple(parts)


# ---------------------------------------------------------------------- §3.4 business interruption


def outage_exceeds_waiting(outage_start: dt.datetime, outage_end: dt.datetime, waiting_hours: int) -> bool:
    """Waiting period (免責時間): an outage of ``waiting_hours`` or less pays nothing; longer pays in full."""
    return outage_end - outage_start > dt.timedelta(hours=waiting_hours)


def indemnity_end(outage_start: dt.datetime, months: int) -> dt.datetime:
    """End of the indemnity period: the same day-of-month ``months`` after the outage start (clipped)."""
    day = calendar.add_months(outage_start.date(), months)
    return dt.datetime.combine(day, outage_start.timetz())


def profit_rate(operating_profit: int, fixed_costs: int, fiscal_revenue: int) -> Decimal:
    """(営業利益 + 経常費) / 営業収益 of the last fiscal year; never below 0 (a Decimal, unrounded)."""
    if fiscal_revenue <= 0:
        return _ZERO
    rate = _CONTEXT.divide(_CONTEXT.add(Decimal(operating_profit), Decimal(fixed_costs)), Decimal(fiscal_revenue))
    return max(rate, _ZERO)


def _times_rate(amount: int, rate: Decimal) -> int:
    # Amounts derived by a rate are rounded down to the yen (§3.7 "Rounding of payments").
    return money.to_yen(_CONTEXT.multiply(Decimal(amount), rate), mode=money.Rounding.DOWN)


def lost_profit(standard_revenue: int, actual_revenue: int, rate: Decimal, saved_fixed_costs: int) -> int:
    """喪失利益 = max(0, (standard − actual) × rate − saved fixed costs), rounded down to the yen."""
    drop = max(standard_revenue - actual_revenue, 0)
    return max(_times_rate(drop, rate) - saved_fixed_costs, 0)


def prevention_expense(spent: int, revenue_loss_avoided: int, rate: Decimal) -> tuple[int, int]:
    """収益減少防止費用 = min(spent, avoided × rate): (the amount, the cap derived by the rate)."""
    cap = _times_rate(max(revenue_loss_avoided, 0), rate)
    return max(min(spent, cap), 0), cap


def continuation_expense(spent: int, costs_avoided: int, prevention: int) -> int:
    """営業継続費用 = max(0, spent − costs avoided − prevention expense)."""
    return max(spent - costs_avoided - prevention, 0)
