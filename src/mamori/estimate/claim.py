"""The claim-calculation document (interfaces.md §1.3) of an estimated incident under a plan.

The policy's payout is never computed here: the document is handed to the claim calculation, the one
engine of product.md §3, which applies triggers, exclusions, caps, sublimits, the deductible, limits and
the waiting period, and writes the worksheet. Every cost line of the estimate becomes one line of the
document with the same id; the outage becomes the business-interruption block.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.catalog import ProductVersion
from mamori.estimate.data import EstimateData
from mamori.estimate.losses import Assessment, CostLine
from mamori.estimate.scenario import Plan, Scenario

__all__ = ["claim_document"]


def _cost(line: CostLine, version: ProductVersion) -> dict[str, Any]:
    cost: dict[str, Any] = {"id": line.id, "item": line.item, "amount": line.amount}
    item = version.coverage.items.get(line.item)
    if item is not None and item.per_person_cap is not None and item.per_business_cap is not None:
        # A capped item (condolence) counts who received it: this line's persons, or its businesses.
        cost["persons"] = line.quantity if line.unit == "person" else 0
        cost["businesses"] = line.quantity if line.unit == "business" else 0
    return cost


def _personal_data(scenario: Scenario, assessment: Assessment, data: EstimateData) -> dict[str, bool]:
    """The APPI facts of product.md §4.1: from the categories leaked (data) and the incident."""
    leaked = [data.jnsa.categories[c] for r in assessment.records for c in r.categories]
    return {
        "special_care": any(c.special_care for c in leaked),
        "financial": any(c.financial for c in leaked),
        "improper_purpose": scenario.incident.improper_purpose,
        "eu_residents": scenario.incident.eu_residents,
        "card_data": any(c.card for c in leaked),
    }


def claim_document(scenario: Scenario, assessment: Assessment, plan: Plan, data: EstimateData) -> dict[str, Any]:
    """The claim document of the estimated incident under ``plan`` (JSON types only)."""
    version = scenario.version
    at = assessment.instants
    incident = scenario.incident
    has_liability = any(line.loss_kind == "liability" for line in assessment.lines)
    document: dict[str, Any] = {
        "policy": {
            "start_date": scenario.start.isoformat(),
            "liability_limit": plan.liability_limit,
            "expense_limit": plan.expense_limit,
            "deductible": plan.deductible,
            "bi_limit": plan.bi_limit,
            "pd_rider": False,
            "retroactive_date": scenario.start.isoformat(),
            "status": "in_force",
            "ended_at": None,
            "product_version": version.version,
        },
        "incident": {
            "accident_types": list(incident.accident_types),
            "discovered_at": at.occurred_at.isoformat(),
            "claim_made_at": at.claim_made_at.isoformat() if has_liability else None,
            "occurred_at": at.occurred_at.isoformat(),
            "country": incident.country,
            "attack_confirmed": incident.attack_confirmed,
            "culprit": incident.culprit,
            "state_backed": False,
            "known_before_first_policy": False,
            "affected_persons": scenario.persons,
            "affected_businesses": incident.affected_businesses,
            "personal_data": _personal_data(scenario, assessment, data),
        },
        "costs": [_cost(line, version) for line in assessment.lines],
        "bi": None,
    }
    bi = assessment.bi
    if bi is not None:
        document["bi"] = {
            "outage_start": at.occurred_at.isoformat(),
            "outage_end": (at.occurred_at + dt.timedelta(hours=bi.hours)).isoformat(),
            "fiscal_revenue": bi.revenue,
            "operating_profit": bi.operating_profit,
            "fixed_costs": bi.fixed_costs,
            "standard_revenue": bi.indemnity_revenue,
            "actual_revenue": 0,
        }
    return document
