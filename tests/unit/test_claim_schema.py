"""The one schema of the claim-calculation document: publishable as JSON Schema, strict, bounded, labelled."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from mamori import calendar, i18n, money
from mamori.claims import schema


def test_the_schema_is_published_as_json_schema_with_every_field_of_the_contract() -> None:
    published = schema.ClaimDocument.model_json_schema()
    json.dumps(published)
    assert set(published["properties"]) == {"policy", "prior_payments", "incident", "costs", "bi"}
    assert published["additionalProperties"] is False
    policy = published["$defs"]["Policy"]
    assert set(policy["required"]) == {"start_date", "liability_limit", "expense_limit", "deductible"}
    assert policy["properties"]["liability_limit"] == {
        "maximum": money.MAX_YEN,
        "minimum": 0,
        "title": "Liability Limit",
        "type": "integer",
    }
    assert policy["properties"]["start_date"]["format"] == "date"
    assert published["$defs"]["Incident"]["properties"]["discovered_at"]["format"] == "date-time"
    assert all(d.get("additionalProperties") is False for d in published["$defs"].values())


def test_every_field_of_the_document_has_a_japanese_and_an_english_label() -> None:
    labels = i18n.catalogue()["fields"]
    paths = {key.removesuffix("[]") for key in schema.FIELDS if key and not key.endswith(".*")}
    missing = sorted(p for p in paths if p not in labels)
    assert missing == []
    assert all(labels[p]["ja"] != labels[p]["en"] for p in paths)


@pytest.mark.parametrize(
    ("key", "kind", "minimum", "maximum"),
    [
        ("policy.liability_limit", "yen", 0, money.MAX_YEN),
        ("bi.operating_profit", "yen", -money.MAX_YEN, money.MAX_YEN),
        ("bi.fiscal_revenue", "yen", 1, money.MAX_YEN),
        ("incident.affected_persons", "count", 0, schema.MAX_COUNT),
        ("policy.start_date", "date", calendar.EARLIEST_DATE, calendar.LATEST_DATE),
        ("incident.discovered_at", "datetime", calendar.EARLIEST_DATE, calendar.LATEST_DATE),
        ("prior_payments.sublimits.*", "yen", 0, money.MAX_YEN),
    ],
)
def test_every_amount_count_and_date_is_bounded(key: str, kind: str, minimum: object, maximum: object) -> None:
    spec = schema.FIELDS[key]
    assert (spec.kind, spec.minimum, spec.maximum) == (kind, minimum, maximum)


def test_choices_list_their_allowed_values_and_null_where_allowed() -> None:
    assert schema.FIELDS["policy.status"].allowed == ("in_force", "cancelled", "lapsed")
    assert schema.FIELDS["incident.culprit"].allowed == ("external", "former_employee", "employee", "director", None)
    assert schema.FIELDS["incident.accident_types[]"].allowed == ("A1", "A2", "A3", "A4", "T0")
    assert schema.FIELDS["costs[]"].keys == tuple(schema.Cost.model_fields)


def test_the_models_are_frozen() -> None:
    policy = schema.Policy.model_validate_json(
        '{"start_date": "2026-04-01", "liability_limit": 1, "expense_limit": 1, "deductible": 0}'
    )
    with pytest.raises(ValidationError):
        policy.deductible = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    ["2026-06-10T09:00:00+09:00", "2026-06-10T00:00:00Z", "2026-06-10 09:00+09:00", "2026-06-10T09:00:00.5-03:30"],
)
def test_an_iso_date_time_with_an_offset_is_read(text: str) -> None:
    incident = schema.Incident.model_validate_json(
        json.dumps({"accident_types": ["A1"], "discovered_at": text, "country": "JP"})
    )
    assert incident.discovered_at.utcoffset() is not None
