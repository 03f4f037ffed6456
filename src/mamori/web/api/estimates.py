"""``POST /api/v1/estimates`` (public): the loss estimate of interfaces.md §1.5 as a ninja router.

The body is the loss-estimate document of ``mamori estimate``; it is read loosely here and validated by
the core, so that every bad value is answered with the one error model (422 naming the field).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from mamori.web.api import errors as api_errors
from mamori.web.estimates import services

router = Router(tags=["estimates"])


class EstimateIn(BaseModel):
    """Documented fields; the core validates them (unknown keys are refused there, with a suggestion)."""

    model_config = ConfigDict(extra="allow")

    preset: Any = Field(None, description="start from incident example 1-8 of the product page", examples=[4])
    business: Any = Field(None, examples=[{"industry": "manufacturing", "revenue": 500000000, "employees": 150}])
    records: Any = Field(None, examples=[[{"categories": ["name", "address"], "persons": 8000}]])
    response: Any = Field(None, examples=["appropriate"])
    plan: Any = Field(None, examples=[{"liability_limit": 100000000, "expense_limit": 30000000, "deductible": 100000}])


@router.post("/estimates", auth=None, response={200: dict, 422: dict})
def estimate_create(request: HttpRequest, payload: EstimateIn) -> Any:
    """Estimate an incident's loss by kind, the chosen plan's payout (claim worksheet included), the
    uninsured remainder and the plan comparison with each plan's premium. Same JSON as ``mamori estimate``."""
    document = {**payload.model_dump(exclude_unset=True), **(payload.model_extra or {})}
    return services.estimate_calculate(document=document, lang=api_errors.lang_of(request))
