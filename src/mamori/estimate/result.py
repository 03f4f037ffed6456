"""An estimate as values: the scenario, its loss by kind, the chosen plan's payout and the plan comparison.

For every plan: the payout is the claim calculation's answer for the estimated incident, the premium is
the rating engine's quote for the business, and the uninsured remainder is the total loss less the payout
(so payout + uninsured = total loss, always).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mamori.catalog import ProductVersion
from mamori.claims.result import ClaimResult
from mamori.estimate.data import EstimateData
from mamori.estimate.losses import Assessment
from mamori.estimate.scenario import Plan, Scenario
from mamori.rating.engine import Quote

__all__ = ["SHORTLIST_ROLES", "Estimate", "PlanOutcome", "plan_grid", "shortlist"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanOutcome:
    """One plan: its quote (status, premiums), the claim calculation's answer and what stays uninsured."""

    plan: Plan
    quote: Quote
    claim: ClaimResult
    document: Mapping[str, Any]  # the claim-calculation document that was calculated
    total_loss: int

    @property
    def payable_total(self) -> int:
        return self.claim.payable_total

    @property
    def uninsured(self) -> int:
        return self.total_loss - self.claim.payable_total

    def uninsured_by_kind(self, losses: Mapping[str, int]) -> dict[str, int]:
        """What each loss kind leaves uninsured: its loss less what its section pays (nothing pays the last)."""
        paid = {
            "expense": self.claim.expense.payable,
            "liability": self.claim.liability.payable,
            "bi": self.claim.bi.payable,
            "uninsurable": 0,
        }
        return {kind: amount - paid[kind] for kind, amount in losses.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    scenario: Scenario
    assessment: Assessment
    chosen: PlanOutcome
    plans: tuple[PlanOutcome, ...]  # the comparison (empty when not asked for); the chosen plan among them
    data: EstimateData

    @property
    def version(self) -> ProductVersion:
        return self.scenario.version

    @property
    def uninsured(self) -> int:
        return self.chosen.uninsured


def plan_grid(version: ProductVersion, chosen: Plan, *, with_bi: bool) -> tuple[Plan, ...]:
    """The plans to compare: every liability limit with every expense limit not above it (at the chosen
    deductible and BI limit), then every other deductible, then (when the incident has an outage) every
    other BI limit, at the chosen limits. Options that need an underwriter are included (quoted as referred)."""
    r = version.rating
    plans = [
        Plan(liability, expense, chosen.deductible, chosen.bi_limit)
        for liability in r.allowed_amounts("liability")
        for expense in r.allowed_amounts("expense")
        if expense <= liability
    ]
    plans += [
        Plan(chosen.liability_limit, chosen.expense_limit, deductible, chosen.bi_limit)
        for deductible in r.allowed_amounts("deductible")
        if deductible != chosen.deductible
    ]
    if with_bi:
        plans += [
            Plan(chosen.liability_limit, chosen.expense_limit, chosen.deductible, bi)
            for bi in r.allowed_amounts("bi")
            if bi != chosen.bi_limit
        ]
    return tuple(plans)


#: The roles of the plans a customer is shown (:func:`shortlist`), in the order shown; each role's words
#: are ``estimate.shortlist.<role>`` in the message catalogue.
SHORTLIST_ROLES = ("lighter", "chosen", "fuller", "deductible", "bi")


def shortlist(est: Estimate) -> tuple[tuple[str, PlanOutcome], ...]:
    """The 3–5 plans of the comparison a customer is shown, each with its role: one step lighter and one
    step fuller than the chosen plan (the neighbouring liability limit, the expense limit kept where it
    may be, raised one step with the fuller one), the chosen plan with the next deductible (a lower
    premium; the one before when the chosen is the highest), and — when the incident has an outage — the
    chosen plan with business interruption cover (the smallest limit that covers the estimated loss,
    else the largest) or, when it has it, without. A plan the product does not offer is left out."""
    if not est.plans:
        return ()
    by_plan = {o.plan: o for o in est.plans}
    r = est.version.rating
    c = est.chosen.plan
    liabilities = sorted(r.allowed_amounts("liability"))
    expenses = sorted(r.allowed_amounts("expense"))
    deductibles = sorted(r.allowed_amounts("deductible"))
    bis = sorted(r.allowed_amounts("bi"))

    def step(options: list[int], value: int, by: int) -> int | None:
        at = options.index(value) + by if value in options else -1
        return options[at] if 0 <= at < len(options) else None

    def expense_within(liability: int, wanted: int) -> int:
        fitting = [e for e in expenses if e <= liability]
        return wanted if wanted in fitting else max(fitting, default=wanted)

    wanted: dict[str, Plan] = {"chosen": c}
    lower = step(liabilities, c.liability_limit, -1)
    if lower is not None:
        wanted["lighter"] = Plan(lower, expense_within(lower, c.expense_limit), c.deductible, c.bi_limit)
    higher = step(liabilities, c.liability_limit, +1)
    if higher is not None:
        more = step(expenses, c.expense_limit, +1) or c.expense_limit
        wanted["fuller"] = Plan(higher, expense_within(higher, more), c.deductible, c.bi_limit)
    deductible = step(deductibles, c.deductible, +1) or step(deductibles, c.deductible, -1)
    if deductible is not None:
        wanted["deductible"] = Plan(c.liability_limit, c.expense_limit, deductible, c.bi_limit)
    if est.assessment.bi is not None:
        if c.bi_limit:
            bi: int | None = 0 if 0 in bis else None
        else:
            loss = est.assessment.losses.by_kind()["bi"]
            bi = next((b for b in bis if b >= loss and b > 0), max(bis, default=None))
        if bi is not None and bi != c.bi_limit:
            wanted["bi"] = Plan(c.liability_limit, c.expense_limit, c.deductible, bi)
    seen: set[Plan] = set()
    out = []
    for role in SHORTLIST_ROLES:  # the order shown
        outcome = by_plan.get(wanted[role]) if role in wanted else None
        if outcome is not None and outcome.plan not in seen:
            seen.add(outcome.plan)
            out.append((role, outcome))
    return tuple(out)
