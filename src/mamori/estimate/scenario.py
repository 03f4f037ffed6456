"""A loss-estimate document (interfaces.md §1.5), validated into a :class:`Scenario`.

The business and the plan are quote inputs: they are validated by the rating's own input rules
(:func:`mamori.rating.inputs.parse_risk`), so that every plan an estimate shows can be quoted, and their
problems are reported under the document's paths (``business.industry``, ``plan.expense_limit``). The
rest is checked here. Unknown keys are refused (a misspelt ``persns`` must never be silently ignored),
and every problem is collected before :class:`~mamori.errors.InvalidInput` is raised.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from mamori import money
from mamori.catalog import Catalog, ProductVersion
from mamori.claims import schema
from mamori.errors import FieldError, InvalidInput, from_json
from mamori.estimate.data import LIABILITY_BASES, RESPONSES, EstimateData
from mamori.rating import inputs

__all__ = [
    "BUSINESS_KEYS",
    "INCIDENT_KEYS",
    "MAX_HOURS",
    "MAX_PERSONS",
    "MAX_QUANTITY",
    "MAX_RECORDS",
    "PLAN_KEYS",
    "RECORD_KEYS",
    "TOP_KEYS",
    "Incident",
    "Plan",
    "Record",
    "Scenario",
    "parse",
]

TOP_KEYS: Final = (
    "preset",
    "title_ja",
    "title_en",
    "assumptions_ja",
    "assumptions_en",
    "business",
    "incident",
    "records",
    "response",
    "quantities",
    "outage_hours",
    "liability_basis",
    "claim_rate",
    "plan",
)
BUSINESS_KEYS: Final = (
    "industry",
    "revenue",
    "employees",
    "high_social_responsibility",
    "security_measures",
    "measures",
)
INCIDENT_KEYS: Final = (
    "accident_types",
    "attack_confirmed",
    "culprit",
    "country",
    "improper_purpose",
    "affected_businesses",
    "eu_residents",
)
RECORD_KEYS: Final = ("categories", "persons")
PLAN_KEYS: Final = ("liability_limit", "expense_limit", "deductible", "bi_limit", "start")
_DECIMAL_TEXT: Final = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
#: Quote inputs that are whole numbers: in a JSON document, JSON integers (as every yen of a claim document).
_WHOLE: Final = ("revenue", "security_measures", "liability_limit", "expense_limit", "deductible", "bi_limit")
#: Quote inputs of the document → their paths in it (problems found by the rating are shown there).
_RATING_PATHS: Final = {
    **{key: f"business.{key}" for key in ("industry", "revenue", "security_measures", "measures")},
    **{key: f"plan.{key}" for key in PLAN_KEYS},
}
#: Bounds that keep every line of the claim document within its limits (10^15 yen, 10^9 persons).
MAX_RECORDS: Final = 10
MAX_PERSONS: Final = 100_000_000
MAX_QUANTITY: Final = 100_000_000
MAX_HOURS: Final = 8_760  # a year
MAX_EMPLOYEES: Final = 10_000_000
MAX_TEXTS: Final = 50
MAX_TEXT_LENGTH: Final = 1_000
RATE_PLACES: Final = 4
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class Record:
    """A group of affected persons who lost the same categories of personal data."""

    categories: tuple[str, ...]
    persons: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """What the incident is, for the claim calculation (accident types, culprit) and the APPI report."""

    accident_types: tuple[str, ...]
    attack_confirmed: bool
    culprit: str | None
    country: str
    improper_purpose: bool
    affected_businesses: int
    eu_residents: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """The terms of a plan: limits, deductible and the business-interruption limit (0: not bought)."""

    liability_limit: int
    expense_limit: int
    deductible: int
    bi_limit: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A validated estimate document: the business, the incident, the response and the plan."""

    version: ProductVersion
    risk: inputs.Risk  # the business and the plan as a quote input
    employees: int | None
    high_social_responsibility: bool | None  # as given; None: from the industry
    incident: Incident
    records: tuple[Record, ...]
    response: str
    quantities: Mapping[str, int]  # as given; a kind not given takes its default
    outage_hours: int
    liability_basis: str
    claim_rate: Decimal
    plan: Plan
    preset: int | None
    overridden: tuple[str, ...]  # keys the document gave over its preset's
    title: tuple[str, str] | None  # (ja, en)
    assumptions: tuple[tuple[str, ...], tuple[str, ...]]  # (ja lines, en lines)
    today: dt.date

    @property
    def industry(self) -> str:
        return self.risk.industry

    @property
    def revenue(self) -> int:
        return self.risk.revenue

    @property
    def start(self) -> dt.date:
        return self.risk.start

    @property
    def persons(self) -> int:
        return sum(r.persons for r in self.records)

    def quote_inputs(self, plan: Plan) -> dict[str, Any]:
        """The quote inputs of the business under ``plan`` (for the rating engine)."""
        risk = self.risk
        raw: dict[str, Any] = {
            "industry": risk.industry,
            "revenue": risk.revenue,
            "liability_limit": plan.liability_limit,
            "expense_limit": plan.expense_limit,
            "deductible": plan.deductible,
            "bi_limit": plan.bi_limit,
            "start": risk.start.isoformat(),
        }
        if risk.measures is not None:
            raw["measures"] = list(risk.measures)
        else:
            raw["security_measures"] = risk.measures_declared
        return raw


