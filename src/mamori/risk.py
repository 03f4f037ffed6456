"""Quote inputs: parsed and validated into a :class:`Risk` before any decision is made.

Inputs arrive from the CLI (strings), the REST API (JSON values) or a batch file. Every problem is
collected as a :class:`~mamori.errors.FieldError` naming the field and the allowed values; if there is
any, :class:`~mamori.errors.InvalidInput` is raised and nothing is rated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from mamori import product as product_mod
from mamori.errors import FieldError, InvalidInput

__all__ = ["ENTITY_TYPES", "FIELDS", "PAYMENTS", "Risk", "jst_today", "parse_risk"]

ENTITY_TYPES: Final = ("corporation", "sole_proprietor")
PAYMENTS: Final = ("monthly", "annual")
Payment = Literal["monthly", "annual"]
EntityType = Literal["corporation", "sole_proprietor"]
JST: Final = dt.timezone(dt.timedelta(hours=9), "JST")
FIELDS: Final = (
    "industry", "revenue", "liability_limit", "expense_limit", "deductible", "security_measures",
    "measures", "payment", "overseas_share", "north_america_share", "bi_limit", "pd_rider", "start",
    "term_months", "entity", "new_business",
)  # fmt: skip
_INT_RE: Final = re.compile(r"^[+-]?\d[\d_,]*$")
_TRUE: Final = frozenset({"true", "1", "yes", "y", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "off", ""})


@dataclass(frozen=True, slots=True)
class Risk:
    """A validated risk to rate. Shares are fractions (0..1), money integer yen."""

    industry: str
    revenue: int
    liability_limit: int
    expense_limit: int
    deductible: int
    measures_declared: int
    measures: tuple[str, ...] | None  # the items, when declared item by item
    payment: Payment
    overseas_share: Decimal
    north_america_share: Decimal
    bi_limit: int
    pd_rider: bool
    start: dt.date
    term_months: int
    entity: EntityType
    new_business: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "industry": self.industry,
            "revenue": self.revenue,
            "liability_limit": self.liability_limit,
            "expense_limit": self.expense_limit,
            "deductible": self.deductible,
            "security_measures": self.measures_declared,
            "measures": list(self.measures) if self.measures is not None else None,
            "payment": self.payment,
            "overseas_share": str(self.overseas_share * 100),
            "north_america_share": str(self.north_america_share * 100),
            "bi_limit": self.bi_limit,
            "pd_rider": self.pd_rider,
            "start": self.start.isoformat(),
            "term_months": self.term_months,
            "entity": self.entity,
            "new_business": self.new_business,
        }


def jst_today() -> dt.date:
    return dt.datetime.now(JST).date()


def _shown(value: Any) -> str:
    return str(value)


class FieldParser:
    """Parses one field at a time, collecting :class:`FieldError`s (shared by the scalar and batch paths)."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, code: str, **params: Any) -> None:
        self.errors.append(FieldError(field, code, params))

    def integer(self, raw: Mapping[str, Any], field: str) -> int | None:
        value = raw.get(field)
        if value is None:
            return None
        if isinstance(value, bool):
            self.add(field, "E_INTEGER", value=_shown(value))
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        if isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value.strip().replace("_", "").replace(",", ""))
        self.add(field, "E_INTEGER", value=_shown(value))
        return None

    def choice(self, raw: Mapping[str, Any], field: str, allowed: tuple[Any, ...], default: Any) -> Any:
        value = raw.get(field)
        if value is None:
            return default
        if isinstance(value, str):
            value = value.strip()
        if all(isinstance(a, int) for a in allowed):
            number = self.integer(raw, field)
            if number is None:
                return None
            value = number
        if value not in allowed:
            self.add(field, "E_CHOICE", value=_shown(value), allowed=list(allowed))
            return None
        return value

    def percent(self, raw: Mapping[str, Any], field: str) -> Decimal | None:
        value = raw.get(field)
        if value is None:
            return Decimal(0)
        try:
            # A float arrives from JSON or a batch file: its shortest repr is the number the user wrote.
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if isinstance(value, bool) or number is None or not number.is_finite():
            self.add(field, "E_NUMBER", value=_shown(value))
            return None
        if not Decimal(0) <= number <= Decimal(100):
            self.add(field, "E_RANGE", value=_shown(value), minimum=0, maximum=100)
            return None
        return number

    def measure_list(self, raw: Mapping[str, Any], field: str, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
        """Security-measure item ids: a list, or a string separated by spaces, commas or semicolons."""
        items = raw.get(field)
        if isinstance(items, str):
            items = [p for p in re.split(r"[\s,;]+", items) if p]
        if not isinstance(items, list | tuple):
            self.add(field, "E_CHOICE", value=_shown(items), allowed=list(allowed))
            return None
        ids = [str(i).strip().upper() for i in items]
        bad = [i for i in ids if i not in allowed]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if bad:
            self.add(field, "E_CHOICE", value=", ".join(bad), allowed=list(allowed))
        if dup:
            self.add(field, "E_MEASURE_DUPLICATE", value=", ".join(dup))
        return None if bad or dup else tuple(sorted(ids))

    def boolean(self, raw: Mapping[str, Any], field: str) -> bool | None:
        value = raw.get(field)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.add(field, "E_BOOLEAN", value=_shown(value))
        return None


def parse_risk(raw: Mapping[str, Any], *, today: dt.date | None = None) -> tuple[product_mod.Product, Risk]:
    """Validate raw inputs (CLI/REST names in snake_case) into the product in force and a :class:`Risk`.

    Missing fields take the reference conditions of the product (product.md §2.1). Raises
    :class:`InvalidInput` listing every problem; makes no eligibility decision (see ``eligibility``).
    """
    unknown = sorted(set(raw) - set(FIELDS))
    c = FieldParser()
    for name in unknown:
        c.add(name, "E_CHOICE", value=name, allowed=list(FIELDS))

    # The start date chooses the product version, and the version the allowed values.
    start = today or jst_today()
    raw_start = raw.get("start")
    if isinstance(raw_start, dt.datetime):
        c.add("start", "E_DATE", value=_shown(raw_start.isoformat()))
    elif isinstance(raw_start, dt.date):
        start = raw_start
    elif raw_start is not None:
        try:
            start = dt.date.fromisoformat(str(raw_start).strip())
        except ValueError:
            c.add("start", "E_DATE", value=_shown(raw_start))
    product: product_mod.Product | None = None
    try:
        product = product_mod.product_for_start(start)
    except product_mod.NoProductInForce as exc:
        earliest = exc.earliest.isoformat() if exc.earliest else "-"
        c.add("start", "E_NO_PRODUCT", value=start.isoformat(), earliest=earliest, allowed=f">= {earliest}")
    if product is None:
        product = product_mod.available_versions()[-1]  # validate the rest against the latest version

    industry = raw.get("industry")
    if industry is None or (isinstance(industry, str) and not industry.strip()):
        c.add("industry", "E_REQUIRED", allowed=list(product.industries))
        industry = None
    elif str(industry).strip() not in product.industries:
        c.add("industry", "E_CHOICE", value=_shown(industry), allowed=list(product.industries))
        industry = None
    else:
        industry = str(industry).strip()

    revenue = c.integer(raw, "revenue")
    if raw.get("revenue") is None:
        c.add("revenue", "E_REQUIRED")
    elif revenue is not None and revenue <= 0:
        c.add("revenue", "E_REVENUE_POSITIVE", value=revenue)
        revenue = None

    liability = c.choice(raw, "liability_limit", product.allowed_amounts("liability"), product.liability_default)
    default_expense = product.expense_default
    if raw.get("expense_limit") is None and raw.get("liability_limit") is not None and liability is not None:
        default_expense = product.default_expense_for(liability)
    expense = c.choice(raw, "expense_limit", product.allowed_amounts("expense"), default_expense)
    if liability is not None and expense is not None and expense > liability:
        fitting = [a for a in product.allowed_amounts("expense") if a <= liability]
        c.add("expense_limit", "E_EXPENSE_ABOVE_LIABILITY", value=expense, liability=liability, allowed=fitting)
    deductible = c.choice(raw, "deductible", product.allowed_amounts("deductible"), product.deductible_default)
    bi_limit = c.choice(raw, "bi_limit", product.allowed_amounts("bi"), product.bi_default)

    measures_declared: int | None = product.measure_reference_count
    measures: tuple[str, ...] | None = None
    if raw.get("security_measures") is not None and raw.get("measures") is not None:
        c.add("measures", "E_MEASURES_BOTH")
        measures_declared = None
    elif raw.get("measures") is not None:
        measures = c.measure_list(raw, "measures", product.measure_ids)
        measures_declared = len(measures) if measures is not None else None
    elif raw.get("security_measures") is not None:
        count = c.integer(raw, "security_measures")
        if count is not None and not 0 <= count <= len(product.measures):
            c.add("security_measures", "E_RANGE", value=count, minimum=0, maximum=len(product.measures))
            count = None
        measures_declared = count

    payment = c.choice(raw, "payment", PAYMENTS, "monthly")
    entity = c.choice(raw, "entity", ENTITY_TYPES, "corporation")
    overseas = c.percent(raw, "overseas_share")
    north_america = c.percent(raw, "north_america_share")
    if overseas is not None and north_america is not None and north_america > overseas:
        c.add("north_america_share", "E_NA_ABOVE_OVERSEAS", value=north_america, overseas=overseas)
    pd_rider = c.boolean(raw, "pd_rider")
    new_business = c.boolean(raw, "new_business")

    term = c.integer(raw, "term_months")
    if term is None and raw.get("term_months") is None:
        term = product.term_months
    elif term is not None and term != product.term_months:
        c.add("term_months", "E_TERM", value=term, allowed=[product.term_months])

    if c.errors:
        raise InvalidInput(c.errors)
    # Every value is validated above; the asserts narrow the types for mypy.
    assert industry is not None and revenue is not None and liability is not None  # noqa: S101
    assert expense is not None and deductible is not None and bi_limit is not None  # noqa: S101
    assert measures_declared is not None and overseas is not None and north_america is not None  # noqa: S101
    assert pd_rider is not None and new_business is not None and term is not None  # noqa: S101
    return product, Risk(
        industry=industry,
        revenue=revenue,
        liability_limit=liability,
        expense_limit=expense,
        deductible=deductible,
        measures_declared=measures_declared,
        measures=measures,
        payment=payment,
        overseas_share=overseas / 100,
        north_america_share=north_america / 100,
        bi_limit=bi_limit,
        pd_rider=pd_rider,
        start=start,
        term_months=term,
        entity=entity,
        new_business=new_business,
    )
