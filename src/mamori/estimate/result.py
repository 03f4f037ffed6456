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

__all__ = ["Estimate", "PlanOutcome", "plan_grid"]


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
