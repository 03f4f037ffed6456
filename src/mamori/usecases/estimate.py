"""Loss estimate use case (想定損害額, product.md §7): what an incident would cost, and what each plan pays.

:func:`estimate_loss` reads a loss-estimate document (interfaces.md §1.5) or a preset, assesses the loss by
kind (:mod:`mamori.estimate`), and for the chosen plan — and, for the comparison, every plan of
:func:`mamori.estimate.plan_grid` — builds the claim-calculation document of the incident and runs the
claim calculation (:func:`mamori.usecases.claims.calculate_claim`), and quotes the business with the
rating engine (:func:`mamori.usecases.quotes.quote`). Nothing here applies a rule of the cover itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from mamori.catalog import Catalog
from mamori.errors import FieldError, InvalidInput
from mamori.estimate import (
    Assessment,
    Estimate,
    EstimateData,
    Plan,
    PlanOutcome,
    Scenario,
    assess,
    claim_document,
    instants,
    packaged_data,
    parse,
    plan_grid,
    resolve,
)
from mamori.io import jsonio
from mamori.usecases.claims import calculate_claim
from mamori.usecases.quotes import quote

__all__ = ["estimate_loss"]


def _parsed(document: bytes | str | Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if document is None or isinstance(document, Mapping):
        return document
    raw = document.encode("utf-8", "surrogatepass") if isinstance(document, str) else document
    parsed = jsonio.loads(raw)  # duplicate keys, NaN, malformed text, not UTF-8
    if not isinstance(parsed, dict):
        raise InvalidInput([FieldError(jsonio.ROOT, "E_OBJECT", {"value": parsed})])
    return parsed


def estimate_loss(
    catalog: Catalog,
    document: bytes | str | Mapping[str, Any] | None = None,
    *,
    preset: int | str | None = None,
    today: dt.date | None = None,
    compare: bool = True,
    data: EstimateData | None = None,
) -> Estimate:
    """Estimate the loss of an incident and the payout of its plan; InvalidInput lists every problem.

    ``document``: a loss-estimate document (JSON bytes or text, or parsed); ``preset``: a preset number
    (1–8) to start from (the document, when given, overrides parts of it). At least one is needed.
    ``compare``: also calculate every plan of the comparison (payout, premium, uninsured remainder).
    ``today``: the date the estimate is made (default: today where the product is sold); the plan's
    policy starts then unless the document's ``plan.start`` says otherwise.
    """
    data = data or packaged_data()
    parsed = _parsed(document)
    if parsed is None and preset is None:
        raise InvalidInput([FieldError("FILE", "E_ESTIMATE_NOTHING", {})])
    raw, number, overridden = resolve(parsed, preset)
    scenario = parse(raw, catalog=catalog, data=data, today=today, preset=number, overridden=overridden)
    assessment = assess(scenario, data, instants(scenario.version, scenario.start, data))
    chosen = _outcome(catalog, scenario, assessment, scenario.plan, data)
    plans: tuple[PlanOutcome, ...] = ()
    if compare:
        grid = plan_grid(scenario.version, scenario.plan, with_bi=assessment.bi is not None)
        plans = tuple(
            chosen if plan == scenario.plan else _outcome(catalog, scenario, assessment, plan, data) for plan in grid
        )
    return Estimate(scenario=scenario, assessment=assessment, chosen=chosen, plans=plans, data=data)


def _outcome(
    catalog: Catalog, scenario: Scenario, assessment: Assessment, plan: Plan, data: EstimateData
) -> PlanOutcome:
    document = claim_document(scenario, assessment, plan, data)
    claim = calculate_claim(catalog, document, version=scenario.version)
    rated = quote(catalog, scenario.quote_inputs(plan), today=scenario.today, version=scenario.version)
    return PlanOutcome(plan=plan, quote=rated, claim=claim, document=document, total_loss=assessment.losses.total)
