"""The claim-calculation document (interfaces.md §1.3) as one strict schema: the CLI and the REST API use it.

Pydantic v2 models, frozen, ``extra="forbid"`` and strict: a JSON number is never a date, ``"100"`` is
never an amount, ``true`` is never a count. Documents are validated in JSON mode
(``ClaimDocument.model_validate_json``), where dates are ``YYYY-MM-DD`` text and date-times are ISO 8601
text with a UTC offset. Every amount, count, date and date-time is bounded, so that nothing computed from
it (a term end, a 60-day deadline, 72 hours, a 6-month indemnity period, a sum of lines) can overflow.

The checks that need the product version (known cost items, sublimit items) or compare fields with each
other live in :mod:`mamori.claims.document`; this module is only the shape, published as JSON Schema by
``ClaimDocument.model_json_schema()``. :data:`FIELDS` describes every field by its path for the error
messages (kind, bounds, allowed values, known keys).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Mapping
from types import MappingProxyType, UnionType
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, GetPydanticSchema, WithJsonSchema
from pydantic_core import core_schema

from mamori import calendar, money

__all__ = [
    "ACCIDENT_TYPES",
    "BEARERS",
    "CULPRITS",
    "FIELDS",
    "MAX_COUNT",
    "POLICY_STATUSES",
    "BusinessInterruption",
    "ClaimDocument",
    "Cost",
    "FieldSpec",
    "Incident",
    "PersonalData",
    "Policy",
    "PriorPayments",
]

#: The largest count of persons or businesses a document may carry (far above any incident).
MAX_COUNT: Final = 10**9
#: Date-times are bounded by instants: the first instant of the earliest date and the last of the latest
#: date, in UTC. Whatever the offset, a date-time within them keeps a year of term, 60 days, 72 hours and
#: six months after it inside the calendar.
EARLIEST_AT: Final = dt.datetime.combine(calendar.EARLIEST_DATE, dt.time(0, 0), tzinfo=dt.UTC)
LATEST_AT: Final = dt.datetime.combine(calendar.LATEST_DATE, dt.time.max, tzinfo=dt.UTC)
#: A cost line's id is shown in every worksheet line of it; a page of text is not an id.
MAX_ID_LENGTH: Final = 200
#: The shape of a date-time's text before the parser reads it: a bare number would otherwise be read
#: as a Unix timestamp, which is not a date-time "with an offset" (interfaces.md).
_DATETIME_TEXT: Final = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}"

AccidentType = Literal["A1", "A2", "A3", "A4", "T0"]
PolicyStatus = Literal["in_force", "cancelled", "lapsed"]
Culprit = Literal["external", "former_employee", "employee", "director"]
Bearer = Literal["insured", "culprit"]
ACCIDENT_TYPES: Final[tuple[str, ...]] = typing.get_args(AccidentType)
POLICY_STATUSES: Final[tuple[str, ...]] = typing.get_args(PolicyStatus)
CULPRITS: Final[tuple[str, ...]] = typing.get_args(Culprit)
BEARERS: Final[tuple[str, ...]] = typing.get_args(Bearer)


@dataclasses.dataclass(frozen=True, slots=True)
class _Kind:
    """Marks an annotated type with what the error messages need: its kind and its bounds."""

    name: str
    minimum: Any = None
    maximum: Any = None


def _datetime_schema(_source: Any, _handler: Any) -> core_schema.CoreSchema:
    # Text of the right shape first (strict), then the date-time parser with an offset required. Both
    # run in the compiled validator; the parser itself reads text only after the shape check.
    return core_schema.chain_schema(
        [
            core_schema.str_schema(pattern=_DATETIME_TEXT, strict=True),
            core_schema.datetime_schema(tz_constraint="aware", ge=EARLIEST_AT, le=LATEST_AT, strict=False),
        ]
    )


Yen = Annotated[int, Field(ge=0, le=money.MAX_YEN), _Kind("yen", 0, money.MAX_YEN)]
SignedYen = Annotated[int, Field(ge=-money.MAX_YEN, le=money.MAX_YEN), _Kind("yen", -money.MAX_YEN, money.MAX_YEN)]
PositiveYen = Annotated[int, Field(ge=1, le=money.MAX_YEN), _Kind("yen", 1, money.MAX_YEN)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT), _Kind("count", 0, MAX_COUNT)]
Date = Annotated[
    dt.date,
    Field(ge=calendar.EARLIEST_DATE, le=calendar.LATEST_DATE),
    _Kind("date", calendar.EARLIEST_DATE, calendar.LATEST_DATE),
]
#: An aware date-time (pydantic's ``AwareDatetime`` constraint) written as ISO 8601 text with an offset.
Instant = Annotated[
    dt.datetime,
    GetPydanticSchema(_datetime_schema),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "ISO 8601 with a UTC offset"}),
    _Kind("datetime", calendar.EARLIEST_DATE, calendar.LATEST_DATE),
]
Flag = Annotated[bool, _Kind("bool")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$"), _Kind("country")]
CostId = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"\S"), _Kind("text", 1, MAX_ID_LENGTH)]
ItemCode = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH), _Kind("text", 1, MAX_ID_LENGTH)]
VersionName = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH), _Kind("text", 1, MAX_ID_LENGTH)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, validate_default=False)


class Policy(_Strict):
    """The policy's terms (from the policy, never from the claimant)."""

    start_date: Date
    liability_limit: Yen
    expense_limit: Yen
    deductible: Yen
    bi_limit: Yen = 0
    pd_rider: Flag = False
    retroactive_date: Date | None = Field(default=None, description="default: the start date")
    status: PolicyStatus = "in_force"
    ended_at: Instant | None = Field(default=None, description="when cover ended; only when cancelled or lapsed")
    product_version: VersionName | None = Field(
        default=None, description="the product version the policy was written on; default: the one in force"
    )


