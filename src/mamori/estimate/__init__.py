"""Loss estimate for an incident (想定損害額, product.md §7): JNSA damages, unit costs, scenarios, plans.

Framework-free, like :mod:`mamori.claims`. A loss-estimate document (or a preset) is validated into a
:class:`Scenario` (:func:`parse`, after :func:`resolve` merged it with its preset); :func:`assess` turns
it into the loss by kind, each figure explaining itself; :func:`claim_document` writes the incident as a
claim-calculation document for a plan, which the claim calculation (the one engine of product.md §3)
pays. The use case :func:`mamori.usecases.estimate.estimate_loss` runs the whole, with the plan comparison;
:mod:`mamori.estimate.answer` shows it as JSON (interfaces.md §1.5) or text.
"""

from mamori.estimate.claim import claim_document
from mamori.estimate.data import EstimateData, load_data, packaged_data
from mamori.estimate.jnsa import RecordDamages, record_damages
from mamori.estimate.losses import Assessment, CostLine, Losses, assess
from mamori.estimate.presets import numbers as preset_numbers
from mamori.estimate.presets import resolve
from mamori.estimate.result import SHORTLIST_ROLES, Estimate, PlanOutcome, plan_grid, shortlist
from mamori.estimate.scenario import Plan, Scenario, parse
from mamori.estimate.timeline import Instants, instants

__all__ = [
    "SHORTLIST_ROLES",
    "Assessment",
    "CostLine",
    "Estimate",
    "EstimateData",
    "Instants",
    "Losses",
    "Plan",
    "PlanOutcome",
    "RecordDamages",
    "Scenario",
    "assess",
    "claim_document",
    "instants",
    "load_data",
    "packaged_data",
    "parse",
    "plan_grid",
    "preset_numbers",
    "record_damages",
    "resolve",
    "shortlist",
]
