"""A claim-calculation document, validated: the schema, then the checks of the product.

:func:`parse_document` takes the document as JSON bytes or text and returns a :class:`Claim`: the
document's values and the product version whose terms apply. The text is strict JSON already: the use
cases refuse duplicate keys, NaN and malformed text with :mod:`mamori.io.jsonio` first (a lenient
parser, pydantic's included, keeps the last of two equal keys).

Every problem is collected before :class:`~mamori.errors.InvalidInput` is raised, each a
:class:`~mamori.errors.FieldError` with the field's path (``costs[2].amount``), a catalogued code and
the values that explain it (the allowed values, the bounds, the closest known key). Unknown keys are
refused, so that a misspelt amount (``"betterment "``) can never be silently ignored and paid.

Order of the checks: the shape (:mod:`mamori.claims.schema`, in pydantic's compiled JSON mode); then
what needs the product version or compares fields: the version in force for the start date (or the
policy's own version), the retroactive date, the end of cover, occurrence before discovery, cost items
the version knows, counts only on capped items, contractual excess only on liability, parts not above
the amount, unique line ids, the outage end after its start, sublimits of items that have one. When the
shape is wrong somewhere, the other checks still run on every field that has the right shape, so that
one answer lists every problem.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from mamori import catalog as catalog_mod
from mamori import errors
from mamori.catalog.coverage import CoverageTerms
from mamori.claims import schema
from mamori.errors import FieldError, InvalidInput

__all__ = ["ROOT", "Claim", "field_errors", "parse_document"]

_SECTIONS: Final = tuple(schema.ClaimDocument.model_fields)  # document order, for the order of problems
#: The field of a problem of the whole document.
ROOT: Final = "$"
_BOM: Final = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """A validated claim: the document's values and the product version whose terms apply.

    Defaults are resolved: ``retroactive_date`` is the policy's or its start date, ``prior`` and
    ``personal_data`` are all zero/false when the document leaves them out.
    """

    version: catalog_mod.ProductVersion
    policy: schema.Policy
    retroactive_date: dt.date
    prior: schema.PriorPayments
    incident: schema.Incident
    personal_data: schema.PersonalData
    costs: tuple[schema.Cost, ...]
    bi: schema.BusinessInterruption | None


_NO_PRIOR: Final = schema.PriorPayments()
_NO_PERSONAL_DATA: Final = schema.PersonalData()


def parse_document(
    data: bytes | str,
    *,
    catalog: catalog_mod.Catalog,
    version: catalog_mod.ProductVersion | None = None,
) -> Claim:
    """Validate a claim-calculation document (strict JSON text); raise InvalidInput listing every problem.

    ``version``: the product version the caller already knows applies (a policy keeps its own); when
    None, the document's ``policy.product_version``, else the version in force on its start date.
    """
    raw = (data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")).removeprefix(_BOM)
    try:
        doc = schema.ClaimDocument.model_validate_json(raw)
    except ValidationError as exc:
        problems = field_errors(exc)
        problems.extend(_checks_of_valid_parts(raw, problems, catalog, version))
        raise InvalidInput(_in_document_order(problems)) from None
    problems = []
    policy_values = vars(doc.policy)
    chosen = _version(policy_values, catalog, version, problems)
    _check_policy(policy_values, chosen, problems)
    if doc.prior_payments is not None:
        _check_prior(vars(doc.prior_payments), chosen, problems)
    _check_incident(vars(doc.incident), problems)
    _check_costs(((i, vars(cost)) for i, cost in enumerate(doc.costs)), chosen, problems)
    if doc.bi is not None:
        _check_bi(vars(doc.bi), problems)
    if problems or chosen is None:
        raise InvalidInput(problems)
    policy = doc.policy
    return Claim(
        version=chosen,
        policy=policy,
        retroactive_date=policy.start_date if policy.retroactive_date is None else policy.retroactive_date,
        prior=_NO_PRIOR if doc.prior_payments is None else doc.prior_payments,
        incident=doc.incident,
        personal_data=_NO_PERSONAL_DATA if doc.incident.personal_data is None else doc.incident.personal_data,
        costs=tuple(doc.costs),
        bi=doc.bi,
    )


# --------------------------------------------------------------------------- schema problems


def _spec_key(loc: Sequence[int | str]) -> str:
    """The :data:`schema.FIELDS` key of an error location (``costs.amount`` for ``('costs', 2, 'amount')``)."""
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += "[]"
            continue
        base = key.removesuffix("[]")
        spec = schema.FIELDS.get(base)
        key = f"{base}.*" if spec is not None and spec.kind == "map" else (f"{base}.{part}" if base else part)
    return key


def _path(loc: Sequence[int | str]) -> str:
    """The field of an error location as users write it: ``costs[2].amount``, ``$`` for the document."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or ROOT


