"""Claim calculation (保険金の算定) as a pipeline of named steps, in the order of product.md §3.6.

:func:`calculate` runs :data:`STEPS` over a small working state, each step one part of §3.6:

1. ``period`` — the policy period (16:00 in the product's time zone) cut short by a cancellation or lapse;
2. ``whole_claim`` — exclusions that remove every amount (intent, war, prior knowledge);
3. ``section_triggers`` — each section's trigger instant in the period, its retroactive date and
   whether it was bought, all read from ``[sections.*]`` of the product's coverage terms;
4. ``cost_lines`` — each line mapped to its item, excluded with its code, part-excluded, capped
   (condolence) and held to sublimits net of earlier use;
5. ``deductible`` — one per accident, taken from the sections of ``[deductible] sections`` in order;
6. ``annual_limits`` — each section at most what is left of its annual limit (the policy field that
   ``[sections.*] limit`` names);
7. ``business_interruption`` — separately (§3.4): waiting period, indemnity period, profit rate;
8. ``total``;
9. ``emergency_support`` and ``regulatory`` (§4), whether or not the insurance pays.

Every step writes its worksheet lines (codes and values; texts are filled when the answer is shown). A
normal "not covered" is a reason code in the result, never an exception. The rules themselves are the
pure functions of :mod:`mamori.claims.rules`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, NamedTuple

from mamori.catalog import ProductVersion
from mamori.catalog.coverage import POLICY_LIMIT_FIELDS, CoverageTerms, Item
from mamori.claims import rules
from mamori.claims.document import Claim
from mamori.claims.result import BIResult, ClaimResult, LineResult, SectionResult, Step
from mamori.claims.schema import BusinessInterruption, Cost
from mamori.support import deadlines, service

__all__ = ["STEPS", "calculate"]

OUTSIDE: Final = "X_OUTSIDE_PERIOD"
NOT_PURCHASED: Final = "X_NOT_PURCHASED"
NO_TRIGGER: Final = "X_NO_TRIGGER"
TERRITORY: Final = "X_TERRITORY"
CULPRIT: Final = "X_CULPRIT"
BETTERMENT: Final = "X_BETTERMENT"
CONTRACTUAL: Final = "X_CONTRACTUAL"
#: The section calculated on its own (§3.4); every other section holds cost items.
BI: Final = "bi"
#: Steps, lines, sections and triggers are named tuples built from a plain tuple of every field, in the
#: order the class declares them: ``_new(Step, (step, clause, section, line, before, after, amount,
#: params))``. Building by keyword costs three times as much, and a batch builds millions of them.
_new: Final = tuple.__new__


def _note(step: str, clause: str, section: str | None, params: Mapping[str, Any]) -> Step:
    """A worksheet step with no figures: its code, clause, section and the parameters of its text."""
    return _new(Step, (step, clause, section, None, None, None, None, params))


class Trigger(NamedTuple):
    """Whether a section is triggered: its instant, how it is named, and the code when it is not."""

    section: str
    at: dt.datetime | None  # None: the document gives no such instant (no outage)
    word: str  # discovery | claim | claim_by_discovery | outage
    purchased: bool
    inside: bool  # the instant falls within the period of cover
    retroactive_ok: bool  # the accident is not before the retroactive date (or the section has none)
    code: str | None  # the exclusion code when the section cannot pay (see section_code), else None


def section_code(*, purchased: bool, has_instant: bool, inside: bool, retroactive_ok: bool) -> str | None:
    """Why a section cannot pay: not bought, no trigger instant, or outside the period (or before the
    retroactive date, which the spec words as outside the period); None when it is triggered."""
    if not purchased:
        return NOT_PURCHASED
    if not has_instant:
        return NO_TRIGGER
    if not (inside and retroactive_ok):
        return OUTSIDE
    return None


@dataclass(slots=True)
class State:
    """What the steps of one calculation share; each step reads what earlier steps wrote."""

    claim: Claim
    terms: CoverageTerms
    limits: dict[str, int]  # policy limit field → amount
    worksheet: list[Step] = field(default_factory=list)
    exclusions: dict[str, None] = field(default_factory=dict)  # ordered set of codes that removed money
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    cover_start: dt.datetime | None = None
    cover_end: dt.datetime | None = None
    whole: tuple[str, ...] = ()
    triggers: dict[str, Trigger] = field(default_factory=dict)
    sections_used: set[str] = field(default_factory=set)  # sections with at least one coverage-item line
    lines: list[LineResult] = field(default_factory=list)
    covered: dict[str, int] = field(default_factory=dict)  # section → covered amount before deductible
    deductible: dict[str, int] = field(default_factory=dict)  # section → part of the deductible taken
    sections: dict[str, SectionResult] = field(default_factory=dict)
    bi: BIResult | None = None
    total: int = 0
    support: service.Support | None = None
    regulatory: deadlines.Regulatory | None = None

    def clause(self, step: str) -> str:
        return self.terms.steps[step].clause

    def window(self) -> tuple[dt.datetime, dt.datetime]:
        assert self.cover_start is not None and self.cover_end is not None  # noqa: S101 - set by `period`
        return self.cover_start, self.cover_end


# --------------------------------------------------------------------------- 1. period (§1, §3.6-1)


@functools.lru_cache(maxsize=4096)
def _term(version: ProductVersion, start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants a term starting on ``start`` starts and ends (kept: a batch's policies share dates)."""
    return version.term_start_at(start), version.term_end_at(start)


