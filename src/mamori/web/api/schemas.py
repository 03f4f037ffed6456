"""The typed contract of /api/v1: the bounded types every request schema is made of, the one error shape
and the answers shared by several routers, so that the OpenAPI document constrains what is sent and what
comes back (interfaces.md §2).

Request types are as wide as what the services accept (a date ``YYYY-MM-DD`` or ``YYYY/M/D``, measures as a
list or a comma-separated text) and bounded: every string has a maximum length, every list a maximum count,
every number a range. A value outside its type or bounds is a 422 in the one error model
(:func:`mamori.web.api.errors.install` maps the schema's errors onto the message catalogue's codes); what
depends on the product (an industry, an option amount) is checked by the core with its own codes.

Answers list every field they carry; ``extra="allow"`` keeps keys that explain a document further (and a
key added later) instead of dropping them silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from mamori import money

# ------------------------------------------------------------------------------------------ limits
#: A name, a reference, an id or a code (a business name, a vendor name, a payment reference).
NAME_MAX: Final = 200
#: A text a person writes (an incident summary, a note, a reason).
TEXT_MAX: Final = 10_000
#: An identifier (a UUID, a policy number, an Idempotency-Key is bounded elsewhere).
ID_MAX: Final = 64
#: Items of a list in a request (cost lines, evidence, records of an estimate).
LIST_MAX: Final = 500
#: Keys of a free-form object of a request (an incident block, BI inputs, a draft).
KEYS_MAX: Final = 200


@dataclass(frozen=True, slots=True)
class Between:
    """A number from ``minimum`` to ``maximum``: both bounds in the OpenAPI document and both in the 422's
    params (``E_RANGE`` names both, whichever is broken). ``Annotated[int, Between(0, 100)]``."""

    minimum: int | float
    maximum: int | float

    def check(self, value: Any) -> Any:
        if not self.minimum <= value <= self.maximum:
            raise PydanticCustomError("range", "out of range", {"minimum": self.minimum, "maximum": self.maximum})
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        out = dict(handler(schema))
        out.update(minimum=self.minimum, maximum=self.maximum)
        return out


Yen = Annotated[int, Between(-money.MAX_YEN, money.MAX_YEN), Field(description="yen")]
PositiveYen = Annotated[int, Between(0, money.MAX_YEN), Field(description="yen")]
Percent = Annotated[float, Between(0, 100), Field(description="percent, 0-100, at most four decimals")]
#: A row id of the database (a vendor, a business, a payment).
RowId = Annotated[int, Between(1, 2**31 - 1)]
Name = Annotated[str, Field(max_length=NAME_MAX)]
Text = Annotated[str, Field(max_length=TEXT_MAX)]
Id = Annotated[str, Field(max_length=ID_MAX)]
Day = Annotated[
    str,
    Field(max_length=10, min_length=8, json_schema_extra={"format": "date"}, description="a date YYYY-MM-DD"),
]
Instant = Annotated[
    str,
    Field(max_length=40, json_schema_extra={"format": "date-time"}, description="a date-time with a UTC offset"),
]
#: A JSON object of a request read by the core (an incident block, BI inputs): bounded in keys.
Document = Annotated[dict[str, JsonValue], Field(max_length=KEYS_MAX)]


def core_part(name: str) -> Any:
    """A part of the core's claim document (``Incident``, ``BusinessInterruption``), read as a
    :data:`Document` and validated by the core; documented by the core's own schema (the components
    ``ClaimDocument.<name>`` that :class:`mamori.web.api.app.MamoriApi` adds to the OpenAPI document)."""
    return WithJsonSchema({CORE_PART: name})


#: The mark of a :func:`core_part` in a generated schema, replaced by the ``$ref`` once the components exist.
CORE_PART: Final = "x-mamori-core-part"


def link_core_parts(node: Any) -> Any:
    """``node`` with every :func:`core_part` mark replaced by its ``$ref`` (the OpenAPI document, in place)."""
    if isinstance(node, dict):
        if CORE_PART in node:
            return {"$ref": f"#/components/schemas/ClaimDocument.{node[CORE_PART]}"}
        for key, value in node.items():
            node[key] = link_core_parts(value)
    elif isinstance(node, list):
        node[:] = [link_core_parts(item) for item in node]
    return node


IncidentBlock = Annotated[dict[str, JsonValue], Field(max_length=KEYS_MAX), core_part("Incident")]
BiInputs = Annotated[dict[str, JsonValue], Field(max_length=KEYS_MAX), core_part("BusinessInterruption")]


#: Keys of a body whose further keys are read by the core (quote inputs, a vendor, an estimate).
INPUT_KEYS_MAX: Final = 64


class Inputs(BaseModel):
    """A body whose documented fields are typed here and whose further keys are read by the core, which
    refuses an unknown one with a suggestion (``E_UNKNOWN_FIELD``); at most :data:`INPUT_KEYS_MAX` keys."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"maxProperties": INPUT_KEYS_MAX})
    __pydantic_extra__: dict[str, JsonValue] = Field(init=False)

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) > INPUT_KEYS_MAX:
            raise PydanticCustomError("too_long", "too many keys", {"max_length": INPUT_KEYS_MAX})
        return data