#: (kind of field, pydantic error type) → catalogued code. Every error type the schema can produce is
#: listed (tests feed random values to every field); anything else is E_INVALID, which tests refuse.
_CODES: Final[Mapping[tuple[str, str], str]] = {
    **{(kind, t): "E_INTEGER" for kind in ("yen", "count") for t in ("int_type", "int_parsing", "int_from_float")},
    **{
        (kind, t): code
        for kind, code in (
            ("yen", "E_RANGE"),
            ("count", "E_RANGE"),
            ("date", "E_DATE_RANGE"),
            ("datetime", "E_DATETIME_RANGE"),
        )
        for t in ("greater_than_equal", "less_than_equal", "greater_than", "less_than", "int_parsing_size")
    },
    **{
        ("date", t): "E_DATE"
        for t in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact")
    },
    **{
        ("datetime", t): "E_DATETIME"
        for t in (
            "string_type",
            "string_pattern_mismatch",
            "datetime_type",
            "datetime_parsing",
            "datetime_from_date_parsing",
            "datetime_object_invalid",
            "timezone_aware",
        )
    },
    ("bool", "bool_type"): "E_BOOLEAN",
    ("bool", "bool_parsing"): "E_BOOLEAN",
    ("choice", "literal_error"): "E_CHOICE",
    ("choice", "enum"): "E_CHOICE",
    ("country", "string_type"): "E_COUNTRY",
    ("country", "string_pattern_mismatch"): "E_COUNTRY",
    ("text", "string_type"): "E_TEXT",
    ("text", "string_too_short"): "E_TEXT",
    ("text", "string_pattern_mismatch"): "E_TEXT",
    ("text", "string_too_long"): "E_TEXT_TOO_LONG",
    ("list", "list_type"): "E_LIST",
    ("list", "frozen_set_type"): "E_LIST",
    ("list", "set_type"): "E_LIST",
    ("list", "too_short"): "E_LIST_EMPTY",
    ("object", "model_type"): "E_OBJECT",
    ("object", "model_attributes_type"): "E_OBJECT",
    ("object", "dict_type"): "E_OBJECT",
    ("map", "dict_type"): "E_OBJECT",
}
_ANY_KIND: Final[Mapping[str, str]] = {
    "missing": "E_REQUIRED",
    "extra_forbidden": "E_UNKNOWN_FIELD",
    "json_invalid": "E_JSON_SYNTAX",
    "json_type": "E_JSON_SYNTAX",
}


def _value(value: Any) -> Any:
    """A value for ``params``: scalars as given, anything larger as its (shortened) JSON text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= errors.SHOWN_MAX else errors.shown(value)
    return errors.shown(value)


def _shown_allowed(allowed: Iterable[Any]) -> list[Any]:
    return ["null" if a is None else a for a in allowed]


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Every schema problem as a FieldError with a catalogued code (never pydantic's English)."""
    return [_field_error(e) for e in exc.errors(include_url=False)]


def _field_error(err: ErrorDetails) -> FieldError:
    loc = err["loc"]
    kind_of_error = err["type"]
    key = _spec_key(loc)
    spec = schema.FIELDS.get(key)
    field = _path(loc)
    if kind_of_error == "extra_forbidden":
        parent = schema.FIELDS.get(_spec_key(loc[:-1]))
        known = parent.keys if parent is not None else ()
        name = str(loc[-1])
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        return FieldError(field, "E_UNKNOWN_FIELD", {"allowed": list(known), "suggestion": close[0] if close else ""})
    if kind_of_error == "missing":
        params: dict[str, Any] = {}
        if spec is not None and spec.allowed is not None:
            params["allowed"] = _shown_allowed(spec.allowed)
        return FieldError(field, "E_REQUIRED", params)
    code = _ANY_KIND.get(kind_of_error)
    if code is None and spec is not None:
        code = _CODES.get((spec.kind, kind_of_error))
    value = err.get("input")
    params = {"value": errors.from_json(code, _value(value))}
    if code is None:
        return FieldError(field, "E_INVALID", {**params, "type": kind_of_error})
    if spec is not None:
        if code == "E_RANGE":
            params |= {"minimum": f"{spec.minimum:,}", "maximum": f"{spec.maximum:,}"}
        elif code in ("E_DATE_RANGE", "E_DATETIME_RANGE"):
            params |= {"minimum": spec.minimum, "maximum": spec.maximum}
        elif code == "E_TEXT_TOO_LONG":
            params |= {"maximum": spec.maximum, "length": len(value) if isinstance(value, str) else 0}
        if spec.allowed is not None and code in ("E_CHOICE", "E_LIST", "E_LIST_EMPTY"):
            params["allowed"] = _shown_allowed(spec.allowed)
    if code == "E_JSON_SYNTAX":
        ctx = err.get("ctx") or {}
        params = {"line": 0, "column": 0, "problem": str(ctx.get("error", kind_of_error))}
    return FieldError(field, code, params)


