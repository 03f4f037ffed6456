"""Validation of the claim-calculation document (interfaces.md §1.3): every bad field is named by its path,
with a catalogued code, a Japanese and an English message, and what is allowed."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from mamori import catalog as catalog_mod
from mamori.claims import document, schema
from mamori.errors import FieldError, InvalidInput
from mamori.usecases import claims as claim_usecases

# The example document of interfaces.md §1.3, kept once as data for every test that starts from it.
BASE: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "data" / "interface_claim_example.json").read_text(encoding="utf-8")
)
CATALOG = catalog_mod.FolderCatalog()


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


def parse(doc: Any, **kw: Any) -> document.Claim:
    return document.parse_document(json.dumps(doc, ensure_ascii=False), catalog=CATALOG, **kw)


def errors_of(doc: Any, **kw: Any) -> list[FieldError]:
    with pytest.raises(InvalidInput) as info:
        parse(doc, **kw)
    return list(info.value.errors)


def problems_of(doc: Any, **kw: Any) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in errors_of(doc, **kw)]


def test_the_interface_example_is_a_valid_document() -> None:
    claim = parse(BASE)
    assert claim.policy.start_date == dt.date(2026, 4, 1)
    assert claim.incident.accident_types == frozenset({"A1", "A2"})
    assert [c.item for c in claim.costs] == ["EX_FORENSICS", "EX_CONDOLENCE", "EX_DATA_RESTORE", "RANSOM", "LI_DAMAGES"]
    assert claim.costs[2].betterment == 1_000_000
    assert claim.version.version == "2025-04"


@pytest.mark.parametrize(
    ("path", "value", "field", "code"),
    [
        ("costs.2.amount", -1, "costs[2].amount", "E_RANGE"),
        ("costs.2.amount", 1.5, "costs[2].amount", "E_INTEGER"),
        ("costs.2.amount", "100", "costs[2].amount", "E_INTEGER"),
        ("costs.2.amount", True, "costs[2].amount", "E_INTEGER"),
        ("costs.2.amount", 10**15 + 1, "costs[2].amount", "E_RANGE"),
        ("costs.2.amount", 10**30, "costs[2].amount", "E_RANGE"),
        ("costs.2.amount", ..., "costs[2].amount", "E_REQUIRED"),
        ("costs.0.item", "EX_COFFEE", "costs[0].item", "E_CHOICE"),
        ("costs.0.id", "  ", "costs[0].id", "E_TEXT"),
        ("costs.0.id", "x" * 201, "costs[0].id", "E_TEXT_TOO_LONG"),
        ("costs.4.bearer", "someone", "costs[4].bearer", "E_CHOICE"),
        ("costs.1.id", "c1", "costs[1].id", "E_DUPLICATE_ID"),
        ("costs.2.betterment", 5_000_000, "costs[2].betterment", "E_PARTS_ABOVE_AMOUNT"),
        ("costs.0.persons", 3, "costs[0].persons", "E_COUNTS_NOT_ALLOWED"),
        ("costs.0.contractual_excess", 3, "costs[0].contractual_excess", "E_LIABILITY_ONLY"),
        ("costs.0.ammount", 3, "costs[0].ammount", "E_UNKNOWN_FIELD"),
        ("costs", {}, "costs", "E_LIST"),
        ("costs", ..., "costs", "E_REQUIRED"),
        ("policy.start_date", "2025-03-31", "policy.start_date", "E_NO_PRODUCT"),
        ("policy.start_date", "2026/04/01", "policy.start_date", "E_DATE"),
        ("policy.start_date", 20260401, "policy.start_date", "E_DATE"),
        ("policy.start_date", "9999-04-01", "policy.start_date", "E_DATE_RANGE"),
        ("policy.liability_limit", None, "policy.liability_limit", "E_INTEGER"),
        ("policy.deductible", ..., "policy.deductible", "E_REQUIRED"),
        ("policy.pd_rider", "yes", "policy.pd_rider", "E_BOOLEAN"),
        ("policy.status", "suspended", "policy.status", "E_CHOICE"),
        ("policy.status", "cancelled", "policy.ended_at", "E_ENDED_AT_REQUIRED"),
        ("policy.ended_at", "2026-06-01T00:00:00+09:00", "policy.ended_at", "E_ENDED_AT_IN_FORCE"),
        ("policy.retroactive_date", "2026-05-01", "policy.retroactive_date", "E_RETROACTIVE_AFTER_START"),
        ("policy.product_version", "2031-01", "policy.product_version", "E_VERSION_UNKNOWN"),
        ("incident.discovered_at", "2026-06-10T09:00:00", "incident.discovered_at", "E_DATETIME"),
        ("incident.discovered_at", "2026-06-10", "incident.discovered_at", "E_DATETIME"),
        ("incident.discovered_at", "1781078400", "incident.discovered_at", "E_DATETIME"),
        ("incident.discovered_at", 1781078400, "incident.discovered_at", "E_DATETIME"),
        ("incident.discovered_at", "9999-12-31T23:00:00+09:00", "incident.discovered_at", "E_DATETIME_RANGE"),
        ("incident.discovered_at", "1899-12-31T00:00:00+09:00", "incident.discovered_at", "E_DATETIME_RANGE"),
        ("incident.claim_made_at", "2026-05-01T00:00:00+09:00", "incident.claim_made_at", "E_CLAIM_BEFORE_OCCURRENCE"),
        ("incident.occurred_at", "2026-07-01T00:00:00+09:00", "incident.occurred_at", "E_OCCURRED_AFTER_DISCOVERY"),
        ("incident.accident_types", [], "incident.accident_types", "E_LIST_EMPTY"),
        ("incident.accident_types", ["A5"], "incident.accident_types[0]", "E_CHOICE"),
        ("incident.accident_types", "A1", "incident.accident_types", "E_LIST"),
        ("incident.country", "jp", "incident.country", "E_COUNTRY"),
        ("incident.country", "JP\u3000", "incident.country", "E_COUNTRY"),
        ("incident.culprit", "alien", "incident.culprit", "E_CHOICE"),
        ("incident.affected_persons", -3, "incident.affected_persons", "E_RANGE"),
        ("incident.affected_persons", 10**9 + 1, "incident.affected_persons", "E_RANGE"),
        ("incident.personal_data.card_data", 1, "incident.personal_data.card_data", "E_BOOLEAN"),
        ("prior_payments.expense", -5, "prior_payments.expense", "E_RANGE"),
        ("prior_payments.sublimits", {"EX_FORENSICS": 5}, "prior_payments.sublimits.EX_FORENSICS", "E_SUBLIMIT_ITEM"),
        ("prior_payments.sublimits", {"EX_PREVENTION": -5}, "prior_payments.sublimits.EX_PREVENTION", "E_RANGE"),
        ("bi", {"outage_start": "2026-06-10T09:00:00+09:00"}, "bi.outage_end", "E_REQUIRED"),
        ("bi", [], "bi", "E_OBJECT"),
        ("policy", [], "policy", "E_OBJECT"),
    ],
)
def test_a_bad_field_is_reported_by_its_path_and_a_catalogued_code(
    path: str, value: Any, field: str, code: str
) -> None:
    assert (field, code) in problems_of(with_change(path, value))


def test_every_problem_is_reported_at_once_in_document_order() -> None:
    doc = with_change("costs.2.amount", -1)
    doc["policy"]["pd_rider"] = "no"
    doc["policy"]["retroactive_date"] = "2026-05-01"
    doc["incident"]["country"] = "Japan"
    doc["costs"][4]["id"] = "c1"
    assert problems_of(doc) == [
        ("policy.pd_rider", "E_BOOLEAN"),
        ("policy.retroactive_date", "E_RETROACTIVE_AFTER_START"),
        ("incident.country", "E_COUNTRY"),
        ("costs[2].amount", "E_RANGE"),
        ("costs[4].id", "E_DUPLICATE_ID"),
    ]


def test_a_document_that_is_not_an_object_is_refused() -> None:
    assert problems_of([1, 2]) == [("$", "E_OBJECT")]


def test_an_unknown_key_names_the_closest_known_key_and_every_allowed_one() -> None:
    (error,) = errors_of(with_change("costs.0.ammount", 3))
    assert error.params["suggestion"] == "amount"
    assert error.params["allowed"] == list(schema.Cost.model_fields)
    assert "「amount」の誤りではありませんか" in error.message("ja")
    assert "Did you mean amount?" in error.message("en")


def test_an_unknown_cost_item_lists_the_items_of_the_product_version() -> None:
    (error,) = errors_of(with_change("costs.0.item", "EX_COFFEE"))
    assert list(error.params["allowed"]) == [*CATALOG.get("2025-04").coverage.cost_kinds]
    assert "EX_FORENSICS" in error.message("ja")


def test_bi_end_must_come_after_its_start() -> None:
    bi = {"outage_start": "2026-06-10T09:00:00+09:00", "outage_end": "2026-06-10T09:00:00+09:00", "fiscal_revenue": 1}
    assert ("bi.outage_end", "E_OUTAGE_END") in problems_of(with_change("bi", bi))


def test_bi_needs_a_positive_fiscal_revenue_for_the_profit_rate() -> None:
    bi = {"outage_start": "2026-06-10T09:00:00+09:00", "outage_end": "2026-06-11T09:00:00+09:00", "fiscal_revenue": 0}
    (error,) = errors_of(with_change("bi", bi))
    assert (error.field, error.code, error.params["minimum"]) == ("bi.fiscal_revenue", "E_RANGE", "1")


@pytest.mark.parametrize(("profit", "valid"), [(-50, True), (-(10**15), True), (-(10**15) - 1, False)])
def test_a_negative_operating_profit_is_allowed_down_to_minus_the_largest_amount(profit: int, valid: bool) -> None:
    bi = {
        "outage_start": "2026-06-10T09:00:00+09:00",
        "outage_end": "2026-06-11T09:00:00+09:00",
        "fiscal_revenue": 100,
        "operating_profit": profit,
    }
    if valid:
        assert parse(with_change("bi", bi)).bi is not None
    else:
        assert problems_of(with_change("bi", bi)) == [("bi.operating_profit", "E_RANGE")]


def test_ended_at_must_fall_within_the_policy_period() -> None:
    doc = with_change("policy.status", "cancelled")
    doc["policy"]["ended_at"] = "2028-01-01T00:00:00+09:00"
    (error,) = errors_of(doc)
    assert (error.field, error.code) == ("policy.ended_at", "E_ENDED_AT_OUTSIDE_TERM")
    assert error.params["start"] == "2026-04-01T16:00:00+09:00"
    assert error.params["end"] == "2027-04-01T16:00:00+09:00"


def test_optional_fields_take_their_documented_defaults() -> None:
    doc = copy.deepcopy(BASE)
    for key in ("bi_limit", "pd_rider", "retroactive_date", "status", "ended_at"):
        del doc["policy"][key]
    del doc["prior_payments"]
    del doc["bi"]
    del doc["incident"]["personal_data"]
    claim = parse(doc)
    assert claim.retroactive_date == claim.policy.start_date
    assert (claim.policy.bi_limit, claim.policy.pd_rider, claim.policy.status) == (0, False, "in_force")
    assert claim.prior == schema.PriorPayments()
    assert claim.personal_data == schema.PersonalData()


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ja", "金額（costs[2].amount）は0以上1,000,000,000,000,000以下で入力してください（入力値: -1）。"),
        ("en", "costs[2].amount (amount) must be between 0 and 1,000,000,000,000,000 (got -1)."),
    ],
)
def test_messages_are_bilingual_and_name_the_field_with_its_label(lang: str, text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse(with_change("costs.2.amount", -1))
    assert info.value.messages(lang) == [text]  # type: ignore[arg-type]


def test_the_422_body_names_the_field_the_code_and_what_is_allowed() -> None:
    with pytest.raises(InvalidInput) as info:
        parse(with_change("policy.status", "suspended"))
    (entry,) = info.value.to_dict("en")["errors"]
    assert entry["field"] == "policy.status"
    assert entry["code"] == "E_CHOICE"
    assert entry["allowed"] == ["in_force", "cancelled", "lapsed"]
    assert "in_force, cancelled, lapsed" in entry["message"]


def test_a_wrong_shape_somewhere_still_reports_the_checks_of_the_valid_parts() -> None:
    doc = with_change("policy.deductible", "a lot")
    doc["incident"]["occurred_at"] = "2026-07-01T00:00:00+09:00"
    doc["costs"][1]["amount"] = "x"
    doc["costs"][3]["id"] = "c1"
    doc["costs"][4]["contractual_excess"] = 30_000_000
    assert problems_of(doc) == [
        ("policy.deductible", "E_INTEGER"),
        ("incident.occurred_at", "E_OCCURRED_AFTER_DISCOVERY"),
        ("costs[1].amount", "E_INTEGER"),
        ("costs[3].id", "E_DUPLICATE_ID"),
        ("costs[4].contractual_excess", "E_PARTS_ABOVE_AMOUNT"),
    ]


def test_the_cost_items_are_not_checked_without_a_version_to_check_them_against() -> None:
    doc = with_change("policy.start_date", "not a date")
    doc["costs"][0]["item"] = "EX_COFFEE"
    assert problems_of(doc) == [("policy.start_date", "E_DATE")]


# ---------------------------------------------------------------------------------- product versions


def test_the_version_in_force_on_the_start_date_applies() -> None:
    assert parse(BASE).version is CATALOG.in_force(dt.date(2026, 4, 1))


def test_a_document_may_name_its_product_version() -> None:
    claim = parse(with_change("policy.product_version", "2025-04"))
    assert claim.version is CATALOG.get("2025-04")


def test_a_version_given_by_the_caller_is_the_one_used(edited_version: Any) -> None:
    own = edited_version(("coverage.toml", "amount = 10_000_000", "amount = 4_000_000"))
    claim = parse(BASE, version=own)
    assert claim.version is own
    assert claim.version is not CATALOG.get("2025-04")


def test_a_named_version_that_differs_from_the_callers_is_refused() -> None:
    doc = with_change("policy.product_version", "2024-01")
    assert problems_of(doc, version=CATALOG.get("2025-04")) == [("policy.product_version", "E_VERSION_MISMATCH")]


def test_a_version_cannot_apply_to_a_policy_starting_before_it() -> None:
    doc = with_change("policy.product_version", "2025-04")
    doc["policy"]["start_date"] = "2025-03-01"
    doc["policy"]["retroactive_date"] = "2025-03-01"
    (error,) = errors_of(doc)
    assert (error.field, error.code, error.params["effective_from"]) == (
        "policy.start_date",
        "E_VERSION_NOT_IN_FORCE",
        dt.date(2025, 4, 1),
    )


def test_no_product_in_force_names_the_earliest_start_date() -> None:
    doc = with_change("policy.start_date", "2025-03-31")
    doc["policy"]["retroactive_date"] = "2025-03-31"
    (error,) = errors_of(doc)
    assert error.params["earliest"] == "2025-04-01"
    assert "2025-04-01以降" in error.message("ja")


# ---------------------------------------------------------------------------------------- bounds


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("policy.start_date", "9998-12-31"),
        ("policy.retroactive_date", "1900-01-01"),
        ("incident.occurred_at", "1900-01-01T09:00:00+09:00"),
    ],
)
def test_the_extreme_dates_accepted_calculate_without_leaving_the_calendar(path: str, value: str) -> None:
    doc = with_change(path, value)
    if path == "policy.start_date":  # the whole claim at the end of the calendar: term, deadlines, BI
        doc["policy"]["retroactive_date"] = value
        doc["incident"]["discovered_at"] = "9998-12-31T20:00:00+09:00"
        doc["incident"]["occurred_at"] = "9998-12-31T19:00:00+09:00"
        doc["incident"]["personal_data"]["eu_residents"] = True
        doc["bi"] = {
            "outage_start": "9998-12-31T20:00:00+09:00",
            "outage_end": "9998-12-31T23:00:00+09:00",
            "fiscal_revenue": 1,
        }
        doc["policy"]["bi_limit"] = 10_000_000
    result = claim_usecases.calculate_claim(CATALOG, json.dumps(doc))
    assert result.payable_total > 0
    if path == "policy.start_date":
        assert result.policy_end_at == dt.datetime(9999, 12, 31, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
        assert result.regulatory.final_due == dt.date(9999, 3, 1)
        assert result.bi.claimed


def test_year_9999_is_an_input_error_not_a_crash() -> None:
    doc = with_change("policy.start_date", "9999-01-01")
    doc["incident"]["discovered_at"] = "9999-12-31T23:59:59+09:00"
    doc["bi"] = {
        "outage_start": "9999-12-31T20:00:00-12:00",
        "outage_end": "9999-12-31T23:00:00-12:00",
        "fiscal_revenue": 1,
    }
    assert problems_of(doc) == [
        ("policy.start_date", "E_DATE_RANGE"),
        ("incident.discovered_at", "E_DATETIME_RANGE"),
        ("bi.outage_start", "E_DATETIME_RANGE"),
        ("bi.outage_end", "E_DATETIME_RANGE"),
    ]


def test_a_date_range_message_gives_the_dates_allowed() -> None:
    (error,) = errors_of(with_change("policy.retroactive_date", "1899-12-31"))
    assert error.message("en") == (
        "policy.retroactive_date (retroactive date) must be a date from 1900-01-01 to 9998-12-31 (got 1899-12-31)."
    )