class Open(BaseModel):
    """An answer: every field it carries is listed; further explanatory keys are kept, not dropped."""

    model_config = ConfigDict(extra="allow")


# ------------------------------------------------------------------------------------------ errors


class ErrorItem(Open):
    field: str = Field(description="the field or document path (``$`` for the request as a whole)")
    code: str = Field(description="a code of the message catalogue, e.g. E_RANGE")
    message: str = Field(description="the message in Japanese or English (Accept-Language)")
    allowed: list[JsonValue] | None = Field(None, description="the values allowed, when known")
    params: dict[str, JsonValue] = Field(default_factory=dict, description="what fills the message")


class ErrorsOut(Open):
    """The one error shape of every answer under /api/v1 that is not a success."""

    errors: list[ErrorItem]


ERRORS: Final[dict[int, Any]] = {401: ErrorsOut, 403: ErrorsOut, 404: ErrorsOut, 409: ErrorsOut, 422: ErrorsOut}


def binary(content_type: str, description: str) -> dict[str, Any]:
    """``openapi_extra`` of a route whose success is a file (a PDF, an attachment), not JSON."""
    schema = {"type": "string", "format": "binary"}
    return {"responses": {200: {"description": description, "content": {content_type: {"schema": schema}}}}}


# ------------------------------------------------------------------------------------------ shared answers


class Reason(Open):
    code: str
    kind: str | None = None
    message: str | None = None


class BusinessRef(Open):
    id: int
    name: str
    entity: str


class InstallmentOut(Open):
    number: int
    due_date: str
    amount: int
    paid: int
    status: Literal["due", "paid", "cancelled"] | str


class PolicyOut(Open):
    number: str
    status: str = Field(description="in_force, cancelled, lapsed or expired")
    version: int
    start_date: str
    end_date: str
    start_at: str
    end_at: str
    ended_at: str | None
    retroactive_date: str
    payment: str
    monthly_premium: int | None
    annual_premium: int | None
    liability_limit: int
    expense_limit: int
    deductible: int
    bi_limit: int
    pd_rider: bool
    business: BusinessRef
    product: str
    product_version: str
    product_hash: str
    installments: list[InstallmentOut]
    received: int
    credit: int
    refunds: int
    owed: int


class ApplicationOut(Open):
    id: str
    status: str = Field(description="approved, referred, declined, bound …")
    reasons: list[Reason]
    monthly_premium: int | None
    annual_premium: int | None
    start: str
    payment: str
    business: BusinessRef
    quote_id: str
    product_version: str
    decision_reason: str | None
    premium_reason: str | None
    policy_number: str | None


class DeadlineOut(Open):
    kind: str
    due: str | None
    filed_at: str | None
    time_left_seconds: int | None
    time_left: str | None
    overdue: bool


class CalculationOut(Open):
    """The answer of ``mamori claim calculate --json`` (interfaces.md §1.3)."""

    payable_total: int
    sections: dict[str, JsonValue]
    deductible: int | None = None
    lines: list[JsonValue] = Field(default_factory=list)
    regulatory: dict[str, JsonValue] | None = None
    emergency_support: dict[str, JsonValue] | None = None
