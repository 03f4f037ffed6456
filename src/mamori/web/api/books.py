"""``GET /api/v1/books/premium``, ``/books/triangle`` and ``/books/reserves`` (administrators; interfaces.md §2,
product.md §8), a ninja router with typed answers. Query values are read by the one error model: a bad
``as_of``, basis, period or method is 422 naming it."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from mamori.web.api.schemas import ERRORS
from mamori.web.books import selectors

router = Router(tags=["books"])


class PremiumQuery(Schema):
    as_of: str | None = Field(None, max_length=10, description="YYYY-MM-DD (the end of that day, JST); default today")


class TriangleQuery(PremiumQuery):
    basis: Literal["paid", "incurred"] = Field("incurred", description="paid or incurred")
    period: Literal["quarter", "year"] = Field("quarter", description="quarter or year")


class ReservesQuery(TriangleQuery):
    method: Literal["chainladder", "mack", "bf"] = Field("chainladder", description="chainladder, mack or bf")
    loss_ratio: str | None = Field(
        None, max_length=32, description="bf: the a-priori loss ratio (default: the portfolio model's)"
    )


class Premium(Schema):
    written: int
    earned: int
    unearned: int


class PolicyPremium(Premium):
    number: str


class MonthPremium(Premium):
    month: str


class PremiumOut(Premium):
    as_of: str
    policies: list[PolicyPremium]
    by_industry: dict[str, Premium]
    by_product_version: dict[str, Premium]
    by_month: list[MonthPremium] = Field(description="written and earned in each month (at most 36, to as_of)")


class Cell(Schema):
    origin: str
    age: int
    value: int


class TriangleOut(Schema):
    as_of: str
    basis: str
    period: str
    triangle: list[Cell]


class ReserveTotal(Schema):
    latest: int
    ultimate: int
    ibnr: int
    se: int | None = None


class ReserveOrigin(ReserveTotal):
    origin: str


class ReservesOut(Schema):
    method: str
    factors: list[float]
    origins: list[ReserveOrigin]
    total: ReserveTotal
    as_of: str | None = None
    basis: str | None = None
    period: str | None = None


@router.get("/books/premium", response={200: PremiumOut, **ERRORS})
def books_premium(request: HttpRequest, query: Query[PremiumQuery]) -> Any:
    """Written, earned and unearned premium as of a date, per policy, by industry and product version."""
    return selectors.premium(user=request.user, as_of=query.as_of)


@router.get("/books/triangle", response={200: TriangleOut, **ERRORS})
def books_triangle(request: HttpRequest, query: Query[TriangleQuery]) -> Any:
    """The paid or incurred claims triangle (accident period × development age), long form."""
    return selectors.triangle(user=request.user, as_of=query.as_of, basis=query.basis, period=query.period)


@router.get("/books/reserves", response={200: ReservesOut, **ERRORS})
def books_reserves(request: HttpRequest, query: Query[ReservesQuery]) -> Any:
    """Ultimates and IBNR by the chain ladder, Mack (with standard errors) or Bornhuetter–Ferguson."""
    return selectors.reserves(
        user=request.user, as_of=query.as_of, method=query.method, basis=query.basis, period=query.period,
        loss_ratio=query.loss_ratio,
    )  # fmt: skip
