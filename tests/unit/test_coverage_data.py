"""The coverage and support terms are data: edit a value of coverage.toml or support.toml and the claim
calculation changes with it; break the file and loading refuses it, naming the file, the key and the problem."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from mamori import catalog as catalog_mod
from mamori.claims import answer
from mamori.claims.result import ClaimResult
from mamori.usecases import claims as claim_usecases

Edited = Callable[..., catalog_mod.ProductVersion]

BASE: dict[str, Any] = {
    "policy": {
        "start_date": "2026-04-01",
        "liability_limit": 100_000_000,
        "expense_limit": 30_000_000,
        "deductible": 100_000,
        "bi_limit": 0,
        "retroactive_date": "2026-04-01",
    },
    "incident": {
        "accident_types": ["A1", "A2"],
        "discovered_at": "2026-06-10T09:00:00+09:00",
        "occurred_at": "2026-06-01T00:00:00+09:00",
        "country": "JP",
        "attack_confirmed": True,
        "affected_persons": 3_400,
        "personal_data": {"financial": True},
    },
    "costs": [{"id": "c1", "item": "EX_FORENSICS", "amount": 5_000_000}],
}
BI: dict[str, Any] = {
    "outage_start": "2026-06-10T09:00:00+09:00",
    "outage_end": "2026-06-12T09:00:00+09:00",
    "standard_revenue": 10_000_000,
    "actual_revenue": 4_000_000,
    "fiscal_revenue": 500_000_000,
    "operating_profit": 50_000_000,
    "fixed_costs": 100_000_000,
}


def doc(costs: list[dict[str, Any]] | None = None, bi: dict[str, Any] | None = None, **parts: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    for part, values in parts.items():
        d[part].update(values)
    if costs is not None:
        d["costs"] = costs
    d["bi"] = bi
    return d


def calc(version: catalog_mod.ProductVersion, document: dict[str, Any]) -> ClaimResult:
    catalog = catalog_mod.InMemoryCatalog([version])
    return claim_usecases.calculate_claim(catalog, document, version=version)


@pytest.fixture
def shipped(version: catalog_mod.ProductVersion) -> catalog_mod.ProductVersion:
    return version


# ------------------------------------------------------------------------ [sections.*] are honoured


def test_liability_without_a_retroactive_date_pays_an_accident_before_it(shipped: Any, edited_version: Edited) -> None:
    d = doc(
        costs=[{"id": "c1", "item": "LI_DAMAGES", "amount": 2_000_000}],
        incident={"occurred_at": "2026-03-01T00:00:00+09:00", "claim_made_at": "2026-07-01T00:00:00+09:00"},
    )
    before = calc(shipped, d)
    after = calc(edited_version(("coverage.toml", "retroactive = true", "retroactive = false")), d)
    assert (before.liability.payable, before.liability.exclusion) == (0, "X_OUTSIDE_PERIOD")
    assert "retroactive_out" in [s.step for s in before.worksheet]
    assert (after.liability.payable, after.liability.exclusion) == (1_900_000, None)
    assert "retroactive_out" not in [s.step for s in after.worksheet]


def test_an_expense_section_triggered_by_the_claim_looks_at_the_claim_date(
    shipped: Any, edited_version: Edited
) -> None:
    # Discovered before the policy started, claimed within it.
    d = doc(
        incident={
            "discovered_at": "2026-03-20T09:00:00+09:00",
            "occurred_at": "2026-03-01T00:00:00+09:00",
            "claim_made_at": "2026-05-01T00:00:00+09:00",
        }
    )
    before = calc(shipped, d)
    after = calc(edited_version(("coverage.toml", 'trigger = "discovery"', 'trigger = "claim"')), d)
    assert (before.expense.payable, before.expense.exclusion) == (0, "X_OUTSIDE_PERIOD")
    assert (after.expense.payable, after.expense.exclusion) == (4_900_000, None)
    (trigger,) = [s for s in after.worksheet if s.step == "trigger_in"]
    assert (trigger.params["trigger"], trigger.params["at"]) == (
        "claim",
        dt.datetime.fromisoformat("2026-05-01T00:00:00+09:00"),
    )
    assert "損害賠償請求" in answer.step_note(after, trigger, "ja")


def test_the_annual_limit_of_a_section_is_the_policy_field_its_data_names(shipped: Any, edited_version: Edited) -> None:
    d = doc(costs=[{"id": "c1", "item": "EX_FORENSICS", "amount": 20_000_000}], policy={"liability_limit": 10_000_000})
    before = calc(shipped, d)
    after = calc(edited_version(("coverage.toml", 'limit = "expense_limit"', 'limit = "liability_limit"')), d)
    assert (before.expense.limit, before.expense.payable) == (30_000_000, 19_900_000)
    assert (after.expense.limit, after.expense.payable) == (10_000_000, 10_000_000)


def test_business_interruption_that_is_not_optional_needs_no_purchase(shipped: Any, edited_version: Edited) -> None:
    d = doc(costs=[], bi=BI)
    before = calc(shipped, d)
    after = calc(edited_version(("coverage.toml", "optional = true", "optional = false")), d)
    assert (before.bi.exclusion, before.exclusions) == ("X_NOT_PURCHASED", ("X_NOT_PURCHASED",))
    # Not optional: triggered and calculated, then held to its limit (0 here).
    assert (after.bi.exclusion, after.bi.covered, after.bi.payable, after.exclusions) == (None, 1_800_000, 0, ())


def test_an_optional_expense_section_needs_its_limit(shipped: Any, edited_version: Edited) -> None:
    section = '[sections.expense]\nsource = "published"'
    edited = edited_version(("coverage.toml", section, section + "\noptional = true"))
    after = calc(edited, doc(policy={"expense_limit": 0}))
    assert (after.lines[0].exclusion, after.expense.exclusion, after.payable_total) == (
        "X_NOT_PURCHASED",
        "X_NOT_PURCHASED",
        0,
    )
    assert calc(shipped, doc(policy={"expense_limit": 0})).lines[0].exclusion is None


def test_a_sublimit_amount_is_read_from_the_data(shipped: Any, edited_version: Edited) -> None:
    d = doc(
        costs=[{"id": "c1", "item": "EX_ATTACK_CHECK", "amount": 12_000_000}],
        incident={"accident_types": ["T0"], "attack_confirmed": False},
        policy={"deductible": 0},
    )
    before = calc(shipped, d)
    after = calc(edited_version(("coverage.toml", "amount = 10_000_000", "amount = 4_000_000")), d)
    assert (before.lines[0].covered, after.lines[0].covered) == (10_000_000, 4_000_000)


def test_the_deductible_is_taken_from_the_sections_in_the_order_of_the_data(
    shipped: Any, edited_version: Edited
) -> None:
    d = doc(
        costs=[
            {"id": "c1", "item": "EX_FORENSICS", "amount": 1_000_000},
            {"id": "c2", "item": "LI_DAMAGES", "amount": 1_000_000},
        ]
    )
    before = calc(shipped, d)
    after = calc(
        edited_version(("coverage.toml", 'sections = ["expense", "liability"]', 'sections = ["liability", "expense"]')),
        d,
    )
    assert (before.expense.deductible, before.liability.deductible) == (100_000, 0)
    assert (after.expense.deductible, after.liability.deductible) == (0, 100_000)
    assert [s.section for s in after.worksheet if s.step == "deductible"] == ["liability", "expense"]


def test_a_deductible_only_on_expenses_leaves_liability_whole(edited_version: Edited) -> None:
    d = doc(
        costs=[
            {"id": "c1", "item": "EX_FORENSICS", "amount": 30_000},
            {"id": "c2", "item": "LI_DAMAGES", "amount": 1_000_000},
        ]
    )
    after = calc(edited_version(("coverage.toml", 'sections = ["expense", "liability"]', 'sections = ["expense"]')), d)
    assert (after.expense.payable, after.liability.payable, after.deductible_applied) == (0, 1_000_000, 30_000)


def test_the_waiting_period_is_read_from_the_data(shipped: Any, edited_version: Edited) -> None:
    d = doc(costs=[], bi=BI, policy={"bi_limit": 10_000_000})  # a 48-hour outage
    edited = edited_version(("coverage.toml", "waiting_hours = { value = 12", "waiting_hours = { value = 48"))
    assert (calc(shipped, d).bi.payable, calc(edited, d).bi.payable) == (1_800_000, 0)


def test_the_condolence_caps_are_read_from_the_data(shipped: Any, edited_version: Edited) -> None:
    d = doc(
        costs=[{"id": "c1", "item": "EX_CONDOLENCE", "amount": 10_000_000, "persons": 100}], policy={"deductible": 0}
    )
    edited = edited_version(("coverage.toml", "per_person_cap = { value = 1_000", "per_person_cap = { value = 3_000"))
    assert (calc(shipped, d).lines[0].covered, calc(edited, d).lines[0].covered) == (100_000, 300_000)


def test_an_exclusions_wording_is_shown_as_the_data_says(edited_version: Edited) -> None:
    edited = edited_version(
        ("coverage.toml", "身代金・脅迫に対する支払は補償しません（", "身代金は一切お支払いしません（")
    )
    r = calc(edited, doc(costs=[{"id": "c1", "item": "RANSOM", "amount": 1}]))
    assert answer.to_json_dict(r, "ja")["lines"][0]["reason"].startswith("身代金は一切お支払いしません")


def test_intake_hours_are_shown_in_the_answer_and_the_worksheet(shipped: Any, edited_version: Edited) -> None:
    edited = edited_version(("support.toml", "intake_hours = { value = 24", "intake_hours = { value = 12"))
    assert answer.to_json_dict(calc(shipped, doc()), "en")["emergency_support"]["intake_hours"] == 24
    r = calc(edited, doc())
    assert answer.to_json_dict(r, "en")["emergency_support"]["intake_hours"] == 12
    assert "事故の受付: 1日12時間" in answer.render_text(r, "ja")
    assert "Incident intake: 12 hours a day" in answer.render_text(r, "en")


def test_a_regulatory_day_count_is_read_from_the_data(shipped: Any, edited_version: Edited) -> None:
    edited = edited_version(("support.toml", "preliminary_days = 5", "preliminary_days = 3"))
    assert calc(shipped, doc()).regulatory.preliminary_due == dt.date(2026, 6, 15)
    assert calc(edited, doc()).regulatory.preliminary_due == dt.date(2026, 6, 13)


def test_the_persons_threshold_of_ground_d_is_read_from_the_data(shipped: Any, edited_version: Edited) -> None:
    d = doc(incident={"personal_data": {}, "affected_persons": 3_400})
    edited = edited_version(("support.toml", "persons_threshold = 1_000", "persons_threshold = 5_000"))
    assert (calc(shipped, d).regulatory.grounds, calc(edited, d).regulatory.grounds) == (("d",), ())


def test_the_support_territory_is_read_from_the_data(shipped: Any, edited_version: Edited) -> None:
    d = doc(incident={"country": "US"})
    edited = edited_version(("support.toml", 'territory = ["JP"]', 'territory = ["JP", "US"]'))
    assert (calc(shipped, d).support.reason, calc(edited, d).support.available) == ("X_TERRITORY", True)


def test_times_and_awareness_dates_follow_the_products_time_zone(edited_version: Edited) -> None:
    edited = edited_version(
        ("product.toml", 'timezone = "+09:00"', 'timezone = "+00:00"'),
        ("product.toml", 'timezone_name = "JST"', 'timezone_name = "UTC"'),
    )
    r = calc(edited, doc(incident={"discovered_at": "2026-06-10T05:00:00+09:00"}))  # 9 June in UTC
    assert r.policy_start_at.isoformat() == "2026-04-01T16:00:00+00:00"
    assert r.regulatory.preliminary_due == dt.date(2026, 6, 14)
    assert "2026-06-09 20:00 UTC" in answer.step_note(r, r.worksheet[1], "en")


# --------------------------------------------------------------------------------- broken files

# fmt: off
BROKEN: list[tuple[str, str, str, str, str]] = [
    # file, old text, new text, key named in the error, words of the problem
    ("coverage.toml", 'clause = "§3.2"\nlimit = "expense_limit"', 'limit = "expense_limit"', "sections.expense.clause", "missing"),
    ("coverage.toml", "waiting_hours = { value = 12,", 'waiting_hours = { value = "12",', "bi.waiting_hours", "integer"),
    ("coverage.toml", 'section = "expense"\nja = "ネットワーク', 'section = "expense"\nsublimt = 5\nja = "ネットワーク', "items.EX_ISOLATION.sublimt", "not a key"),
    ("coverage.toml", 'exclusion = "X_RANSOM"', 'exclusion = "X_RANSOMS"', "never_covered.RANSOM.exclusion", "X_RANSOMS"),
    ("coverage.toml", 'rider = "pd"', 'rider = "cyber_pd"', "items.PD_DAMAGES.rider", "cyber_pd"),
    ("coverage.toml", 'limit = "expense_limit"', 'limit = "expense_limt"', "sections.expense.limit", "expense_limt"),
    ("coverage.toml", 'trigger = "discovery"', 'trigger = "notice"', "sections.expense.trigger", "notice"),
    ("coverage.toml", 'ja = "お支払いする保険金の合計：{amount:,}円"', 'ja = "お支払いする保険金の合計：{amount:,円"', "steps.total.ja", "template"),
    ("coverage.toml", 'triggers = [{ type = "T0" }]', 'triggers = [{ type = "T9" }]', "items.EX_ATTACK_CHECK.triggers[0].type", "T9"),
    ("coverage.toml", 'culprit_director = "X_INTENT"', 'culprit_director = "X_RANSOM"', "whole_claim.culprit_director", "scope"),
    ("support.toml", "[reasons.X_TERRITORY]", "[reasons.X_TERRITORIES]", "reasons.X_TERRITORY", "missing"),
    ("support.toml", "persons_threshold = 1_000", 'persons_threshold = "1000"', "regulatory.persons_threshold", "integer"),
    ("support.toml", "gdpr_hours = 72", "gdpr_hours = 72\ngdpr_days = 3", "regulatory.gdpr_days", "not a key"),
    ("support.toml", 'vendors = ["forensics"]', 'vendors = ["locksmiths"]', "phases[0].vendors", "vendor"),
    ("support.toml", 'types = ["T0"]', 'types = ["T7"]', "phases[0].types", "accident types"),
    ("support.toml", "intake_hours = { value = 24,", "intake_hours = { value = 25,", "service.intake_hours", "24"),
]
# fmt: on


@pytest.mark.parametrize(("file", "old", "new", "key", "problem"), BROKEN, ids=[f"{b[0]}:{b[3]}" for b in BROKEN])
def test_a_broken_coverage_or_support_file_is_refused_by_file_and_key(
    edited_version: Edited, file: str, old: str, new: str, key: str, problem: str
) -> None:
    with pytest.raises(catalog_mod.ProductDataError) as info:
        edited_version((file, old, new))
    assert (info.value.file, info.value.key) == (file, key)
    assert problem in info.value.problem


def test_every_exclusion_code_the_calculation_gives_is_worded_in_japanese_and_english(shipped: Any) -> None:
    from mamori.claims import pipeline

    codes = {pipeline.OUTSIDE, pipeline.NOT_PURCHASED, pipeline.NO_TRIGGER, pipeline.TERRITORY, pipeline.CULPRIT,
             pipeline.BETTERMENT, pipeline.CONTRACTUAL}  # fmt: skip
    codes |= {code for _, code in shipped.coverage.whole_claim} | set(shipped.coverage.never_exclusion.values())
    for code in codes:
        text = shipped.coverage.exclusions[code].text
        assert text.ja
        assert text.en != text.ja