@functools.lru_cache(maxsize=4096)
def _term_start(version: ProductVersion, day: dt.date) -> dt.datetime:
    """The instant cover would start on ``day`` (the retroactive date's instant), kept like :func:`_term`."""
    return version.term_start_at(day)


def period(s: State) -> None:
    policy = s.claim.policy
    version = s.claim.version
    s.start_at, s.end_at = _term(version, policy.start_date)
    s.cover_start, s.cover_end = rules.cover_window(s.start_at, s.end_at, policy.status, policy.ended_at)
    s.worksheet.append(
        _note("policy_period", s.clause("policy_period"), None, {"start_at": s.start_at, "end_at": s.end_at})
    )
    if s.cover_end < s.end_at:
        params = {"ended_at": s.cover_end, "status": policy.status}
        s.worksheet.append(_note("policy_ended", s.clause("policy_ended"), None, params))


# ---------------------------------------------------------------------------- 2. whole-claim (§3.7)


def whole_claim(s: State) -> None:
    incident = s.claim.incident
    facts = {
        "culprit_director": incident.culprit == "director",
        "state_backed": incident.state_backed,
        "known_before_first_policy": incident.known_before_first_policy,
    }
    s.whole = rules.whole_claim_exclusions((facts[fact], code) for fact, code in s.terms.whole_claim)
    for code in s.whole:
        s.exclusions[code] = None
        s.worksheet.append(_note("whole_claim", s.terms.exclusions[code].clause, None, {"exclusion": code}))


# ----------------------------------------------------------------------- 3. section triggers (§3.1)


def section_triggers(s: State) -> None:
    claim = s.claim
    incident = claim.incident
    cover_start, cover_end = s.window()
    retro_at = _term_start(claim.version, claim.retroactive_date)
    # Reading: with no occurrence date the discovery date is the best evidence of when it occurred.
    occurred_at = incident.occurred_at or incident.discovered_at
    outage_start = None if claim.bi is None else claim.bi.outage_start
    for code, section in s.terms.sections.items():
        at, word = rules.trigger_instant(
            section.trigger,
            discovered_at=incident.discovered_at,
            claim_made_at=incident.claim_made_at,
            outage_start=outage_start,
        )
        purchased = rules.purchased(section.optional, s.terms.section_limit(code, s.limits))
        inside = at is not None and rules.in_period(at, cover_start, cover_end)
        retro_ok = not section.retroactive or rules.not_before_retroactive(occurred_at, retro_at)
        s.triggers[code] = _new(
            Trigger,
            (
                code,
                at,
                word,
                purchased,
                inside,
                retro_ok,
                section_code(purchased=purchased, has_instant=at is not None, inside=inside, retroactive_ok=retro_ok),
            ),
        )
    items = s.terms.items
    s.sections_used = {items[c.item].section for c in claim.costs if c.item in items}
    if s.whole:
        return
    for code in s.terms.sections:
        if code in s.sections_used:
            _write_trigger(s, s.triggers[code], occurred_at, retro_at)