class PriorPayments(_Strict):
    """Payments already made in the same policy year, per section and per sublimit item."""

    expense: Yen = 0
    liability: Yen = 0
    bi: Yen = 0
    sublimits: dict[str, Yen] = Field(default_factory=dict)


class PersonalData(_Strict):
    """What the personal data involved is, for the regulatory grounds (product.md §4.1)."""

    special_care: Flag = False
    financial: Flag = False
    improper_purpose: Flag = False
    eu_residents: Flag = False
    card_data: Flag = False


class Incident(_Strict):
    accident_types: Annotated[frozenset[AccidentType], Field(min_length=1)]
    discovered_at: Instant
    claim_made_at: Instant | None = None
    occurred_at: Instant | None = None
    country: CountryCode
    attack_confirmed: Flag = False
    culprit: Culprit | None = None
    state_backed: Flag = False
    known_before_first_policy: Flag = False
    affected_persons: Count = 0
    affected_businesses: Count = 0
    personal_data: PersonalData | None = None


class Cost(_Strict):
    """One cost line: a coverage item code or a never-covered kind, and its amount."""

    id: CostId
    item: ItemCode
    amount: Yen
    persons: Count | None = None
    businesses: Count | None = None
    betterment: Yen = 0
    contractual_excess: Yen = 0
    bearer: Bearer = "insured"


class BusinessInterruption(_Strict):
    """The business-interruption inputs of product.md §3.4."""

    outage_start: Instant
    outage_end: Instant
    fiscal_revenue: PositiveYen
    operating_profit: SignedYen = 0
    fixed_costs: Yen = 0
    standard_revenue: Yen = 0
    actual_revenue: Yen = 0
    saved_fixed_costs: Yen = 0
    prevention_spent: Yen = 0
    revenue_loss_avoided: Yen = 0
    continuation_spent: Yen = 0
    costs_avoided: Yen = 0


class ClaimDocument(_Strict):
    """A claim-calculation document (interfaces.md §1.3): the body of ``POST /api/v1/claims/calculate``."""

    policy: Policy
    prior_payments: PriorPayments | None = None
    incident: Incident
    costs: list[Cost]
    bi: BusinessInterruption | None = None


# ------------------------------------------------------------------------------- field descriptions


@dataclasses.dataclass(frozen=True, slots=True)
class FieldSpec:
    """What a field of the document is, for messages: ``kind`` (yen, count, date, datetime, bool, choice,
    text, country, list, object, map), its bounds, its allowed values and, for an object, its keys."""

    kind: str
    minimum: Any = None
    maximum: Any = None
    allowed: tuple[Any, ...] | None = None
    keys: tuple[str, ...] = ()


def _describe(annotation: Any, metadata: list[Any]) -> tuple[FieldSpec, Any]:
    """The spec of an annotation and the annotation inside it to descend into (a model, a list's item)."""
    kinds = [meta for meta in metadata if isinstance(meta, _Kind)]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if kinds:
        found: tuple[FieldSpec, Any] = FieldSpec(kinds[0].name, kinds[0].minimum, kinds[0].maximum), None
    elif origin is Annotated:
        found = _describe(args[0], list(args[1:]))
    elif origin in (typing.Union, UnionType):
        spec, child = _describe(next(a for a in args if a is not type(None)), [])
        if spec.kind == "choice" and spec.allowed is not None:
            spec = dataclasses.replace(spec, allowed=(*spec.allowed, None))
        found = spec, child
    elif origin is Literal:
        found = FieldSpec("choice", allowed=args), None
    elif origin in (list, frozenset):
        found = FieldSpec("list", allowed=_describe(args[0], [])[0].allowed), args[0]
    elif origin is dict:
        found = FieldSpec("map"), args[1]
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found = FieldSpec("object", keys=tuple(annotation.model_fields)), annotation
    else:  # pragma: no cover - a new kind of field must be described here
        raise TypeError(f"no description for {annotation!r}")
    return found


def _walk(model: type[BaseModel], prefix: str, out: dict[str, FieldSpec]) -> None:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        spec, child = _describe(info.annotation, list(info.metadata))
        out[path] = spec
        if child is None:
            continue
        child_spec, grandchild = _describe(child, [])
        if spec.kind == "map":
            out[f"{path}.*"] = child_spec
        elif child_spec.kind == "object":
            if spec.kind == "list":
                out[f"{path}[]"] = child_spec
            else:
                out[path] = child_spec
            assert grandchild is not None  # noqa: S101 - an object always has its model
            _walk(grandchild, f"{path}.", out)
        elif spec.kind == "list":
            out[f"{path}[]"] = child_spec


def _fields() -> Mapping[str, FieldSpec]:
    out: dict[str, FieldSpec] = {"": FieldSpec("object", keys=tuple(ClaimDocument.model_fields))}
    _walk(ClaimDocument, "", out)
    return MappingProxyType(out)


#: Every field of the document by its path without list indices (``costs.amount``); ``""`` is the
#: document itself, ``prior_payments.sublimits.*`` any key of that map, ``costs[]`` and
#: ``incident.accident_types[]`` an element of that list.
FIELDS: Final = _fields()