# ------------------------------------------------------------------------------------ reading


class _Reader:
    """Reads values of a parsed JSON document, collecting a FieldError for each problem."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, code: str, **params: Any) -> None:
        if "value" in params:
            params["value"] = from_json(code, params["value"])
        self.errors.append(FieldError(field, code, params))

    def obj(self, value: Any, path: str, keys: Sequence[str]) -> Mapping[str, Any]:
        """An object (or {} for null/absent) whose keys are all known."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, "E_OBJECT", value=value)
            return {}
        for key in value:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1, cutoff=0.75)
                where = f"{path}.{key}" if path else key
                self.fail(where, "E_UNKNOWN_FIELD", value=key, allowed=list(keys), suggestion=close[0] if close else "")
        return value

    def count(self, value: Any, path: str, *, minimum: int = 0, maximum: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "E_INTEGER", value=value)
            return None
        if not minimum <= value <= maximum:
            self.fail(path, "E_RANGE", value=value, minimum=f"{minimum:,}", maximum=f"{maximum:,}")
            return None
        return value

    def flag(self, value: Any, path: str, *, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(path, "E_BOOLEAN", value=value)
            return default
        return value

    def choice(self, value: Any, path: str, allowed: Sequence[str | None], *, default: str | None) -> str | None:
        if value is None:
            return default
        if value not in allowed or not isinstance(value, str):
            self.fail(path, "E_CHOICE", value=value, allowed=[a for a in allowed if a is not None])
            return default
        return value

    def rate(self, value: Any, path: str, *, default: Decimal) -> Decimal:
        """A share 0..1 as a JSON number or a decimal string, at most RATE_PLACES decimals."""
        if value is None:
            return default
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            text = repr(value) if isinstance(value, float) else str(value).strip()
            if isinstance(value, str) and not _DECIMAL_TEXT.match(text):
                raise InvalidOperation  # text as people write a number: no exponent, no "Infinity"
            rate = Decimal(text)
            if not rate.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.fail(path, "E_NUMBER", value=value)
            return default
        if not Decimal(0) <= rate <= Decimal(1):
            self.fail(path, "E_RANGE", value=value, minimum=0, maximum=1)
            return default
        exponent = rate.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > RATE_PLACES:
            self.fail(path, "E_DECIMALS", value=value, places=RATE_PLACES)
            return default
        return rate

    def texts(self, value: Any, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or len(value) > MAX_TEXTS:
            self.fail(path, "E_LIST", value=value)
            return ()
        for i, text in enumerate(value):
            self.text(text, f"{path}[{i}]")
        return tuple(t for t in value if isinstance(t, str))

    def text(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "E_TEXT", value=value)
            return None
        if len(value) > MAX_TEXT_LENGTH:
            self.fail(path, "E_TEXT_TOO_LONG", maximum=MAX_TEXT_LENGTH, length=len(value))
            return None
        return value


# ------------------------------------------------------------------------------------ the parts


def _categories(read: _Reader, value: Any, path: str, data: EstimateData) -> tuple[str, ...]:
    known = list(data.jnsa.categories)
    if not isinstance(value, list):
        read.fail(path, "E_LIST", value=value)
        return ()
    if not value:
        read.fail(path, "E_LIST_EMPTY", allowed=known)
        return ()
    found: list[str] = []
    for i, category in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(category, str) or category not in data.jnsa.categories:
            read.fail(where, "E_CHOICE", value=category, allowed=known)
        elif category in found:
            read.fail(where, "E_CATEGORY_DUPLICATE", value=category)
        else:
            found.append(category)
    return tuple(found)


def _records(read: _Reader, value: Any, data: EstimateData) -> tuple[Record, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        read.fail("records", "E_LIST", value=value)
        return ()
    if len(value) > MAX_RECORDS:
        read.fail("records", "E_LIST_TOO_LONG", maximum=MAX_RECORDS, length=len(value))
        return ()
    records = []
    for i, entry in enumerate(value):
        path = f"records[{i}]"
        if not isinstance(entry, dict):
            read.fail(path, "E_OBJECT", value=entry)
            continue
        read.obj(entry, path, RECORD_KEYS)
        before = len(read.errors)
        categories = _categories(read, entry.get("categories"), f"{path}.categories", data)
        persons = None
        if entry.get("persons") is None:
            read.fail(f"{path}.persons", "E_REQUIRED")
        else:
            persons = read.count(entry["persons"], f"{path}.persons", minimum=1, maximum=MAX_PERSONS)
        if persons is not None and categories and len(read.errors) == before:
            records.append(Record(categories, persons))
    return tuple(records)


def _quantities(read: _Reader, value: Any, data: EstimateData) -> dict[str, int]:
    given = read.obj(value, "quantities", tuple(data.kinds))
    found: dict[str, int] = {}
    for kind, quantity in given.items():
        if kind not in data.kinds:
            continue
        maximum = money.MAX_YEN if data.kinds[kind].is_amount else MAX_QUANTITY
        counted = read.count(quantity, f"quantities.{kind}", maximum=maximum)
        if counted is not None:
            found[kind] = counted
    return found


def _accident_types(read: _Reader, value: Any, has_records: bool) -> tuple[str, ...]:
    allowed = list(schema.ACCIDENT_TYPES)
    path = "incident.accident_types"
    if value is None:
        # A leak of personal data is an A2 accident; anything else an attack (A1) until said otherwise.
        return ("A2",) if has_records else ("A1",)
    if not isinstance(value, list):
        read.fail(path, "E_LIST", value=value)
        return ()
    if not value:
        read.fail(path, "E_LIST_EMPTY", allowed=allowed)
        return ()
    for i, code in enumerate(value):
        if code not in allowed or not isinstance(code, str):
            read.fail(f"{path}[{i}]", "E_CHOICE", value=code, allowed=allowed)
    return tuple(sorted({c for c in value if isinstance(c, str) and c in allowed}))


def _incident(read: _Reader, value: Any, has_records: bool) -> Incident:
    given = read.obj(value, "incident", INCIDENT_KEYS)
    types = _accident_types(read, given.get("accident_types"), has_records)
    culprit = read.choice(given.get("culprit"), "incident.culprit", (*schema.CULPRITS, None), default=None)
    country = given.get("country", "JP")
    if not isinstance(country, str) or not _COUNTRY.match(country):
        read.fail("incident.country", "E_COUNTRY", value=country)
        country = "JP"
    businesses = given.get("affected_businesses", 0)
    return Incident(
        accident_types=types,
        attack_confirmed=read.flag(given.get("attack_confirmed"), "incident.attack_confirmed", default="A1" in types),
        culprit=culprit,
        country=country,
        # Reading: a named culprit (an attacker, an insider) acted with an improper purpose (APPI ground c).
        improper_purpose=read.flag(
            given.get("improper_purpose"), "incident.improper_purpose", default=culprit is not None
        ),
        affected_businesses=read.count(businesses, "incident.affected_businesses", maximum=MAX_QUANTITY) or 0,
        eu_residents=read.flag(given.get("eu_residents"), "incident.eu_residents", default=False),
    )


def _rating(
    raw_business: Mapping[str, Any], raw_plan: Mapping[str, Any], catalog: Catalog, today: dt.date
) -> tuple[tuple[ProductVersion, inputs.Risk] | None, list[FieldError]]:
    """The business and the plan through the rating's input rules; problems under the document's paths."""
    raw = {k: v for k, v in raw_business.items() if k in _RATING_PATHS and v is not None}
    raw.update({k: v for k, v in raw_plan.items() if k in _RATING_PATHS and v is not None})
    fractional = [
        FieldError(_RATING_PATHS[k], "E_INTEGER", {"value": v})
        for k, v in raw.items()
        if k in _WHOLE and isinstance(v, float)
    ]
    if fractional:  # 5e8 or 500000000.0 where a whole number of yen is written as a JSON integer
        return None, fractional
    try:
        return inputs.parse_risk(raw, catalog=catalog, today=today), []
    except InvalidInput as exc:
        return None, [dataclasses.replace(e, field=_RATING_PATHS.get(e.field, e.field)) for e in exc.errors]


def _titles(read: _Reader, raw: Mapping[str, Any]) -> tuple[tuple[str, str] | None, tuple[tuple[str, ...], ...]]:
    ja, en = read.text(raw.get("title_ja"), "title_ja"), read.text(raw.get("title_en"), "title_en")
    title = (ja or en or "", en or ja or "") if (ja or en) else None
    assumptions = (
        read.texts(raw.get("assumptions_ja"), "assumptions_ja"),
        read.texts(raw.get("assumptions_en"), "assumptions_en"),
    )
    return title, assumptions


def parse(
    raw: Mapping[str, Any],
    *,
    catalog: Catalog,
    data: EstimateData,
    today: dt.date | None = None,
    preset: int | None = None,
    overridden: tuple[str, ...] = (),
) -> Scenario:
    """Validate an estimate document (parsed JSON); InvalidInput lists every problem."""
    read = _Reader()
    if not isinstance(raw, dict):
        raise InvalidInput([FieldError("$", "E_OBJECT", {"value": raw})])
    read.obj(raw, "", TOP_KEYS)
    business = read.obj(raw.get("business"), "business", BUSINESS_KEYS)
    plan = read.obj(raw.get("plan"), "plan", PLAN_KEYS)
    today = today or catalog.latest().today()
    rated, rating_errors = _rating(business, plan, catalog, today)
    employees = business.get("employees")
    if employees is not None:
        employees = read.count(employees, "business.employees", maximum=MAX_EMPLOYEES)
    high = business.get("high_social_responsibility")
    high = None if high is None else read.flag(high, "business.high_social_responsibility", default=False)
    records = _records(read, raw.get("records"), data)
    incident = _incident(read, raw.get("incident"), bool(raw.get("records")))
    response = read.choice(raw.get("response"), "response", RESPONSES, default="unknown")
    quantities = _quantities(read, raw.get("quantities"), data)
    hours = read.count(raw.get("outage_hours", 0), "outage_hours", maximum=MAX_HOURS) or 0
    basis = read.choice(
        raw.get("liability_basis"), "liability_basis", LIABILITY_BASES, default=data.jnsa.liability_basis
    )
    claim_rate = read.rate(raw.get("claim_rate"), "claim_rate", default=data.jnsa.claim_rate)
    title, assumptions = _titles(read, raw)
    problems = [*rating_errors, *read.errors]
    if problems or rated is None:
        raise InvalidInput(_in_document_order(problems))
    version, risk = rated
    assert response is not None and basis is not None  # noqa: S101 - defaults are given
    return Scenario(
        version=version,
        risk=risk,
        employees=employees,
        high_social_responsibility=high,
        incident=incident,
        records=records,
        response=response,
        quantities=quantities,
        outage_hours=hours,
        liability_basis=basis,
        claim_rate=claim_rate,
        plan=Plan(risk.liability_limit, risk.expense_limit, risk.deductible, risk.bi_limit),
        preset=preset,
        overridden=overridden,
        title=title,
        assumptions=(assumptions[0], assumptions[1]),
        today=today,
    )


def _in_document_order(problems: list[FieldError]) -> list[FieldError]:
    """Problems in the order of the document's keys (a stable sort keeps each key's own order)."""
    order = {key: i for i, key in enumerate(TOP_KEYS)}

    def rank(error: FieldError) -> int:
        top = re.split(r"[.\[]", error.field, maxsplit=1)[0]
        return order.get(top, len(order))

    return sorted(problems, key=rank)