def _write_trigger(s: State, trigger: Trigger, occurred_at: dt.datetime, retro_at: dt.datetime) -> None:
    section = trigger.section
    if not trigger.purchased or trigger.at is None:
        code = trigger.code
        assert code is not None  # noqa: S101 - not purchased, or no instant: a code
        params: dict[str, Any] = {"section": section, "exclusion": code}
        s.worksheet.append(_note("section_excluded", s.terms.exclusions[code].clause, section, params))
        return
    name = "trigger_in" if trigger.inside else "trigger_out"
    params = {"section": section, "trigger": trigger.word, "at": trigger.at}
    s.worksheet.append(_note(name, s.clause(name), section, params))
    if trigger.inside and not trigger.retroactive_ok:
        params = {"section": section, "at": occurred_at, "retro_at": retro_at}
        s.worksheet.append(_note("retroactive_out", s.clause("retroactive_out"), section, params))


# -------------------------------------------------------- 4. cost lines (§3.6-2, §3.6-3, §3.7)


def _line_exclusion(s: State, cost: Cost, item: Item | None) -> str | None:
    """The code that removes a whole line, first that applies (docs/spec-readings.md), else None:
    whole-claim, never-covered kind, culprit, not purchased, outside the period, no trigger, territory."""
    if s.whole:
        return s.whole[0]
    if item is None:
        return rules.never_covered_exclusion(cost.item, s.terms.never_exclusion)
    if cost.bearer == "culprit":
        return CULPRIT
    return _cover_exclusion(s, item)


def _cover_exclusion(s: State, item: Item) -> str | None:
    rider = None if item.rider is None else s.terms.riders[item.rider]
    if rider is not None and not getattr(s.claim.policy, rider.policy_flag):
        return NOT_PURCHASED
    section_code = s.triggers[item.section].code
    if section_code is not None:
        return section_code
    incident = s.claim.incident
    if not rules.item_triggered(
        incident.accident_types, incident.attack_confirmed, item.any_types, item.confirmed_types
    ):
        return NO_TRIGGER
    if rider is not None and incident.country not in rider.territory:
        return TERRITORY
    return None


def cost_lines(s: State) -> None:
    terms = s.terms
    sub_used = dict(s.claim.prior.sublimits)  # what earlier lines and claims used of each sublimit
    s.covered = {code: 0 for code in terms.sections if code != BI}
    for cost in s.claim.costs:
        item = terms.items.get(cost.item)
        code = _line_exclusion(s, cost, item)
        if code is None and item is not None:
            s.covered[item.section] += _covered_line(s, cost, item, sub_used)
        else:
            assert code is not None  # noqa: S101 - a line with no item always has an exclusion code
            _excluded_line(s, cost, None if item is None else item.section, code)
    for code, covered in s.covered.items():
        if code in s.sections_used:
            params = {"section": code, "amount": covered}
            s.worksheet.append(
                _new(Step, ("section_covered", s.clause("section_covered"), code, None, None, covered, covered, params))
            )


def _excluded_line(s: State, cost: Cost, section: str | None, code: str) -> None:
    """The whole line is removed with its code."""
    claimed = cost.amount
    params = {"line": cost.id, "item": cost.item, "claimed": claimed, "exclusion": code}
    s.worksheet.append(
        _new(Step, ("line_excluded", s.terms.exclusions[code].clause, section, cost.id, claimed, 0, claimed, params))
    )
    if claimed > 0 or code in s.whole:
        s.exclusions[code] = None
    s.lines.append(_new(LineResult, (cost.id, cost.item, section, claimed, 0, code, (code,) if claimed else ())))


def _covered_line(s: State, cost: Cost, item: Item, sub_used: dict[str, int]) -> int:
    """A covered line: excluded parts removed, then its caps and sublimit; the amount covered."""
    claimed = amount = cost.amount
    section = item.section
    params: dict[str, Any] = {"line": cost.id, "item": cost.item, "claimed": claimed}
    s.worksheet.append(_new(Step, ("line_covered", item.clause, section, cost.id, claimed, claimed, claimed, params)))
    removed_by: list[str] = []
    for part_code, part in ((BETTERMENT, cost.betterment), (CONTRACTUAL, cost.contractual_excess)):
        if part <= 0:
            continue
        left, removed = rules.remove_part(amount, part)
        params = {"line": cost.id, "item": cost.item, "exclusion": part_code, "amount": removed}
        s.worksheet.append(
            _new(
                Step,
                (
                    "line_part_excluded",
                    s.terms.exclusions[part_code].clause,
                    section,
                    cost.id,
                    amount,
                    left,
                    removed,
                    params,
                ),
            )
        )
        amount = left
        if removed:
            removed_by.append(part_code)
            s.exclusions[part_code] = None
    if item.per_person_cap is not None and item.per_business_cap is not None:
        amount = _condolence_cap(s, cost, item, amount)
    sublimit = _sublimit(item.sublimit_amount, item.sublimit_share, s.claim.policy.expense_limit)
    if sublimit is not None:
        used = sub_used.get(item.code, 0)
        left_cap = rules.remaining(sublimit, used)
        capped = rules.apply_cap(amount, left_cap)
        params = {"line": cost.id, "item": cost.item, "sublimit": sublimit, "used": used, "amount": left_cap}
        s.worksheet.append(
            _new(Step, ("sublimit", s.clause("sublimit"), section, cost.id, amount, capped, left_cap, params))
        )
        sub_used[item.code] = used + capped  # later lines of the item share what is left
        amount = capped
    s.lines.append(
        _new(
            LineResult,
            (cost.id, cost.item, section, claimed, amount, removed_by[0] if removed_by else None, tuple(removed_by)),
        )
    )
    return amount


