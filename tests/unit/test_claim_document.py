"""Validation of the claim-calculation document (interfaces.md §1.3): every bad field is named by its JSON path."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from mamori.claims import document

# The example document of interfaces.md §1.3, kept once as data for every test that starts from it.
BASE: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "data" / "interface_claim_example.json").read_text(encoding="utf-8")
)


def with_change(path: str, value: Any) -> dict[str, Any]:
    """BASE with one value replaced (``value`` = ... deletes it); path like ``costs.2.amount``."""
    doc = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return doc


def issues_of(doc: Any) -> list[tuple[str, str]]:
    with pytest.raises(document.DocumentError) as info:
        document.parse_document(doc)
    return [(i.path, i.expected) for i in info.value.issues]


def test_the_interface_example_is_a_valid_document() -> None:
    doc = document.parse_document(copy.deepcopy(BASE))
    assert doc.policy.start_date == dt.date(2026, 4, 1)
    assert doc.incident.accident_types == frozenset({"A1", "A2"})
    assert [c.item for c in doc.costs] == ["EX_FORENSICS", "EX_CONDOLENCE", "EX_DATA_RESTORE", "RANSOM", "LI_DAMAGES"]
    assert doc.costs[2].betterment == 1_000_000
    assert doc.product.version == "2025-04"


@pytest.mark.parametrize(
    ("path", "value", "where", "expected"),
    [
        ("costs.2.amount", -1, "$.costs[2].amount", "yen"),
        ("costs.2.amount", 1.5, "$.costs[2].amount", "yen"),
        ("costs.2.amount", "100", "$.costs[2].amount", "yen"),
        ("costs.2.amount", True, "$.costs[2].amount", "yen"),
        ("costs.2.amount", ..., "$.costs[2].amount", "required"),
        ("costs.0.item", "EX_COFFEE", "$.costs[0].item", "enum"),
        ("costs.4.bearer", "someone", "$.costs[4].bearer", "enum"),
        ("costs.1.id", "c1", "$.costs[1].id", "unique_id"),
        ("costs.2.betterment", 5_000_000, "$.costs[2].betterment", "not_above_amount"),
        ("costs.0.persons", 3, "$.costs[0].persons", "condolence_only"),
        ("costs.0.contractual_excess", 3, "$.costs[0].contractual_excess", "liability_only"),
        ("costs.0.ammount", 3, "$.costs[0].ammount", "unknown"),
        ("costs", {}, "$.costs", "array"),
        ("costs", ..., "$.costs", "required"),
        ("policy.start_date", "2025-03-31", "$.policy.start_date", "product"),
        ("policy.start_date", "2026/04/01", "$.policy.start_date", "date"),
        ("policy.liability_limit", None, "$.policy.liability_limit", "yen"),
        ("policy.deductible", ..., "$.policy.deductible", "required"),
        ("policy.pd_rider", "yes", "$.policy.pd_rider", "bool"),
        ("policy.status", "suspended", "$.policy.status", "enum"),
        ("policy.status", "cancelled", "$.policy.ended_at", "ended_needed"),
        ("policy.ended_at", "2026-06-01T00:00:00+09:00", "$.policy.ended_at", "ended_null"),
        ("policy.retroactive_date", "2026-05-01", "$.policy.retroactive_date", "not_after_start"),
        ("incident.discovered_at", "2026-06-10T09:00:00", "$.incident.discovered_at", "datetime"),
        ("incident.discovered_at", "2026-06-10", "$.incident.discovered_at", "datetime"),
        ("incident.claim_made_at", "2026-05-01T00:00:00+09:00", "$.incident.claim_made_at", "not_before_occurrence"),
        ("incident.occurred_at", "2026-07-01T00:00:00+09:00", "$.incident.occurred_at", "not_after_discovery"),
        ("incident.accident_types", [], "$.incident.accident_types", "accident_types"),
        ("incident.accident_types", ["A5"], "$.incident.accident_types", "accident_types"),
        ("incident.country", "jp", "$.incident.country", "country"),
        ("incident.culprit", "alien", "$.incident.culprit", "enum"),
        ("incident.affected_persons", -3, "$.incident.affected_persons", "count"),
        ("incident.personal_data.card_data", 1, "$.incident.personal_data.card_data", "bool"),
        ("prior_payments.expense", -5, "$.prior_payments.expense", "yen"),
        ("prior_payments.sublimits", {"EX_FORENSICS": 5}, "$.prior_payments.sublimits.EX_FORENSICS", "sublimit_item"),
        ("bi", {"outage_start": "2026-06-10T09:00:00+09:00"}, "$.bi.outage_end", "required"),
        ("bi", [], "$.bi", "object"),
    ],
)
def test_a_bad_field_is_reported_by_its_json_path_and_what_was_expected(
    path: str, value: Any, where: str, expected: str
) -> None:
    assert (where, expected) in issues_of(with_change(path, value))


def test_every_problem_is_reported_at_once() -> None:
    doc = with_change("costs.2.amount", -1)
    doc["policy"]["pd_rider"] = "no"
    doc["incident"]["country"] = "Japan"
    paths = [p for p, _ in issues_of(doc)]
    assert paths == ["$.policy.pd_rider", "$.incident.country", "$.costs[2].amount"]


def test_a_document_that_is_not_an_object_is_refused() -> None:
    assert issues_of([1, 2]) == [("$", "object")]


def test_bi_end_must_come_after_its_start() -> None:
    bi = {"outage_start": "2026-06-10T09:00:00+09:00", "outage_end": "2026-06-10T09:00:00+09:00", "fiscal_revenue": 1}
    assert ("$.bi.outage_end", "after_outage_start") in issues_of(with_change("bi", bi))


def test_bi_needs_a_positive_fiscal_revenue_for_the_profit_rate() -> None:
    bi = {"outage_start": "2026-06-10T09:00:00+09:00", "outage_end": "2026-06-11T09:00:00+09:00", "fiscal_revenue": 0}
    assert ("$.bi.fiscal_revenue", "positive_yen") in issues_of(with_change("bi", bi))


def test_a_negative_operating_profit_is_allowed() -> None:
    bi = {
        "outage_start": "2026-06-10T09:00:00+09:00",
        "outage_end": "2026-06-11T09:00:00+09:00",
        "fiscal_revenue": 100,
        "operating_profit": -50,
    }
    assert document.parse_document(with_change("bi", bi)).bi is not None


def test_ended_at_must_fall_within_the_policy_period() -> None:
    doc = with_change("policy.status", "cancelled")
    doc["policy"]["ended_at"] = "2028-01-01T00:00:00+09:00"
    assert ("$.policy.ended_at", "within_term") in issues_of(doc)


def test_optional_fields_take_their_documented_defaults() -> None:
    doc = copy.deepcopy(BASE)
    for key in ("bi_limit", "pd_rider", "retroactive_date", "status", "ended_at"):
        del doc["policy"][key]
    del doc["prior_payments"]
    del doc["bi"]
    parsed = document.parse_document(doc)
    assert parsed.policy.retroactive_date == parsed.policy.start_date
    assert (parsed.policy.bi_limit, parsed.policy.pd_rider, parsed.policy.status) == (0, False, "in_force")
    assert parsed.prior == document.PriorPayments()


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "$.costs[2].amount: expected a whole number of yen, 0 or more; got -1"),
        ("ja", "$.costs[2].amount：0以上の整数（円）を指定してください（入力値：-1）"),
    ],
)
def test_messages_are_bilingual(lang: str, text: str) -> None:
    with pytest.raises(document.DocumentError) as info:
        document.parse_document(with_change("costs.2.amount", -1))
    assert info.value.messages(lang) == [text]