# -------------------------------------------------------------------------- when the shape is wrong


def _checks_of_valid_parts(
    raw: bytes,
    problems: list[FieldError],
    catalog: catalog_mod.Catalog,
    given: catalog_mod.ProductVersion | None,
) -> list[FieldError]:
    """The product and cross-field checks of every field whose shape is right (the error path only)."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(parsed, dict):
        return []
    bad = {e.field for e in problems}
    found: list[FieldError] = []
    policy = _valid_fields(schema.Policy, parsed.get("policy"), "policy", bad)
    chosen = _version(policy, catalog, given, found)
    _check_policy(policy, chosen, found)
    _check_prior(
        _valid_fields(schema.PriorPayments, parsed.get("prior_payments"), "prior_payments", bad), chosen, found
    )
    _check_incident(_valid_fields(schema.Incident, parsed.get("incident"), "incident", bad), found)
    costs = parsed.get("costs")
    if isinstance(costs, list):
        lines = [(i, _valid_fields(schema.Cost, entry, f"costs[{i}]", bad)) for i, entry in enumerate(costs)]
        _check_costs(lines, chosen, found)
    _check_bi(_valid_fields(schema.BusinessInterruption, parsed.get("bi"), "bi", bad), found)
    return found


def _valid_fields(model: type[BaseModel], raw: Any, path: str, bad: set[str]) -> Mapping[str, Any]:
    """The fields of one object of the document that are valid on their own (defaults for absent ones)."""
    if not isinstance(raw, dict):
        return {}
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if f"{path}.{name}" in bad or any(f.startswith((f"{path}.{name}.", f"{path}.{name}[")) for f in bad):
            continue
        if name not in raw:
            if not info.is_required():
                values[name] = info.get_default(call_default_factory=True)
            continue
        try:
            values[name] = _adapter(model, name).validate_json(json.dumps(raw[name], allow_nan=False))
        except (ValidationError, TypeError, ValueError):
            continue
    return values


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    annotation: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return TypeAdapter(annotation, config=ConfigDict(strict=True))


def _in_document_order(problems: list[FieldError]) -> list[FieldError]:
    def rank(e: FieldError) -> tuple[int, int]:
        head = e.field.split(".", 1)[0]
        section, _, index = head.partition("[")
        number = index.rstrip("]")
        return (_SECTIONS.index(section) if section in _SECTIONS else -1), (int(number) if number.isdigit() else -1)

    return sorted(problems, key=rank)


# ---------------------------------------------------------------------------------- the checks
# Each check reads a mapping of field values (a valid model's own, or the valid fields of an invalid
# object), so that the same rule runs whether or not the rest of the document is well formed.


def _version(
    policy: Mapping[str, Any],
    catalog: catalog_mod.Catalog,
    given: catalog_mod.ProductVersion | None,
    found: list[FieldError],
) -> catalog_mod.ProductVersion | None:
    """The product version whose terms apply, or None (with the problem) when there is none."""
    named: str | None = policy.get("product_version")
    start: dt.date | None = policy.get("start_date")
    if given is not None:
        chosen = given
        if named is not None and named != given.version:
            found.append(
                FieldError("policy.product_version", "E_VERSION_MISMATCH", {"value": named, "version": given.version})
            )
    elif named is not None:
        try:
            chosen = catalog.get(named)
        except catalog_mod.UnknownVersion as exc:
            found.append(
                FieldError("policy.product_version", "E_VERSION_UNKNOWN", {"value": named, "allowed": exc.known})
            )
            return None
    elif start is None:
        return None
    else:
        try:
            return catalog.in_force(start)
        except catalog_mod.NoProductInForce as exc:
            earliest = exc.earliest.isoformat() if exc.earliest else ""
            found.append(FieldError("policy.start_date", "E_NO_PRODUCT", {"value": start, "earliest": earliest}))
            return None
    if start is not None and start < chosen.effective_from:
        found.append(
            FieldError(
                "policy.start_date",
                "E_VERSION_NOT_IN_FORCE",
                {"value": start, "version": chosen.version, "effective_from": chosen.effective_from},
            )
        )
    return chosen


def _check_policy(
    policy: Mapping[str, Any], version: catalog_mod.ProductVersion | None, found: list[FieldError]
) -> None:
    start: dt.date | None = policy.get("start_date")
    retro: dt.date | None = policy.get("retroactive_date")
    if retro is not None and start is not None and retro > start:
        found.append(
            FieldError("policy.retroactive_date", "E_RETROACTIVE_AFTER_START", {"value": retro, "start_date": start})
        )
    status: str | None = policy.get("status")
    if status is None or "ended_at" not in policy:
        return
    ended: dt.datetime | None = policy["ended_at"]
    if status == "in_force":
        if ended is not None:
            found.append(FieldError("policy.ended_at", "E_ENDED_AT_IN_FORCE", {"value": ended.isoformat()}))
        return
    if ended is None:
        found.append(FieldError("policy.ended_at", "E_ENDED_AT_REQUIRED", {"status": status}))
        return
    if start is None or version is None:
        return
    term_start, term_end = version.term_start_at(start), version.term_end_at(start)
    if not term_start <= ended <= term_end:
        params = {"value": ended.isoformat(), "start": term_start.isoformat(), "end": term_end.isoformat()}
        found.append(FieldError("policy.ended_at", "E_ENDED_AT_OUTSIDE_TERM", params))


def _check_prior(prior: Mapping[str, Any], version: catalog_mod.ProductVersion | None, found: list[FieldError]) -> None:
    sublimits: Mapping[str, int] | None = prior.get("sublimits")
    if not sublimits or version is None:
        return
    with_sublimit = version.coverage.sublimit_items
    found.extend(
        FieldError(f"prior_payments.sublimits.{code}", "E_SUBLIMIT_ITEM", {"value": code, "allowed": with_sublimit})
        for code in sublimits
        if code not in with_sublimit
    )


def _check_incident(incident: Mapping[str, Any], found: list[FieldError]) -> None:
    occurred: dt.datetime | None = incident.get("occurred_at")
    if occurred is None:
        return
    discovered: dt.datetime | None = incident.get("discovered_at")
    if discovered is not None and occurred > discovered:
        params = {"value": occurred.isoformat(), "discovered_at": discovered.isoformat()}
        found.append(FieldError("incident.occurred_at", "E_OCCURRED_AFTER_DISCOVERY", params))
    claim: dt.datetime | None = incident.get("claim_made_at")
    if claim is not None and claim < occurred:
        params = {"value": claim.isoformat(), "occurred_at": occurred.isoformat()}
        found.append(FieldError("incident.claim_made_at", "E_CLAIM_BEFORE_OCCURRENCE", params))


def _check_costs(
    costs: Iterable[tuple[int, Mapping[str, Any]]], version: catalog_mod.ProductVersion | None, found: list[FieldError]
) -> None:
    first_use: dict[str, int] = {}
    terms = None if version is None else version.coverage
    for i, cost in costs:
        cid: str | None = cost.get("id")
        if cid is not None:
            if cid in first_use:
                first = f"costs[{first_use[cid]}]"
                found.append(FieldError(f"costs[{i}].id", "E_DUPLICATE_ID", {"value": cid, "first": first}))
            else:
                first_use[cid] = i
        amount: int | None = cost.get("amount")
        betterment: int | None = cost.get("betterment")
        excess: int | None = cost.get("contractual_excess")
        if amount is not None and betterment is not None and excess is not None and betterment + excess > amount:
            key = "contractual_excess" if betterment <= amount else "betterment"
            parts = betterment + excess
            found.append(FieldError(f"costs[{i}].{key}", "E_PARTS_ABOVE_AMOUNT", {"parts": parts, "amount": amount}))
        code: str | None = cost.get("item")
        if terms is not None and code is not None:
            _check_item(i, cost, code, terms, found)


def _check_item(i: int, cost: Mapping[str, Any], code: str, terms: CoverageTerms, found: list[FieldError]) -> None:
    """A line's item is one the version knows, and carries only the parts and counts that item can have."""
    item = terms.items.get(code)
    if item is None:
        if code not in terms.cost_kind_set:
            found.append(FieldError(f"costs[{i}].item", "E_CHOICE", {"value": code, "allowed": terms.cost_kinds}))
        return
    if item.per_person_cap is None and (cost.get("persons") is not None or cost.get("businesses") is not None):
        capped = tuple(c for c, it in terms.items.items() if it.per_person_cap is not None)
        for key in ("persons", "businesses"):
            if cost.get(key) is not None:
                params = {"allowed": capped, "item": code}
                found.append(FieldError(f"costs[{i}].{key}", "E_COUNTS_NOT_ALLOWED", params))
    excess = cost.get("contractual_excess")
    if excess and code not in terms.liability_items:
        params = {"allowed": terms.liability_items, "item": code, "value": excess}
        found.append(FieldError(f"costs[{i}].contractual_excess", "E_LIABILITY_ONLY", params))


def _check_bi(bi: Mapping[str, Any], found: list[FieldError]) -> None:
    start: dt.datetime | None = bi.get("outage_start")
    end: dt.datetime | None = bi.get("outage_end")
    if start is not None and end is not None and end <= start:
        found.append(
            FieldError("bi.outage_end", "E_OUTAGE_END", {"value": end.isoformat(), "outage_start": start.isoformat()})
        )