def _condolence_cap(s: State, cost: Cost, item: Item, amount: int) -> int:
    assert item.per_person_cap is not None and item.per_business_cap is not None  # noqa: S101 - checked by caller
    incident = s.claim.incident
    # Reading: the counts of the line (who received condolence), else the incident's counts.
    persons = incident.affected_persons if cost.persons is None else cost.persons
    businesses = incident.affected_businesses if cost.businesses is None else cost.businesses
    cap = rules.condolence_cap(persons, businesses, item.per_person_cap, item.per_business_cap)
    capped = rules.apply_cap(amount, cap)
    params = {"line": cost.id, "item": cost.item, "per_person": item.per_person_cap, "persons": persons,
              "per_business": item.per_business_cap, "businesses": businesses, "amount": cap}  # fmt: skip
    s.worksheet.append(
        _new(Step, ("condolence_cap", s.clause("condolence_cap"), item.section, cost.id, amount, capped, cap, params))
    )
    return capped


def _sublimit(amount: int | None, share: Decimal | None, expense_limit: int) -> int | None:
    if amount is not None:
        return amount
    if share is not None:
        return rules.share_of(expense_limit, share)
    return None


# ------------------------------------------------------------------------------ 5. deductible (§3.6-4)


def deductible(s: State) -> None:
    order = s.terms.deductible_sections
    amount = s.claim.policy.deductible
    parts = rules.split_deductible(amount, (s.covered[code] for code in order))
    s.deductible = dict(zip(order, parts, strict=True))
    for code, part in s.deductible.items():
        if code in s.sections_used:
            covered = s.covered[code]
            s.worksheet.append(
                _new(
                    Step,
                    (
                        "deductible",
                        s.terms.deductible_clause,
                        code,
                        None,
                        covered,
                        covered - part,
                        part,
                        {"section": code, "deductible": amount, "amount": part},
                    ),
                )
            )


# ------------------------------------------------------------------------- 6. annual limits (§3.6-5)


def annual_limits(s: State) -> None:
    prior = s.claim.prior
    for code, covered in s.covered.items():
        part = s.deductible.get(code, 0)
        limit = s.terms.section_limit(code, s.limits)
        paid: int = getattr(prior, code)
        left = rules.remaining(limit, paid)
        payable = rules.apply_cap(covered - part, left)
        if code in s.sections_used:
            s.worksheet.append(
                _new(
                    Step,
                    (
                        "annual_limit",
                        s.clause("annual_limit"),
                        code,
                        None,
                        covered - part,
                        payable,
                        left,
                        {"section": code, "limit": limit, "used": paid, "amount": left},
                    ),
                )
            )
        s.sections[code] = _new(
            SectionResult, (covered, part, limit, paid, payable, None if s.whole else s.triggers[code].code)
        )


# ------------------------------------------------------------------ 7. business interruption (§3.4)


def business_interruption(s: State) -> None:
    s.bi = _business_interruption(s)
    if s.bi.exclusion is not None:
        s.exclusions[s.bi.exclusion] = None


def _business_interruption(s: State) -> BIResult:
    limit = s.terms.section_limit(BI, s.limits)
    paid = s.claim.prior.bi
    b = s.claim.bi
    if b is None:
        return BIResult(claimed=False, limit=limit, prior=paid)
    code = _bi_exclusion(s)
    if code is not None:
        return BIResult(claimed=True, limit=limit, prior=paid, exclusion=code)
    return _bi_amounts(s, b, limit, paid)


