"""``POST /api/v1/estimates`` (public): the loss estimate of interfaces.md §1.5 as a ninja router.

The body is the loss-estimate document of ``mamori estimate``; its parts are typed and bounded here and
validated by the core, so that every bad value is answered with the one error model (422 naming the field).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router
from pydantic import Field, JsonValue

from mamori.web.api import errors as api_errors
from mamori.web.api.schemas import LIST_MAX, Between, CalculationOut, Document, ErrorsOut, Inputs, Open
from mamori.web.estimates import services

router = Router(tags=["estimates"])


class EstimateIn(Inputs):
    """Documented fields; the core validates them (unknown keys are refused there, with a suggestion)."""

    preset: Annotated[int, Between(1, 100)] | None = Field(
        None, description="start from incident example 1-8 of the product page", examples=[4]
    )
    business: Document | None = Field(
        None, examples=[{"industry": "manufacturing", "revenue": 500000000, "employees": 150}]
    )
    records: list[Document] | None = Field(
        None, max_length=LIST_MAX, examples=[[{"categories": ["name", "address"], "persons": 8000}]]
    )
    response: str | None = Field(None, max_length=32, examples=["appropriate"])
    plan: Document | None = Field(
        None, examples=[{"liability_limit": 100000000, "expense_limit": 30000000, "deductible": 100000}]
    )


class EstimateOut(Open):
    """The answer of ``mamori estimate --json`` (interfaces.md §1.5)."""

    preset: int | None
    title: str | None = None
    business: dict[str, JsonValue]
    incident: dict[str, JsonValue]
    records: list[JsonValue]
    losses: dict[str, JsonValue]
    plan: dict[str, JsonValue]
    payout: CalculationOut
    uninsured: int
    plans: list[dict[str, JsonValue]]
    shortlist: list[dict[str, JsonValue]] = Field(
        description="the 3-5 plans shown to a customer, each with its role (lighter, chosen, fuller, deductible, bi)"
    )
    unpaid: list[dict[str, JsonValue]] = Field(
        description="each loss kind the chosen plan does not pay at all, with the exclusion and its reason"
    )
    product: str
    product_version: str
    product_hash: str


@router.post("/estimates", auth=None, exclude_unset=True, response={200: EstimateOut, 422: ErrorsOut, 429: ErrorsOut})
def estimate_create(request: HttpRequest, payload: EstimateIn) -> Any:
    """Estimate an incident's loss by kind, the chosen plan's payout (claim worksheet included), the
    uninsured remainder and the plan comparison with each plan's premium. Same JSON as ``mamori estimate``."""
    document = {**payload.model_dump(exclude_unset=True), **(payload.model_extra or {})}
    return services.estimate_calculate(document=document, lang=api_errors.lang_of(request))
