"""Claim calculation (保険金の算定): orchestrate the rules in the order of product.md §3.6.

1. policy in force at each section's trigger (16:00 JST, cancellation/lapse, retroactive date);
2. map each cost line to an item and drop excluded lines with their code (§3.7);
3. per-item rules (condolence caps, sublimits net of earlier use);
4. one deductible per accident on expense + liability, expense first;
5. each section capped at what is left of its annual limit;
6. business interruption separately (§3.4);
7. every step written into the worksheet with its clause.

A normal "not covered" is a reason code in the result, never an exception.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

from mamori.claims import rules
from mamori.claims.document import ClaimDocument
from mamori.claims.result import BIResult, ClaimResult, LineResult, SectionResult, Step
from mamori.claims.terms import CoverageTerms
from mamori.support import deadlines, service

__all__ = ["calculate"]

OUTSIDE: Final = "X_OUTSIDE_PERIOD"
NOT_PURCHASED: Final = "X_NOT_PURCHASED"
NO_TRIGGER: Final = "X_NO_TRIGGER"
TERRITORY: Final = "X_TERRITORY"
CULPRIT: Final = "X_CULPRIT"
BETTERMENT: Final = "X_BETTERMENT"
CONTRACTUAL: Final = "X_CONTRACTUAL"


def _clause(terms: CoverageTerms, step: str) -> str:
    return terms.steps[step].clause


def calculate(doc: ClaimDocument) -> ClaimResult:
    """Calculate a validated claim document; the result carries the worksheet and every reason code."""
    t = doc.terms
    product = doc.product
    policy = doc.policy
    inc = doc.incident
    prior = doc.prior
    steps: list[Step] = []
    exclusions: dict[str, None] = {}  # ordered set of codes that removed money or the claim

    # --- 1. policy period (§1, §3.6-1) --------------------------------------------------------
    start_at = product.term_start_at(policy.start_date)
    end_at = product.term_end_at(policy.start_date)
    cover_start, cover_end = rules.cover_window(start_at, end_at, policy.status, policy.ended_at)
    steps.append(
        Step("policy_period", _clause(t, "policy_period"), None, None, None, None, None,
             {"start_at": start_at, "end_at": end_at})
    )  # fmt: skip
    if cover_end < end_at:
        steps.append(
            Step("policy_ended", _clause(t, "policy_ended"), None, None, None, None, None,
                 {"ended_at": cover_end, "status": policy.status})
        )  # fmt: skip

    facts = {
        "culprit_director": inc.culprit == "director",
        "state_backed": inc.state_backed,
        "known_before_first_policy": inc.known_before_first_policy,
    }
    whole = rules.whole_claim_exclusions((facts[fact], code) for fact, code in t.whole_claim)
    for whole_code in whole:
        exclusions[whole_code] = None
        steps.append(
            Step("whole_claim", t.exclusions[whole_code].clause, None, None, None, None, None,
                 {"exclusion": whole_code})
        )  # fmt: skip

    # Section triggers: expenses at discovery; liability at the first claim (else discovery) for an
    # accident not before the retroactive date.
    sections_used = {t.items[c.item].section for c in doc.costs if c.item in t.items}
    expense_in = rules.in_period(inc.discovered_at, cover_start, cover_end)
    claim_at, by_claim = rules.liability_trigger(inc.claim_made_at, inc.discovered_at)
    liability_in = rules.in_period(claim_at, cover_start, cover_end)
    retro_at = product.term_start_at(policy.retroactive_date)
    # Reading: with no occurrence date the discovery date is the best evidence of when it occurred.
    occurred_at = inc.occurred_at or inc.discovered_at
    retro_ok = rules.not_before_retroactive(occurred_at, retro_at)
    section_code: dict[str, str | None] = {
        "expense": None if expense_in else OUTSIDE,
        "liability": None if liability_in and retro_ok else OUTSIDE,
    }
    if not whole:
        if "expense" in sections_used:
            steps.append(_trigger_step(t, "expense", "discovery", inc.discovered_at, expense_in))
        if "liability" in sections_used:
            trig = "claim" if by_claim else "claim_by_discovery"
            steps.append(_trigger_step(t, "liability", trig, claim_at, liability_in))
            if liability_in and not retro_ok:
                steps.append(
                    Step("retroactive_out", _clause(t, "retroactive_out"), "liability", None, None, None, None,
                         {"section": "liability", "at": occurred_at, "retro_at": retro_at})
                )  # fmt: skip

    # --- 2.-3. cost lines: exclusions, per-item caps and sublimits (§3.6-2, §3.6-3) ------------
    never = t.never_exclusion
    sub_used = dict(prior.sublimits)
    covered_by_section = {"expense": 0, "liability": 0}
    lines: list[LineResult] = []
    for cost in doc.costs:
        item = t.items.get(cost.item)
        claimed = cost.amount
        code: str | None
        if whole:
            code = whole[0]
        elif item is None:
            code = rules.never_covered_exclusion(cost.item, never)
        elif cost.bearer == "culprit":
            code = CULPRIT
        elif item.rider is not None and not getattr(policy, t.riders[item.rider].policy_flag):
            code = NOT_PURCHASED
        elif section_code[item.section] is not None:
            code = section_code[item.section]
        elif not rules.item_triggered(inc.accident_types, inc.attack_confirmed, item.any_types, item.confirmed_types):
            code = NO_TRIGGER
        elif item.rider is not None and inc.country not in t.riders[item.rider].territory:
            code = TERRITORY
        else:
            code = None
        section = None if item is None else item.section
        if code is not None:
            # The whole line is removed.
            steps.append(
                Step("line_excluded", t.exclusions[code].clause, section, cost.id, claimed, 0, claimed,
                     {"line": cost.id, "item": cost.item, "claimed": claimed, "exclusion": code})
            )  # fmt: skip
            if claimed > 0 or code in whole:
                exclusions[code] = None
            lines.append(LineResult(cost.id, cost.item, section, claimed, 0, code, (code,) if claimed else ()))
            continue
        assert item is not None  # noqa: S101 - a line with no item always has an exclusion code
        steps.append(
            Step("line_covered", item.clause, section, cost.id, claimed, claimed, claimed,
                 {"line": cost.id, "item": cost.item, "claimed": claimed})
        )  # fmt: skip
        amount = claimed
        removed_by: list[str] = []
        for part_code, part in ((BETTERMENT, cost.betterment), (CONTRACTUAL, cost.contractual_excess)):
            if part <= 0:
                continue
            left, removed = rules.remove_part(amount, part)
            steps.append(
                Step("line_part_excluded", t.exclusions[part_code].clause, section, cost.id, amount, left, removed,
                     {"line": cost.id, "item": cost.item, "exclusion": part_code, "amount": removed})
            )  # fmt: skip
            amount = left
            if removed:
                removed_by.append(part_code)
                exclusions[part_code] = None
        if item.per_person_cap is not None and item.per_business_cap is not None:
            # Reading: the counts of the line (who received condolence), else the incident's counts.
            persons = inc.affected_persons if cost.persons is None else cost.persons
            businesses = inc.affected_businesses if cost.businesses is None else cost.businesses
            cap = rules.condolence_cap(persons, businesses, item.per_person_cap, item.per_business_cap)
            capped = rules.apply_cap(amount, cap)
            steps.append(
                Step("condolence_cap", _clause(t, "condolence_cap"), section, cost.id, amount, capped, cap,
                     {"line": cost.id, "item": cost.item, "per_person": item.per_person_cap, "persons": persons,
                      "per_business": item.per_business_cap, "businesses": businesses, "amount": cap})
            )  # fmt: skip
            amount = capped
        sublimit = _sublimit(item.sublimit_amount, item.sublimit_share, policy.expense_limit)
        if sublimit is not None:
            used = sub_used.get(item.code, 0)
            left_cap = rules.remaining(sublimit, used)
            capped = rules.apply_cap(amount, left_cap)
            steps.append(
                Step("sublimit", _clause(t, "sublimit"), section, cost.id, amount, capped, left_cap,
                     {"line": cost.id, "item": cost.item, "sublimit": sublimit, "used": used, "amount": left_cap})
            )  # fmt: skip
            # Later lines of the same item share what is left of the sublimit.
            sub_used[item.code] = used + capped
            amount = capped
        covered_by_section[item.section] += amount
        lines.append(
            LineResult(cost.id, cost.item, section, claimed, amount, removed_by[0] if removed_by else None,
                       tuple(removed_by))
        )  # fmt: skip

    # --- 4.-5. deductible and annual limits (§3.6-4, §3.6-5) -------------------------------------
    ded_sections = t.deductible_sections
    parts = rules.split_deductible(policy.deductible, (covered_by_section[s] for s in ded_sections))
    ded_by_section = dict(zip(ded_sections, parts, strict=True))
    results: dict[str, SectionResult] = {}
    for name, limit, paid in (
        ("expense", policy.expense_limit, prior.expense),
        ("liability", policy.liability_limit, prior.liability),
    ):
        covered = covered_by_section[name]
        ded = ded_by_section.get(name, 0)
        left = rules.remaining(limit, paid)
        payable = rules.apply_cap(covered - ded, left)
        if name in sections_used:
            steps.append(
                Step("section_covered", _clause(t, "section_covered"), name, None, None, covered, covered,
                     {"section": name, "amount": covered})
            )  # fmt: skip
            if name in ded_sections:
                steps.append(
                    Step("deductible", t.deductible_clause, name, None, covered, covered - ded, ded,
                         {"section": name, "deductible": policy.deductible, "amount": ded})
                )  # fmt: skip
            steps.append(
                Step("annual_limit", _clause(t, "annual_limit"), name, None, covered - ded, payable, left,
                     {"section": name, "limit": limit, "used": paid, "amount": left})
            )  # fmt: skip
        results[name] = SectionResult(covered, ded, limit, paid, payable, None if whole else section_code[name])

    # --- 6. business interruption (§3.4) ---------------------------------------------------------
    bi = _business_interruption(doc, whole, cover_start, cover_end, steps)
    if bi.exclusion is not None:
        exclusions[bi.exclusion] = None

    total = results["expense"].payable + results["liability"].payable + bi.payable
    steps.append(Step("total", _clause(t, "total"), None, None, None, total, total, {"amount": total}))

    # --- emergency support and regulatory deadlines (§4), whether or not insurance pays ----------
    bi_in = doc.bi is not None and policy.bi_limit > 0 and rules.in_period(doc.bi.outage_start, cover_start, cover_end)
    any_in = expense_in or (liability_in and retro_ok) or bi_in
    not_payable = whole if whole else (() if any_in else (OUTSIDE,))
    support_terms = service.load_support_terms(t.path)
    support = service.assess(
        support_terms,
        country=inc.country,
        not_payable=not_payable,
        accident_types=inc.accident_types,
        affected=inc.affected_persons > 0 or inc.affected_businesses > 0,
    )
    pd = inc.personal_data
    regulatory = deadlines.regulatory(
        deadlines.load_regulatory_terms(t.path),
        discovered_at=inc.discovered_at,
        affected_persons=inc.affected_persons,
        special_care=pd.special_care,
        financial=pd.financial,
        improper_purpose=pd.improper_purpose,
        eu_residents=pd.eu_residents,
        card_data=pd.card_data,
    )
    return ClaimResult(
        terms=t,
        support_terms=support_terms,
        policy_start_at=start_at,
        policy_end_at=end_at,
        cover_end_at=cover_end,
        lines=tuple(lines),
        expense=results["expense"],
        liability=results["liability"],
        bi=bi,
        deductible=policy.deductible,
        deductible_applied=sum(parts),
        payable_total=total,
        exclusions=tuple(exclusions),
        worksheet=tuple(steps),
        support=support,
        regulatory=regulatory,
    )


def _sublimit(amount: int | None, share: Decimal | None, expense_limit: int) -> int | None:
    if amount is not None:
        return amount
    if share is not None:
        return rules.share_of(expense_limit, share)
    return None


def _trigger_step(t: CoverageTerms, section: str, trigger: str, at: dt.datetime, inside: bool) -> Step:
    name = "trigger_in" if inside else "trigger_out"
    return Step(name, _clause(t, name), section, None, None, None, None,
                {"section": section, "trigger": trigger, "at": at})  # fmt: skip


def _business_interruption(
    doc: ClaimDocument, whole: tuple[str, ...], cover_start: dt.datetime, cover_end: dt.datetime, steps: list[Step]
) -> BIResult:
    t = doc.terms
    policy = doc.policy
    limit = policy.bi_limit
    paid = doc.prior.bi
    b = doc.bi
    if b is None:
        return BIResult(False, 0, 0, limit, paid, None, None, None, 0, 0, 0, None)

    def excluded(code: str) -> BIResult:
        if code not in whole:
            steps.append(
                Step("section_excluded", t.exclusions[code].clause, "bi", None, None, 0, 0,
                     {"section": "bi", "exclusion": code})
            )  # fmt: skip
        return BIResult(True, 0, 0, limit, paid, code, None, None, 0, 0, 0, None)

    if whole:
        return excluded(whole[0])
    if limit <= 0:
        return excluded(NOT_PURCHASED)
    inside = rules.in_period(b.outage_start, cover_start, cover_end)
    steps.append(_trigger_step(t, "bi", "outage", b.outage_start, inside))
    if not inside:
        return BIResult(True, 0, 0, limit, paid, OUTSIDE, None, None, 0, 0, 0, None)
    inc = doc.incident
    if not rules.item_triggered(inc.accident_types, inc.attack_confirmed, t.bi.any_types, t.bi.confirmed_types):
        return excluded(NO_TRIGGER)

    hours = Decimal((b.outage_end - b.outage_start).total_seconds()) / 3600
    shown_hours = hours.quantize(Decimal("0.01")).normalize()
    waiting = t.bi.waiting_hours
    # The waiting period is a term of cover, not an exclusion: no code is added.
    if not rules.outage_exceeds_waiting(b.outage_start, b.outage_end, waiting):
        steps.append(
            Step("bi_waiting_short", t.bi.clause, "bi", None, None, 0, 0,
                 {"section": "bi", "hours": f"{shown_hours:f}", "waiting": waiting})
        )  # fmt: skip
        steps.append(_bi_limit_step(t, 0, 0, limit, paid))
        return BIResult(True, 0, 0, limit, paid, None, False, None, 0, 0, 0, None)
    steps.append(
        Step("bi_waiting_passed", t.bi.clause, "bi", None, None, None, None,
             {"section": "bi", "hours": f"{shown_hours:f}", "waiting": waiting})
    )  # fmt: skip
    indemnity_end = rules.indemnity_end(b.outage_start, t.bi.indemnity_months)
    steps.append(
        Step("bi_indemnity", t.bi.clause, "bi", None, None, None, None,
             {"section": "bi", "start_at": b.outage_start, "end_at": indemnity_end,
              "months": t.bi.indemnity_months})
    )  # fmt: skip
    rate = rules.profit_rate(b.operating_profit, b.fixed_costs, b.fiscal_revenue)
    steps.append(
        Step("bi_profit_rate", t.bi.clause, "bi", None, None, None, None,
             {"operating_profit": b.operating_profit, "fixed_costs": b.fixed_costs,
              "fiscal_revenue": b.fiscal_revenue, "rate": _show_rate(rate)})
    )  # fmt: skip
    lost = rules.lost_profit(b.standard_revenue, b.actual_revenue, rate, b.saved_fixed_costs)
    steps.append(
        Step("bi_lost_profit", t.bi.clause, "bi", None, None, None, lost,
             {"standard_revenue": b.standard_revenue, "actual_revenue": b.actual_revenue,
              "saved_fixed_costs": b.saved_fixed_costs, "amount": lost})
    )  # fmt: skip
    prevention, prevention_cap = rules.prevention_expense(b.prevention_spent, b.revenue_loss_avoided, rate)
    steps.append(
        Step("bi_prevention", t.bi.clause, "bi", None, None, None, prevention,
             {"prevention_spent": b.prevention_spent, "revenue_loss_avoided": b.revenue_loss_avoided,
              "cap": prevention_cap, "amount": prevention})
    )  # fmt: skip
    continuation = rules.continuation_expense(b.continuation_spent, b.costs_avoided, prevention)
    steps.append(
        Step("bi_continuation", t.bi.clause, "bi", None, None, None, continuation,
             {"continuation_spent": b.continuation_spent, "costs_avoided": b.costs_avoided,
              "prevention": prevention, "amount": continuation})
    )  # fmt: skip
    covered = lost + prevention + continuation
    steps.append(
        Step("bi_covered", t.bi.clause, "bi", None, None, covered, covered, {"section": "bi", "amount": covered})
    )
    left = rules.remaining(limit, paid)
    payable = rules.apply_cap(covered, left)
    steps.append(_bi_limit_step(t, covered, payable, limit, paid))
    return BIResult(True, covered, payable, limit, paid, None, True, rate, lost, prevention, continuation,
                    indemnity_end)  # fmt: skip


def _bi_limit_step(t: CoverageTerms, covered: int, payable: int, limit: int, paid: int) -> Step:
    left = rules.remaining(limit, paid)
    return Step("annual_limit", _clause(t, "annual_limit"), "bi", None, covered, payable, left,
                {"section": "bi", "limit": limit, "used": paid, "amount": left})  # fmt: skip


def _show_rate(rate: Decimal) -> str:
    # Shown to six decimals; the calculation keeps the full-precision Decimal.
    return f"{rate.quantize(Decimal('0.000001')):f}"