def _bi_exclusion(s: State) -> str | None:
    """Why business interruption pays nothing at all (a code), in the order of the cost lines; None."""
    trigger = s.triggers[BI]
    if s.whole or not trigger.purchased:
        return _bi_excluded(s, s.whole[0] if s.whole else NOT_PURCHASED)
    incident = s.claim.incident
    occurred_at = incident.occurred_at or incident.discovered_at
    _write_trigger(s, trigger, occurred_at, _term_start(s.claim.version, s.claim.retroactive_date))
    if trigger.code is not None:
        return trigger.code
    bi_terms = s.terms.bi
    if not rules.item_triggered(
        incident.accident_types, incident.attack_confirmed, bi_terms.any_types, bi_terms.confirmed_types
    ):
        return _bi_excluded(s, NO_TRIGGER)
    return None


def _bi_excluded(s: State, code: str) -> str:
    if code not in s.whole:  # a whole-claim exclusion is written once, at the top
        params = {"section": BI, "exclusion": code}
        s.worksheet.append(
            _new(Step, ("section_excluded", s.terms.exclusions[code].clause, BI, None, None, 0, 0, params))
        )
    return code


def _bi_amounts(s: State, b: BusinessInterruption, limit: int, paid: int) -> BIResult:
    """Waiting period, indemnity period, profit rate, lost profit, prevention and continuation (§3.4)."""
    terms = s.terms
    hours = Decimal((b.outage_end - b.outage_start).total_seconds()) / 3600
    shown_hours = f"{hours.quantize(Decimal('0.01')).normalize():f}"
    waiting = terms.bi.waiting_hours
    clause = terms.bi.clause
    # The waiting period is a term of cover, not an exclusion: no code is added.
    if not rules.outage_exceeds_waiting(b.outage_start, b.outage_end, waiting):
        s.worksheet.append(
            _new(
                Step,
                (
                    "bi_waiting_short",
                    clause,
                    BI,
                    None,
                    None,
                    0,
                    0,
                    {"section": BI, "hours": shown_hours, "waiting": waiting},
                ),
            )
        )
        _write_bi_limit(s, 0, 0, limit, paid)
        return BIResult(claimed=True, limit=limit, prior=paid, waiting_period_passed=False)
    s.worksheet.append(
        _note("bi_waiting_passed", clause, BI, {"section": BI, "hours": shown_hours, "waiting": waiting})
    )
    indemnity_end = rules.indemnity_end(b.outage_start, terms.bi.indemnity_months)
    s.worksheet.append(
        _note(
            "bi_indemnity",
            clause,
            BI,
            {
                "section": BI,
                "start_at": b.outage_start,
                "end_at": indemnity_end,
                "months": terms.bi.indemnity_months,
            },
        )
    )
    rate = rules.profit_rate(b.operating_profit, b.fixed_costs, b.fiscal_revenue)
    s.worksheet.append(
        _note(
            "bi_profit_rate",
            clause,
            BI,
            {
                "operating_profit": b.operating_profit,
                "fixed_costs": b.fixed_costs,
                "fiscal_revenue": b.fiscal_revenue,
                "rate": _show_rate(rate),
            },
        )
    )
    lost = rules.lost_profit(b.standard_revenue, b.actual_revenue, rate, b.saved_fixed_costs)
    s.worksheet.append(
        _new(
            Step,
            (
                "bi_lost_profit",
                clause,
                BI,
                None,
                None,
                None,
                lost,
                {
                    "standard_revenue": b.standard_revenue,
                    "actual_revenue": b.actual_revenue,
                    "saved_fixed_costs": b.saved_fixed_costs,
                    "amount": lost,
                },
            ),
        )
    )
    prevention, prevention_cap = rules.prevention_expense(b.prevention_spent, b.revenue_loss_avoided, rate)
    s.worksheet.append(
        _new(
            Step,
            (
                "bi_prevention",
                clause,
                BI,
                None,
                None,
                None,
                prevention,
                {
                    "prevention_spent": b.prevention_spent,
                    "revenue_loss_avoided": b.revenue_loss_avoided,
                    "cap": prevention_cap,
                    "amount": prevention,
                },
            ),
        )
    )
    continuation = rules.continuation_expense(b.continuation_spent, b.costs_avoided, prevention)
    s.worksheet.append(
        _new(
            Step,
            (
                "bi_continuation",
                clause,
                BI,
                None,
                None,
                None,
                continuation,
                {
                    "continuation_spent": b.continuation_spent,
                    "costs_avoided": b.costs_avoided,
                    "prevention": prevention,
                    "amount": continuation,
                },
            ),
        )
    )
    covered = lost + prevention + continuation
    s.worksheet.append(
        _new(Step, ("bi_covered", clause, BI, None, None, covered, covered, {"section": BI, "amount": covered}))
    )
    payable = rules.apply_cap(covered, rules.remaining(limit, paid))
    _write_bi_limit(s, covered, payable, limit, paid)
    return BIResult(
        claimed=True,
        covered=covered,
        payable=payable,
        limit=limit,
        prior=paid,
        waiting_period_passed=True,
        profit_rate=rate,
        lost_profit=lost,
        prevention=prevention,
        continuation=continuation,
        indemnity_end_at=indemnity_end,
    )


