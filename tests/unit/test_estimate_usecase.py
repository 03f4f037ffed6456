"""The loss estimate use case: documents and presets, the loss by kind, the payout through the claim
calculation, the plan comparison through the rating engine, and the input errors."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from mamori import catalog as catalog_mod
from mamori import i18n
from mamori.catalog import read_folder
from mamori.errors import FieldError, InvalidInput
from mamori.estimate import SHORTLIST_ROLES, Estimate, answer, load_data, scenario, shortlist
from mamori.estimate.data import DATA_FOLDER
from mamori.usecases import claims as claim_usecases
from mamori.usecases.estimate import estimate_loss

TODAY = dt.date(2026, 4, 1)
# The example document of interfaces.md §1.5.
INTERFACE_EXAMPLE: dict[str, Any] = {
    "business": {
        "industry": "manufacturing",
        "revenue": 500000000,
        "employees": 150,
        "high_social_responsibility": None,
    },
    "records": [
        {"categories": ["name", "address"], "persons": 8000},
        {"categories": ["card_number", "name", "address"], "persons": 3400},
    ],
    "response": "appropriate",
    "plan": {"liability_limit": 100000000, "expense_limit": 30000000, "deductible": 100000},
}


def run(document: Any = None, *, preset: int | str | None = None, compare: bool = False, **kw: Any) -> Estimate:
    return estimate_loss(catalog_mod.FolderCatalog(), document, preset=preset, today=TODAY, compare=compare, **kw)


def problems(document: Any = None, **kw: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as exc:
        run(document, **kw)
    return [(e.field, e.code) for e in exc.value.errors]


def business(**extra: Any) -> dict[str, Any]:
    return {"industry": "retail", "revenue": 500_000_000, **extra}


# ------------------------------------------------------------------------------------ the loss


def test_the_interface_example_gives_jnsas_figures_for_each_record_group() -> None:
    est = run(INTERFACE_EXAMPLE)
    first, second = est.assessment.records
    assert (first.per_person, first.total) == (6_000, 48_000_000)
    assert (second.per_person, second.total) == (78_000, 265_200_000)


def test_the_liability_part_uses_the_expected_figure_with_the_claim_rate_of_the_data() -> None:
    est = run(INTERFACE_EXAMPLE)
    # (48,000,000 + 265,200,000) × 0.01 = 480,000 + 2,652,000; no other liability line.
    assert est.assessment.losses.liability == 3_132_000


def test_a_document_may_choose_jnsas_figure_or_its_own_claim_rate() -> None:
    jnsa = run({**INTERFACE_EXAMPLE, "liability_basis": "jnsa"})
    assert jnsa.assessment.losses.liability == 313_200_000
    rate = run({**INTERFACE_EXAMPLE, "claim_rate": "0.1"})
    assert rate.assessment.losses.liability == 31_320_000


def test_the_social_responsibility_comes_from_the_industry_unless_the_document_says() -> None:
    leak = {"records": [{"categories": ["name", "address"], "persons": 1}]}
    education = run({**leak, "business": {"industry": "education", "revenue": 500_000_000}})
    told = run(
        {**leak, "business": {"industry": "education", "revenue": 500_000_000, "high_social_responsibility": False}}
    )
    retail = run({**leak, "business": business(high_social_responsibility=True)})
    assert [e.assessment.records[0].per_person for e in (education, told, retail)] == [12_000, 6_000, 12_000]
    assert (education.assessment.social_responsibility_from, told.assessment.social_responsibility_from) == (
        "industry",
        "document",
    )


def test_an_unknown_response_counts_as_appropriate_and_an_inappropriate_one_doubles_the_damages() -> None:
    leak = {"business": business(), "records": [{"categories": ["name", "address"], "persons": 1}]}
    assert run(leak).assessment.records[0].response == 1
    assert run({**leak, "response": "inappropriate"}).assessment.records[0].per_person == 12_000


def test_each_unit_cost_line_is_its_unit_cost_times_its_quantity_with_its_source() -> None:
    est = run({"business": business(), "quantities": {"forensics_server": 3, "call_center": 2, "legal": 0}})
    lines = {line.id: line for line in est.assessment.lines}
    assert set(lines) == {"forensics_server", "call_center"}  # legal: 0 asked, so no line
    assert (lines["forensics_server"].unit_cost, lines["forensics_server"].amount) == (1_750_000, 5_250_000)
    assert lines["call_center"].amount == 5_600_000
    assert lines["call_center"].sourced.source == "illustrative"
    assert "JNSA 2018" in lines["call_center"].sourced.reference_ja


def test_apology_letters_default_to_every_affected_person_and_legal_advice_to_once() -> None:
    est = run({"business": business(), "records": [{"categories": ["email"], "persons": 250}]})
    lines = {line.id: line.amount for line in est.assessment.lines}
    # The damages: 500 × 2 × 1 × 1 × 1 = 1,000 a person × 250 × 0.01 = 2,500.
    assert lines == {"apology_letter": 250 * 200, "legal": 650_000, "records[1]": 2_500}


def test_ransom_fines_and_own_staff_time_are_loss_that_no_policy_pays() -> None:
    est = run({"business": business(), "quantities": {"ransom": 30_000_000, "fines": 2_000_000, "staff_time": 10}})
    assert est.assessment.losses.uninsurable == 32_035_000
    assert dict(est.assessment.losses.uninsurable_by_item) == {
        "RANSOM": 30_000_000,
        "FINE": 2_000_000,
        "INTERNAL_STAFF": 35_000,
    }
    assert est.chosen.payable_total == 650_000 - 100_000  # only the lawyer, less the deductible
    assert {"X_RANSOM", "X_FINES", "X_INTERNAL_STAFF"} <= set(est.chosen.claim.exclusions)


def test_business_interruption_is_the_outage_revenue_times_the_industrys_profit_rate() -> None:
    # Retail: 0.03 + 0.22 = 0.25; 500,000,000 × 48 / 8,760 = 2,739,726 (rounded down) × 0.25 = 684,931.
    est = run({"business": business(), "outage_hours": 48})
    bi = est.assessment.bi
    assert bi is not None
    assert (bi.standard_revenue, str(bi.profit_rate), bi.loss) == (2_739_726, "0.25", 684_931)


def test_business_interruption_is_paid_only_when_the_plan_has_the_option() -> None:
    doc = {"business": business(), "outage_hours": 48, "quantities": {"legal": 0}}
    without = run(doc)
    with_bi = run({**doc, "plan": {"bi_limit": 10_000_000}})
    assert (without.chosen.claim.bi.payable, without.chosen.claim.bi.exclusion) == (0, "X_NOT_PURCHASED")
    assert with_bi.chosen.claim.bi.payable == 684_931


def test_an_outage_within_the_waiting_period_is_a_loss_the_option_does_not_pay() -> None:
    est = run({"business": business(), "outage_hours": 12, "plan": {"bi_limit": 10_000_000}})
    assert est.assessment.losses.bi > 0
    assert (est.chosen.claim.bi.payable, est.chosen.claim.bi.waiting_period_passed) == (0, False)


# ------------------------------------------------------------------------------- the payout


def test_the_payout_is_the_claim_calculation_of_the_document_the_estimate_built() -> None:
    est = run(INTERFACE_EXAMPLE)
    again = claim_usecases.calculate_claim(catalog_mod.FolderCatalog(), dict(est.chosen.document))
    assert again.payable_total == est.chosen.payable_total
    claimed = {c["id"]: c["amount"] for c in est.chosen.document["costs"]}
    assert claimed == {line.id: line.amount for line in est.assessment.lines}


def test_payout_and_uninsured_remainder_add_up_to_the_total_loss() -> None:
    est = run(preset=2)
    assert est.chosen.payable_total + est.uninsured == est.assessment.losses.total
    by_kind = est.chosen.uninsured_by_kind(est.assessment.losses.by_kind())
    assert sum(by_kind.values()) == est.uninsured
    assert by_kind["expense"] == 100_000  # the deductible


def test_a_directors_intentional_act_leaves_the_whole_loss_uninsured() -> None:
    est = run(preset=8, document={"incident": {"culprit": "director"}})
    assert est.chosen.payable_total == 0
    assert est.uninsured == est.assessment.losses.total
    assert "X_INTENT" in est.chosen.claim.exclusions


def test_the_claim_document_counts_condolence_by_persons_and_by_businesses() -> None:
    est = run({"business": business(), "quantities": {"condolence": 40, "condolence_business": 2, "legal": 0}})
    costs = {c["id"]: c for c in est.chosen.document["costs"]}
    assert (costs["condolence"]["persons"], costs["condolence"]["businesses"]) == (40, 0)
    assert (costs["condolence_business"]["persons"], costs["condolence_business"]["businesses"]) == (0, 2)


def test_card_data_and_a_named_attacker_make_the_report_to_the_ppc_required() -> None:
    est = run(preset=2)
    regulatory = est.chosen.claim.regulatory
    assert (regulatory.ppc_report_required, regulatory.grounds, regulatory.notify_card_brands) == (
        True,
        ("b", "c", "d"),
        True,
    )


def test_the_policy_starts_on_the_day_of_the_estimate_unless_the_plan_says() -> None:
    assert run(preset=1).scenario.start == TODAY
    assert run(preset=1, document={"plan": {"start": "2027-01-15"}}).scenario.start == dt.date(2027, 1, 15)


# ---------------------------------------------------------------------------- the plans


def test_the_comparison_holds_every_liability_and_expense_option_and_every_deductible() -> None:
    est = run(preset=1, compare=True)
    plans = [o.plan for o in est.plans]
    assert {p.liability_limit for p in plans} == {10**7, 3 * 10**7, 5 * 10**7, 10**8, 3 * 10**8, 5 * 10**8, 10**9}
    assert {p.expense_limit for p in plans} == {3 * 10**6, 10**7, 3 * 10**7, 5 * 10**7, 10**8}
    assert {p.deductible for p in plans} == {0, 100_000, 300_000, 500_000, 1_000_000}
    assert all(p.expense_limit <= p.liability_limit for p in plans)
    assert [o for o in est.plans if o.plan == est.scenario.plan] == [est.chosen]
    assert {p.bi_limit for p in plans} == {0}  # no outage: the BI option buys nothing here


def test_the_comparison_adds_the_business_interruption_options_when_the_incident_has_an_outage() -> None:
    est = run(preset=4, compare=True)
    bi = {o.plan.bi_limit: o.payable_total for o in est.plans if o.plan.deductible == 100_000}
    assert set(bi) == {0, 10_000_000, 30_000_000, 50_000_000}


def test_a_customer_is_shown_three_to_five_plans_around_the_chosen_one() -> None:
    est = run(preset=1, compare=True)
    shown = shortlist(est)
    roles = [role for role, _ in shown]
    assert 3 <= len(shown) <= 5
    assert roles == [r for r in SHORTLIST_ROLES if r in roles]  # in the order shown
    assert [o for role, o in shown if role == "chosen"] == [est.chosen]
    assert all(o in est.plans for _, o in shown)  # taken from the comparison, never calculated again
    plans = {role: o.plan for role, o in shown}
    c = est.chosen.plan
    assert plans["lighter"].liability_limit < c.liability_limit < plans["fuller"].liability_limit
    assert plans["fuller"].expense_limit > c.expense_limit
    assert plans["deductible"] == scenario.Plan(
        c.liability_limit, c.expense_limit, plans["deductible"].deductible, c.bi_limit
    )
    assert plans["deductible"].deductible != c.deductible
    assert "bi" not in plans  # no outage: nothing to show about business interruption


def test_with_an_outage_the_shortlist_shows_the_plan_with_business_interruption_cover() -> None:
    est = run(preset=4, compare=True)
    (bi,) = [o for role, o in shortlist(est) if role == "bi"]
    assert est.chosen.plan.bi_limit == 0 and bi.plan.bi_limit > 0
    assert bi.claim.bi.payable > 0 and bi.payable_total > est.chosen.payable_total


_LEAK_WITH_OUTAGE = {
    "business": {"industry": "manufacturing", "revenue": 500_000_000},
    "records": [{"categories": ["name", "address"], "persons": 1000}],
    "outage_hours": 48,
    "plan": {
        "liability_limit": 100_000_000,
        "expense_limit": 10_000_000,
        "deductible": 100_000,
        "bi_limit": 10_000_000,
    },
}


def test_a_section_that_pays_nothing_says_why_and_the_incident_type_decides_it() -> None:
    leak = answer.to_json_dict(run(_LEAK_WITH_OUTAGE), "ja")
    assert leak["losses"]["bi"] > 0 and leak["payout"]["sections"]["bi"]["payable"] == 0
    (unpaid,) = leak["unpaid"]
    assert (unpaid["kind"], unpaid["exclusion"]) == ("bi", "X_NO_TRIGGER")
    assert unpaid["reason"] == "この事故の種類では、この費目の補償は発動しません"
    attack = answer.to_json_dict(run({**_LEAK_WITH_OUTAGE, "incident": {"accident_types": ["A1"]}}), "en")
    assert attack["payout"]["sections"]["bi"]["payable"] > 0 and attack["unpaid"] == []


def test_each_plan_is_priced_by_the_rating_engine() -> None:
    est = run(preset=1, compare=True)
    reference = est.chosen.quote
    assert (reference.status, reference.monthly_premium) == ("quoted", 11_800)  # manufacturing 30億円 (published)
    referred = [o for o in est.plans if o.plan.liability_limit == 10**9]
    assert referred
    assert all(o.quote.status == "referred" and o.quote.monthly_premium is None for o in referred)


def test_a_referred_industry_is_estimated_with_its_referral_and_no_premium() -> None:
    est = run({"business": {"industry": "information_communications", "revenue": 500_000_000}})
    assert (est.chosen.quote.status, est.chosen.quote.monthly_premium) == ("referred", None)
    assert est.chosen.payable_total == 550_000


# ---------------------------------------------------------------------------- presets


def test_a_document_overrides_the_objects_of_its_preset_key_by_key_and_replaces_the_rest() -> None:
    est = run(
        {"preset": 2, "business": {"revenue": 3_000_000_000}, "records": [{"categories": ["email"], "persons": 5}]}
    )
    s = est.scenario
    assert (s.industry, s.revenue, s.employees) == ("manufacturing", 3_000_000_000, 1500)
    assert s.records[0].persons == 5
    assert s.quantities["card_reissue"] == 3400
    assert (s.preset, s.overridden) == (2, ("business", "records"))


def test_the_command_line_preset_and_the_documents_preset_must_agree() -> None:
    assert problems({"preset": 2}, preset=3) == [("preset", "E_PRESET_CONFLICT")]
    assert run({"preset": 3}, preset="3").scenario.preset == 3


@pytest.mark.parametrize("preset", [0, 9, "x", True, 2.0, "-1"])
def test_a_preset_outside_one_to_eight_is_refused_with_the_allowed_numbers(preset: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        run(preset=preset)
    (error,) = exc.value.errors
    assert (error.field, error.code, error.params["allowed"]) == ("preset", "E_CHOICE", [1, 2, 3, 4, 5, 6, 7, 8])


# ----------------------------------------------------------------------------- input errors


def test_nothing_to_estimate_is_an_input_error() -> None:
    assert problems(None) == [("FILE", "E_ESTIMATE_NOTHING")]


def test_an_unknown_category_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as exc:
        run({"business": business(), "records": [{"categories": ["name", "adress"], "persons": 3}]})
    (error,) = exc.value.errors
    assert (error.field, error.code) == ("records[0].categories[1]", "E_CHOICE")
    assert "address" in error.params["allowed"]
    assert "adress" in error.message("ja") and "address" in error.message("ja")


def test_duplicate_keys_are_refused_with_their_path() -> None:
    doc = b'{"business": {"industry": "retail", "revenue": 1, "revenue": 500000000}}'
    assert problems(doc) == [("business.revenue", "E_DUPLICATE_KEY")]


def test_a_document_that_is_not_an_object_is_refused() -> None:
    assert problems(b"[1, 2]") == [("$", "E_OBJECT")]


def test_the_business_and_the_plan_are_checked_by_the_rating_rules_under_the_documents_paths() -> None:
    doc = {"business": {"industry": "shop", "revenue": 0}, "plan": {"liability_limit": 10_000_000, "deductible": 5}}
    assert problems(doc) == [
        ("business.industry", "E_CHOICE"),
        ("business.revenue", "E_REVENUE_POSITIVE"),
        ("plan.deductible", "E_CHOICE"),
    ]


def test_the_expense_limit_may_not_exceed_the_liability_limit() -> None:
    doc = {"business": business(), "plan": {"liability_limit": 10_000_000, "expense_limit": 30_000_000}}
    assert problems(doc) == [("plan.expense_limit", "E_EXPENSE_ABOVE_LIABILITY")]


def test_a_start_date_with_no_product_in_force_is_refused() -> None:
    assert problems({"business": business(), "plan": {"start": "2024-04-01"}}) == [("plan.start", "E_NO_PRODUCT")]


def test_every_problem_of_a_document_is_reported_in_document_order() -> None:
    doc = {
        "plan": {"deductible": 1},
        "outage_hours": 9_000,
        "quantities": {"forensic_pc": 1, "legal": -1},
        "response": "good",
        "records": [{"categories": ["name", "name"], "persons": 0}, "x"],
        "business": business(staff=3),
        "claim_rate": "0.00001",
        "incident": {"accident_types": ["A9"], "culprit": "hacker", "country": "jp"},
    }
    assert problems(doc) == [
        ("business.staff", "E_UNKNOWN_FIELD"),
        ("incident.accident_types[0]", "E_CHOICE"),
        ("incident.culprit", "E_CHOICE"),
        ("incident.country", "E_COUNTRY"),
        ("records[0].categories[1]", "E_CATEGORY_DUPLICATE"),
        ("records[0].persons", "E_RANGE"),
        ("records[1]", "E_OBJECT"),
        ("response", "E_CHOICE"),
        ("quantities.forensic_pc", "E_UNKNOWN_FIELD"),
        ("quantities.legal", "E_RANGE"),
        ("outage_hours", "E_RANGE"),
        ("claim_rate", "E_DECIMALS"),
        ("plan.deductible", "E_CHOICE"),
    ]


def test_a_misspelt_key_suggests_the_known_one() -> None:
    with pytest.raises(InvalidInput) as exc:
        run({"business": business(), "quantites": {}})
    (error,) = exc.value.errors
    assert (error.field, error.params["suggestion"]) == ("quantites", "quantities")


def test_more_than_ten_record_groups_are_refused() -> None:
    records = [{"categories": ["email"], "persons": 1}] * 11
    assert problems({"business": business(), "records": records}) == [("records", "E_LIST_TOO_LONG")]


def test_a_line_beyond_what_a_claim_can_carry_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA_FOLDER, folder)
    jnsa = folder / "jnsa.toml"
    jnsa.write_text(jnsa.read_text(encoding="utf-8").replace("base = 500 ", "base = 50000000 "), encoding="utf-8")
    data = load_data(read_folder(folder))
    doc = {"business": business(), "records": [{"categories": ["criminal_record"], "persons": 100_000_000}]}
    assert problems(doc, data=data) == [("records[0].persons", "E_ESTIMATE_TOO_LARGE")]


# ------------------------------------------------------------------------------------ messages


def test_every_field_of_the_estimate_document_has_a_japanese_and_an_english_label() -> None:
    paths = [
        *scenario.TOP_KEYS,
        *(f"business.{key}" for key in scenario.BUSINESS_KEYS),
        *(f"incident.{key}" for key in scenario.INCIDENT_KEYS),
        *(f"records[0].{key}" for key in scenario.RECORD_KEYS),
        *(f"plan.{key}" for key in scenario.PLAN_KEYS),
    ]
    unlabelled = [p for p in paths if i18n.label(p, "ja") == p]
    assert unlabelled == []
    assert all(i18n.label(p, "ja") != i18n.label(p, "en") for p in paths)


@pytest.mark.parametrize(
    ("code", "params"),
    [
        ("E_CATEGORY_DUPLICATE", {"value": "name"}),
        ("E_LIST_TOO_LONG", {"maximum": 10, "length": 11}),
        ("E_PRESET_CONFLICT", {"value": 2, "given": 3}),
        ("E_ESTIMATE_NOTHING", {}),
        ("E_ESTIMATE_TOO_LARGE", {"line": "records[1]", "amount": "2,000", "maximum": "1,000"}),
    ],
)
def test_the_estimates_own_errors_read_in_japanese_first_and_in_english(code: str, params: dict[str, Any]) -> None:
    error = FieldError("records", code, params)
    ja, en = error.message("ja"), error.message("en")
    assert ja != en
    assert all(str(v) in ja and str(v) in en for v in params.values())
    assert any("\u3040" <= ch <= "\u30ff" for ch in ja)


def test_a_record_group_without_persons_is_one_problem() -> None:
    doc = {"business": business(), "records": [{"categories": ["name"]}]}
    assert problems(doc) == [("records[0].persons", "E_REQUIRED")]