def _write_bi_limit(s: State, covered: int, payable: int, limit: int, paid: int) -> None:
    left = rules.remaining(limit, paid)
    s.worksheet.append(
        _new(
            Step,
            (
                "annual_limit",
                s.clause("annual_limit"),
                BI,
                None,
                covered,
                payable,
                left,
                {"section": BI, "limit": limit, "used": paid, "amount": left},
            ),
        )
    )


def _show_rate(rate: Decimal) -> str:
    # Shown to six decimals; the calculation keeps the full-precision Decimal.
    return f"{rate.quantize(Decimal('0.000001')):f}"


# ------------------------------------------------------------------------------------ 8. total


def total(s: State) -> None:
    assert s.bi is not None  # noqa: S101 - set by `business_interruption`
    s.total = sum(section.payable for section in s.sections.values()) + s.bi.payable
    s.worksheet.append(_new(Step, ("total", s.clause("total"), None, None, None, None, s.total, {"amount": s.total})))


# ------------------------------------------------------------- 9. emergency support, regulatory (§4)


def emergency_support(s: State) -> None:
    incident = s.claim.incident
    # "An incident the insurance can pay for": no whole-claim exclusion and a section triggered.
    any_in = any(trigger.code is None for trigger in s.triggers.values())
    not_payable = s.whole if s.whole else (() if any_in else (OUTSIDE,))
    affected = incident.affected_persons > 0 or incident.affected_businesses > 0
    s.support = _support(s.claim.version, incident.country, not_payable, incident.accident_types, affected)


@functools.lru_cache(maxsize=1024)
def _support(
    version: ProductVersion, country: str, not_payable: tuple[str, ...], accident_types: frozenset[str], affected: bool
) -> service.Support:
    """The service's answer for these facts (kept: a batch has few combinations; the answer is immutable)."""
    return service.assess(
        version.support,
        country=country,
        not_payable=not_payable,
        accident_types=accident_types,
        affected=affected,
    )


def regulatory(s: State) -> None:
    incident = s.claim.incident
    s.regulatory = deadlines.regulatory(
        s.claim.version.regulatory,
        tz=s.claim.version.tz,
        discovered_at=incident.discovered_at,
        affected_persons=incident.affected_persons,
        data=s.claim.personal_data,
    )


#: The steps of a calculation, in order.
STEPS: Final[tuple[Callable[[State], None], ...]] = (
    period,
    whole_claim,
    section_triggers,
    cost_lines,
    deductible,
    annual_limits,
    business_interruption,
    total,
    emergency_support,
    regulatory,
)


def calculate(claim: Claim) -> ClaimResult:
    """Calculate a validated claim; the result carries the worksheet and every reason code."""
    policy = claim.policy
    s = State(
        claim=claim, terms=claim.version.coverage, limits={name: getattr(policy, name) for name in POLICY_LIMIT_FIELDS}
    )
    for step in STEPS:
        step(s)
    assert s.start_at is not None and s.end_at is not None and s.cover_end is not None  # noqa: S101 - `period`
    assert s.bi is not None and s.support is not None and s.regulatory is not None  # noqa: S101 - their steps
    return ClaimResult(
        version=claim.version,
        policy_start_at=s.start_at,
        policy_end_at=s.end_at,
        cover_end_at=s.cover_end,
        lines=tuple(s.lines),
        expense=s.sections["expense"],
        liability=s.sections["liability"],
        bi=s.bi,
        deductible=policy.deductible,
        deductible_applied=sum(s.deductible.values()),
        payable_total=s.total,
        exclusions=tuple(s.exclusions),
        worksheet=tuple(s.worksheet),
        support=s.support,
        regulatory=s.regulatory,
    )
