"""Claim calculation rules (product.md §3): each pure rule on fixed inputs, then each rule through the pipeline."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from mamori import catalog as catalog_mod
from mamori.catalog import coverage as coverage_mod
from mamori.claims import answer, rules
from mamori.claims.result import ClaimResult
from mamori.usecases import claims as claim_usecases

JST = dt.timezone(dt.timedelta(hours=9))
CATALOG = catalog_mod.FolderCatalog()
UTC = dt.UTC

BASE: dict[str, Any] = {
    "policy": {
        "start_date": "2026-04-01",
        "liability_limit": 100_000_000,
        "expense_limit": 30_000_000,
        "deductible": 100_000,
        "bi_limit": 0,
        "pd_rider": False,
        "retroactive_date": "2026-04-01",
        "status": "in_force",
        "ended_at": None,
    },
    "prior_payments": {"expense": 0, "liability": 0, "bi": 0, "sublimits": {}},
    "incident": {
        "accident_types": ["A1", "A2"],
        "discovered_at": "2026-06-10T09:00:00+09:00",
        "claim_made_at": None,
        "occurred_at": "2026-06-01T00:00:00+09:00",
        "country": "JP",
        "attack_confirmed": True,
        "culprit": "external",
        "state_backed": False,
        "known_before_first_policy": False,
        "affected_persons": 0,
        "affected_businesses": 0,
    },
    "costs": [],
    "bi": None,
}


def run(*, costs: list[dict[str, Any]] | None = None, bi: dict[str, Any] | None = None, **parts: Any) -> ClaimResult:
    """Calculate BASE with ``policy``/``incident``/``prior_payments`` keys overridden."""
    doc = copy.deepcopy(BASE)
    for part, values in parts.items():
        doc[part].update(values)
    doc["costs"] = costs or []
    doc["bi"] = bi
    return claim_usecases.calculate_claim(CATALOG, doc)


def line(item: str, amount: int, cid: str = "c1", **extra: Any) -> dict[str, Any]:
    return {"id": cid, "item": item, "amount": amount, **extra}


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


START = t("2026-04-01T16:00:00+09:00")
END = t("2027-04-01T16:00:00+09:00")

# ------------------------------------------------------------------------------- pure rule functions


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        ("2026-04-01T15:59:59+09:00", False),
        ("2026-04-01T16:00:00+09:00", True),
        ("2026-04-01T07:00:00+00:00", True),  # 16:00 JST written in UTC
        ("2027-04-01T15:59:59+09:00", True),
        ("2027-04-01T16:00:00+09:00", False),
        ("2027-04-01T07:00:00+00:00", False),
    ],
)
def test_the_policy_period_runs_from_16_00_jst_and_excludes_the_end_instant(at: str, inside: bool) -> None:
    assert rules.in_period(t(at), START, END) is inside


@pytest.mark.parametrize(
    ("status", "ended_at", "expected_end"),
    [
        ("in_force", None, END),
        ("cancelled", t("2026-09-01T00:00:00+09:00"), t("2026-09-01T00:00:00+09:00")),
        ("lapsed", t("2026-05-01T00:00:00+09:00"), t("2026-05-01T00:00:00+09:00")),
        ("cancelled", t("2028-01-01T00:00:00+09:00"), END),
    ],
)
def test_a_cancellation_or_lapse_ends_cover_at_ended_at(
    status: str, ended_at: dt.datetime | None, expected_end: dt.datetime
) -> None:
    assert rules.cover_window(START, END, status, ended_at) == (START, expected_end)


@pytest.mark.parametrize(
    ("trigger", "claim_made_at", "outage_start", "expected"),
    [
        ("claim", t("2026-07-01T10:00:00+09:00"), None, (t("2026-07-01T10:00:00+09:00"), "claim")),
        ("claim", None, None, (t("2026-06-10T09:00:00+09:00"), "claim_by_discovery")),
        ("discovery", t("2026-07-01T10:00:00+09:00"), None, (t("2026-06-10T09:00:00+09:00"), "discovery")),
        ("outage", None, t("2026-06-09T00:00:00+09:00"), (t("2026-06-09T00:00:00+09:00"), "outage")),
        ("outage", None, None, (None, "outage")),
    ],
)
def test_each_trigger_names_its_instant_and_a_claim_falls_back_on_discovery(
    trigger: str, claim_made_at: dt.datetime | None, outage_start: dt.datetime | None, expected: Any
) -> None:
    got = rules.trigger_instant(
        trigger, discovered_at=t("2026-06-10T09:00:00+09:00"), claim_made_at=claim_made_at, outage_start=outage_start
    )
    assert got == expected


@pytest.mark.parametrize(("optional", "limit", "bought"), [(True, 0, False), (True, 1, True), (False, 0, True)])
def test_an_optional_section_exists_only_with_a_limit(optional: bool, limit: int, bought: bool) -> None:
    assert rules.purchased(optional, limit) is bought


@pytest.mark.parametrize(
    ("types", "confirmed", "any_types", "confirmed_types", "expected"),
    [
        ({"T0"}, False, {"T0"}, set(), True),
        ({"A1"}, True, {"T0"}, set(), False),
        ({"A2"}, False, {"A2"}, {"A1"}, True),
        ({"A1"}, True, {"A2"}, {"A1"}, True),
        ({"A1"}, False, {"A2"}, {"A1"}, False),
        ({"A3", "A4"}, False, {"A1", "A2", "A3", "A4"}, set(), True),
    ],
)
def test_an_item_is_triggered_by_any_listed_type_or_a_confirmed_attack(
    types: set[str], confirmed: bool, any_types: set[str], confirmed_types: set[str], expected: bool
) -> None:
    got = rules.item_triggered(frozenset(types), confirmed, frozenset(any_types), frozenset(confirmed_types))
    assert got is expected


@pytest.mark.parametrize(
    ("persons", "businesses", "cap"),
    [(0, 0, 0), (1, 0, 1_000), (3_400, 0, 3_400_000), (0, 2, 100_000), (10, 1, 60_000)],
)
def test_the_condolence_cap_is_1000_yen_per_person_plus_50000_per_business(
    persons: int, businesses: int, cap: int
) -> None:
    assert rules.condolence_cap(persons, businesses, 1_000, 50_000) == cap


@pytest.mark.parametrize(
    ("limit", "share", "expected"),
    [(30_000_000, "0.10", 3_000_000), (3_333_333, "0.10", 333_333), (0, "0.10", 0), (15, "0.10", 1)],
)
def test_a_share_sublimit_is_rounded_down_to_the_yen(limit: int, share: str, expected: int) -> None:
    assert rules.share_of(limit, Decimal(share)) == expected


@pytest.mark.parametrize(
    ("deductible", "covered", "parts"),
    [
        (100_000, (5_000_000, 20_000_000), (100_000, 0)),
        (100_000, (60_000, 20_000_000), (60_000, 40_000)),
        (100_000, (0, 30_000), (0, 30_000)),
        (100_000, (0, 0), (0, 0)),
        (0, (1_000, 1_000), (0, 0)),
    ],
)
def test_the_deductible_is_taken_once_and_from_expenses_first(
    deductible: int, covered: tuple[int, int], parts: tuple[int, int]
) -> None:
    assert rules.split_deductible(deductible, covered) == parts


@pytest.mark.parametrize(
    ("limit", "used", "left"), [(30_000_000, 0, 30_000_000), (30_000_000, 29_000_000, 1_000_000), (10, 20, 0)]
)
def test_what_is_left_of_a_limit_is_never_negative(limit: int, used: int, left: int) -> None:
    assert rules.remaining(limit, used) == left


@pytest.mark.parametrize(
    ("amount", "part", "result"),
    [(4_000_000, 1_000_000, (3_000_000, 1_000_000)), (100, 500, (0, 100)), (100, 0, (100, 0))],
)
def test_an_excluded_part_is_removed_and_never_more_than_the_amount(
    amount: int, part: int, result: tuple[int, int]
) -> None:
    assert rules.remove_part(amount, part) == result


@pytest.mark.parametrize(
    ("hours", "passes"),
    [(dt.timedelta(hours=12), False), (dt.timedelta(hours=12, seconds=1), True), (dt.timedelta(hours=1), False)],
)
def test_an_outage_must_exceed_the_waiting_period(hours: dt.timedelta, passes: bool) -> None:
    start = t("2026-06-10T09:00:00+09:00")
    assert rules.outage_exceeds_waiting(start, start + hours, 12) is passes


@pytest.mark.parametrize(
    ("op", "fixed", "revenue", "rate"),
    [(50_000_000, 100_000_000, 500_000_000, Decimal("0.3")), (-200_000_000, 100_000_000, 500_000_000, Decimal(0))],
)
def test_the_profit_rate_is_operating_profit_plus_fixed_costs_over_revenue_and_never_negative(
    op: int, fixed: int, revenue: int, rate: Decimal
) -> None:
    assert rules.profit_rate(op, fixed, revenue) == rate


@pytest.mark.parametrize(
    ("std", "act", "rate", "saved", "lost"),
    [
        (10_000_000, 4_000_000, Decimal("0.3"), 0, 1_800_000),
        (10_000_000, 4_000_000, Decimal("0.3"), 300_000, 1_500_000),
        (1_000, 0, Decimal(1) / Decimal(3), 0, 333),  # rounded down
        (4_000_000, 10_000_000, Decimal("0.3"), 0, 0),
        (10_000_000, 9_000_000, Decimal("0.3"), 500_000, 0),
    ],
)
def test_lost_profit_is_the_revenue_drop_times_the_rate_less_saved_costs(
    std: int, act: int, rate: Decimal, saved: int, lost: int
) -> None:
    assert rules.lost_profit(std, act, rate, saved) == lost


@pytest.mark.parametrize(
    ("spent", "avoided", "rate", "expected"),
    [
        (500_000, 1_000_000, Decimal("0.3"), (300_000, 300_000)),
        (200_000, 1_000_000, Decimal("0.3"), (200_000, 300_000)),
    ],
)
def test_prevention_expense_is_capped_by_the_revenue_loss_avoided_times_the_rate(
    spent: int, avoided: int, rate: Decimal, expected: tuple[int, int]
) -> None:
    assert rules.prevention_expense(spent, avoided, rate) == expected


@pytest.mark.parametrize(
    ("spent", "avoided", "prevention", "expected"), [(2_000_000, 500_000, 300_000, 1_200_000), (100_000, 500_000, 0, 0)]
)
def test_continuation_expense_deducts_costs_avoided_and_prevention(
    spent: int, avoided: int, prevention: int, expected: int
) -> None:
    assert rules.continuation_expense(spent, avoided, prevention) == expected


def test_the_indemnity_period_ends_six_months_after_the_outage_start_clipped_to_the_month() -> None:
    assert rules.indemnity_end(t("2026-08-31T10:00:00+09:00"), 6) == t("2027-02-28T10:00:00+09:00")


# ------------------------------------------------------------------------- rules through calculate()


def test_ransom_is_never_paid() -> None:
    r = run(costs=[line("RANSOM", 10_000_000)])
    assert (r.payable_total, r.lines[0].exclusion, r.exclusions) == (0, "X_RANSOM", ("X_RANSOM",))


@pytest.mark.parametrize(("kind", "code"), [("FINE", "X_FINES"), ("INTERNAL_STAFF", "X_INTERNAL_STAFF")])
def test_fines_and_own_staff_costs_are_never_paid(kind: str, code: str) -> None:
    r = run(costs=[line(kind, 1_000_000), line("EX_FORENSICS", 1_000_000, "c2")])
    assert (r.lines[0].covered, r.lines[0].exclusion, r.payable_total) == (0, code, 900_000)


def test_the_culprits_own_loss_is_never_paid() -> None:
    r = run(incident={"culprit": "employee"}, costs=[line("LI_DAMAGES", 500_000, bearer="culprit")])
    assert (r.payable_total, r.lines[0].exclusion) == (0, "X_CULPRIT")


def test_an_employees_crime_is_covered_for_the_insureds_loss() -> None:
    r = run(incident={"culprit": "employee"}, costs=[line("EX_FORENSICS", 500_000)])
    assert (r.payable_total, r.exclusions) == (400_000, ())


@pytest.mark.parametrize(
    ("incident", "code"),
    [
        ({"culprit": "director"}, "X_INTENT"),
        ({"state_backed": True}, "X_WAR"),
        ({"known_before_first_policy": True}, "X_PRIOR"),
    ],
)
def test_a_whole_claim_exclusion_removes_every_amount(incident: dict[str, Any], code: str) -> None:
    r = run(
        incident=incident,
        policy={"bi_limit": 10_000_000},
        costs=[line("EX_FORENSICS", 5_000_000), line("LI_DAMAGES", 9_000_000, "c2")],
        bi=BI_LONG,
    )
    assert r.payable_total == 0
    assert r.exclusions == (code,)
    assert {ln.exclusion for ln in r.lines} == {code}
    assert r.bi.exclusion == code
    assert r.support.available is False


def test_betterment_removes_only_the_improvement() -> None:
    r = run(costs=[line("EX_DATA_RESTORE", 4_000_000, betterment=1_000_000)], policy={"deductible": 0})
    assert (r.lines[0].covered, r.lines[0].exclusion, r.payable_total) == (3_000_000, "X_BETTERMENT", 3_000_000)


def test_liability_assumed_by_contract_beyond_the_law_is_removed() -> None:
    r = run(costs=[line("LI_DAMAGES", 4_000_000, contractual_excess=1_500_000)], policy={"deductible": 0})
    assert (r.liability.payable, r.exclusions) == (2_500_000, ("X_CONTRACTUAL",))


@pytest.mark.parametrize(
    ("discovered_at", "paid"),
    [
        ("2026-04-01T15:59:00+09:00", 0),
        ("2026-04-01T16:00:00+09:00", 900_000),
        ("2027-04-01T15:59:59+09:00", 900_000),
        ("2027-04-01T16:00:00+09:00", 0),
    ],
)
def test_expenses_pay_only_for_a_discovery_within_the_policy_period(discovered_at: str, paid: int) -> None:
    r = run(
        incident={"discovered_at": discovered_at, "occurred_at": None},
        costs=[line("EX_FORENSICS", 1_000_000)],
    )
    assert r.payable_total == paid
    assert r.exclusions == (() if paid else ("X_OUTSIDE_PERIOD",))


def test_a_policy_starting_on_29_february_ends_on_28_february_at_16_00() -> None:
    r = run(
        policy={"start_date": "2028-02-29", "retroactive_date": "2028-02-29"},
        incident={"discovered_at": "2029-02-28T15:59:00+09:00", "occurred_at": None},
        costs=[line("EX_FORENSICS", 1_000_000)],
    )
    assert r.policy_end_at == t("2029-02-28T16:00:00+09:00")
    assert r.payable_total == 900_000


@pytest.mark.parametrize(("status", "paid"), [("cancelled", 0), ("lapsed", 0)])
def test_nothing_discovered_after_a_cancellation_or_lapse_is_paid(status: str, paid: int) -> None:
    r = run(
        policy={"status": status, "ended_at": "2026-06-01T00:00:00+09:00"},
        incident={"occurred_at": "2026-05-01T00:00:00+09:00"},
        costs=[line("EX_FORENSICS", 1_000_000)],
    )
    assert (r.payable_total, r.exclusions) == (paid, ("X_OUTSIDE_PERIOD",))


@pytest.mark.parametrize(
    ("claim_made_at", "occurred_at", "paid"),
    [
        ("2026-07-01T00:00:00+09:00", "2026-05-01T00:00:00+09:00", 1_900_000),
        ("2027-05-01T00:00:00+09:00", "2026-05-01T00:00:00+09:00", 0),  # claim after the period
        ("2026-07-01T00:00:00+09:00", "2026-03-01T00:00:00+09:00", 0),  # before the retroactive date
    ],
)
def test_liability_is_claims_made_for_accidents_since_the_retroactive_date(
    claim_made_at: str, occurred_at: str, paid: int
) -> None:
    r = run(
        incident={"claim_made_at": claim_made_at, "occurred_at": occurred_at, "discovered_at": claim_made_at},
        costs=[line("LI_DAMAGES", 2_000_000)],
    )
    assert r.liability.payable == paid


def test_an_earlier_retroactive_date_covers_an_accident_before_this_policy_started() -> None:
    r = run(
        policy={"retroactive_date": "2024-04-01"},
        incident={"occurred_at": "2025-12-01T00:00:00+09:00"},
        costs=[line("LI_DAMAGES", 2_000_000)],
    )
    assert r.liability.payable == 1_900_000


@pytest.mark.parametrize(
    ("types", "confirmed", "item", "covered"),
    [
        (["T0"], False, "EX_ATTACK_CHECK", True),
        (["A1"], True, "EX_ATTACK_CHECK", False),
        (["T0"], False, "EX_ISOLATION", True),
        (["T0"], False, "EX_FORENSICS", True),
        (["T0"], False, "EX_CALL_CENTER", False),
        (["T0"], False, "LI_DAMAGES", False),
        (["A1"], False, "EX_PREVENTION", False),
        (["A1"], True, "EX_PREVENTION", True),
        (["A2"], False, "EX_PREVENTION", True),
        (["A3"], False, "EX_FORENSICS", False),
        (["A3"], False, "EX_MEDIA", True),
        (["A4"], False, "LI_DEFENCE", True),
    ],
)
def test_each_item_pays_only_for_its_accident_types(
    types: list[str], confirmed: bool, item: str, covered: bool
) -> None:
    r = run(
        incident={"accident_types": types, "attack_confirmed": confirmed},
        policy={"deductible": 0},
        costs=[line(item, 1_000_000)],
    )
    assert r.lines[0].covered == (1_000_000 if covered else 0)
    assert r.lines[0].exclusion == (None if covered else "X_NO_TRIGGER")


def test_condolence_is_capped_per_person_and_per_business() -> None:
    r = run(
        incident={"affected_persons": 200, "affected_businesses": 3},
        policy={"deductible": 0},
        costs=[line("EX_CONDOLENCE", 1_000_000)],
    )
    assert r.lines[0].covered == 200 * 1_000 + 3 * 50_000


def test_condolence_counts_on_the_line_replace_the_incidents_counts() -> None:
    r = run(
        incident={"affected_persons": 3_400},
        policy={"deductible": 0},
        costs=[line("EX_CONDOLENCE", 3_400_000, persons=100)],
    )
    assert r.lines[0].covered == 100_000


@pytest.mark.parametrize(
    ("prior_used", "claimed", "covered"),
    [(0, 12_000_000, 10_000_000), (7_000_000, 5_000_000, 3_000_000), (10_000_000, 1_000_000, 0)],
)
def test_the_attack_check_sublimit_is_net_of_earlier_payments(prior_used: int, claimed: int, covered: int) -> None:
    r = run(
        incident={"accident_types": ["T0"], "attack_confirmed": False},
        prior_payments={"sublimits": {"EX_ATTACK_CHECK": prior_used}},
        policy={"deductible": 0},
        costs=[line("EX_ATTACK_CHECK", claimed)],
    )
    assert r.lines[0].covered == covered


@pytest.mark.parametrize(
    ("expense_limit", "prior_used", "covered"),
    [(30_000_000, 0, 3_000_000), (30_000_000, 2_500_000, 500_000), (10_000_000, 0, 1_000_000)],
)
def test_the_prevention_sublimit_is_ten_percent_of_the_expense_limit_net_of_earlier_payments(
    expense_limit: int, prior_used: int, covered: int
) -> None:
    r = run(
        prior_payments={"sublimits": {"EX_PREVENTION": prior_used}},
        policy={"deductible": 0, "expense_limit": expense_limit},
        costs=[line("EX_PREVENTION", 5_000_000)],
    )
    assert r.lines[0].covered == covered


def test_two_lines_of_one_item_share_its_sublimit() -> None:
    r = run(
        policy={"deductible": 0},
        costs=[line("EX_PREVENTION", 2_000_000), line("EX_PREVENTION", 2_000_000, "c2")],
    )
    assert [ln.covered for ln in r.lines] == [2_000_000, 1_000_000]


def test_the_deductible_is_taken_from_liability_when_expenses_are_too_small() -> None:
    r = run(costs=[line("EX_FORENSICS", 30_000), line("LI_DAMAGES", 1_000_000, "c2")])
    assert (r.expense.payable, r.liability.payable, r.deductible_applied) == (0, 930_000, 100_000)


def test_the_deductible_does_not_apply_to_business_interruption() -> None:
    r = run(policy={"bi_limit": 10_000_000}, bi=BI_LONG)
    assert (r.deductible_applied, r.bi.payable) == (0, 1_800_000)


@pytest.mark.parametrize(
    ("prior", "expense_paid", "liability_paid"),
    [
        ({}, 9_900_000, 50_000_000),
        ({"expense": 25_000_000}, 5_000_000, 50_000_000),
        ({"liability": 80_000_000}, 9_900_000, 20_000_000),
        ({"expense": 40_000_000, "liability": 100_000_000}, 0, 0),
    ],
)
def test_each_section_is_capped_at_what_is_left_of_its_annual_limit(
    prior: dict[str, int], expense_paid: int, liability_paid: int
) -> None:
    r = run(
        prior_payments=prior,
        costs=[line("EX_FORENSICS", 10_000_000), line("LI_DAMAGES", 50_000_000, "c2")],
    )
    assert (r.expense.payable, r.liability.payable) == (expense_paid, liability_paid)


BI_LONG: dict[str, Any] = {
    "outage_start": "2026-06-10T09:00:00+09:00",
    "outage_end": "2026-06-12T09:00:00+09:00",
    "standard_revenue": 10_000_000,
    "actual_revenue": 4_000_000,
    "fiscal_revenue": 500_000_000,
    "operating_profit": 50_000_000,
    "fixed_costs": 100_000_000,
}


def test_an_outage_of_twelve_hours_pays_nothing_and_is_no_exclusion() -> None:
    bi = {**BI_LONG, "outage_end": "2026-06-10T21:00:00+09:00"}
    r = run(policy={"bi_limit": 10_000_000}, bi=bi)
    assert (r.bi.payable, r.bi.exclusion, r.exclusions, r.bi.waiting_period_passed) == (0, None, (), False)


def test_an_outage_longer_than_twelve_hours_pays_in_full() -> None:
    bi = {
        **BI_LONG,
        "outage_end": "2026-06-10T21:00:01+09:00",
        "saved_fixed_costs": 300_000,
        "prevention_spent": 500_000,
        "revenue_loss_avoided": 1_000_000,
        "continuation_spent": 2_000_000,
        "costs_avoided": 500_000,
    }
    r = run(policy={"bi_limit": 10_000_000}, bi=bi)
    # lost 6,000,000 × 0.3 − 300,000 = 1,500,000; prevention min(500,000, 300,000) = 300,000;
    # continuation 2,000,000 − 500,000 − 300,000 = 1,200,000.
    assert (r.bi.lost_profit, r.bi.prevention, r.bi.continuation, r.bi.payable) == (
        1_500_000,
        300_000,
        1_200_000,
        3_000_000,
    )


@pytest.mark.parametrize(("limit", "prior", "paid"), [(1_000_000, 0, 1_000_000), (10_000_000, 9_500_000, 500_000)])
def test_business_interruption_is_capped_at_what_is_left_of_its_limit(limit: int, prior: int, paid: int) -> None:
    r = run(policy={"bi_limit": limit}, prior_payments={"bi": prior}, bi=BI_LONG)
    assert r.bi.payable == paid


def test_business_interruption_needs_the_option_on_the_policy() -> None:
    r = run(bi=BI_LONG)
    assert (r.bi.payable, r.bi.exclusion, r.exclusions) == (0, "X_NOT_PURCHASED", ("X_NOT_PURCHASED",))


@pytest.mark.parametrize(("types", "paid"), [(["A2"], 0), (["A4"], 1_800_000), (["A1"], 1_800_000), (["T0"], 0)])
def test_business_interruption_needs_an_attack_or_an_it_accident(types: list[str], paid: int) -> None:
    r = run(policy={"bi_limit": 10_000_000}, incident={"accident_types": types}, bi=BI_LONG)
    assert r.bi.payable == paid
    assert r.bi.exclusion == (None if paid else "X_NO_TRIGGER")


def test_business_interruption_needs_the_outage_to_start_within_the_period() -> None:
    bi = {**BI_LONG, "outage_start": "2027-04-01T16:00:00+09:00", "outage_end": "2027-04-05T16:00:00+09:00"}
    r = run(policy={"bi_limit": 10_000_000}, bi=bi)
    assert (r.bi.payable, r.bi.exclusion) == (0, "X_OUTSIDE_PERIOD")


@pytest.mark.parametrize(
    ("rider", "types", "country", "code"),
    [
        (True, ["A1"], "JP", None),
        (False, ["A1"], "JP", "X_NOT_PURCHASED"),
        (True, ["A1"], "US", "X_TERRITORY"),
        (True, ["A2"], "JP", "X_NO_TRIGGER"),
    ],
)
def test_the_bodily_injury_rider_needs_the_rider_an_attack_and_japan(
    rider: bool, types: list[str], country: str, code: str | None
) -> None:
    r = run(
        policy={"pd_rider": rider, "deductible": 0},
        incident={"accident_types": types, "country": country},
        costs=[line("PD_DAMAGES", 3_000_000)],
    )
    assert r.lines[0].exclusion == code
    assert r.liability.payable == (3_000_000 if code is None else 0)


def test_the_rider_is_paid_within_the_liability_limit() -> None:
    r = run(
        policy={"pd_rider": True, "deductible": 0, "liability_limit": 10_000_000},
        incident={"accident_types": ["A1"]},
        costs=[line("PD_DAMAGES", 6_000_000), line("LI_DAMAGES", 6_000_000, "c2")],
    )
    assert r.liability.payable == 10_000_000


def test_incidents_abroad_are_covered_except_for_the_rider() -> None:
    r = run(incident={"country": "US"}, costs=[line("EX_FORENSICS", 1_000_000)])
    assert (r.payable_total, r.exclusions) == (900_000, ())


def test_a_zero_amount_excluded_line_adds_no_exclusion_code() -> None:
    r = run(costs=[line("RANSOM", 0)])
    assert r.exclusions == ()


def test_the_worksheet_names_the_clause_of_every_step() -> None:
    r = run(costs=[line("EX_FORENSICS", 1_000_000), line("RANSOM", 5, "c2")])
    assert all(step.clause.startswith("§") for step in r.worksheet)
    assert [s.step for s in r.worksheet if s.step == "deductible"] == ["deductible"]


def test_the_notes_are_the_texts_of_the_product_filled_with_names_and_local_times() -> None:
    r = run(costs=[line("EX_FORENSICS", 1_000_000), line("RANSOM", 5, "c2")])
    terms = r.version.coverage
    for s in r.worksheet:
        for lang in ("ja", "en"):
            note = answer.step_note(r, s, lang)  # type: ignore[arg-type]
            template = terms.steps[s.step].text.get(lang)
            assert note == template.format_map({**s.params, **_shown(r, s, lang)})


@pytest.mark.parametrize(
    ("template", "compiled"),
    [
        ("{line}「{item}」{claimed:,}円 {{braces}} {claimed}", True),
        ("{at} {at} {rate:>8} '\"\\ {hours:.2f}", True),
        ("{amount!r}", False),  # a conversion: format_map fills it
        ("{line[0]} {item.upper}", False),  # an index, an attribute
        ("{amount:{width}}", False),  # a nested field
    ],
)
def test_a_compiled_note_gives_the_text_format_map_gives(template: str, compiled: bool) -> None:
    note = coverage_mod.Note(template, (("item", {"EX_FORENSICS": "調査"}),), ("at",))
    tz = dt.timezone(dt.timedelta(hours=9), "JST")  # the product's zone: local times are kept by instant and zone
    filler = answer._filler(note, tz)
    assert (answer._compiled(note, tz) is not None) is compiled
    at = dt.datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    values = {"line": "c1", "item": "EX_FORENSICS", "claimed": 1_234_000, "at": at, "rate": "0.25",
              "hours": 1.5, "amount": 7, "width": 5}  # fmt: skip
    shown = {**values, "item": "調査", "at": "2026-06-10 09:00 JST"}
    assert filler(values) == template.format_map(shown)
    assert filler({**values, "claimed": True, "item": "OTHER"}) == template.format_map(
        {**shown, "claimed": True, "item": "OTHER"}
    )
    if "{line}" in template:
        with pytest.raises(KeyError):
            filler({k: v for k, v in values.items() if k != "line"})


def test_times_are_shown_in_the_products_time_zone_with_its_name() -> None:
    r = run(costs=[line("EX_FORENSICS", 1_000_000)], incident={"discovered_at": "2026-06-10T00:00:00+00:00"})
    notes = [answer.step_note(r, s, "ja") for s in r.worksheet]
    assert "保険期間：2026-04-01 16:00 JST ～ 2027-04-01 16:00 JST（保険始期日・満期日の午後4時）" in notes
    assert "費用損害：事故の発見（2026-06-10 09:00 JST）は保険期間内です" in notes


def _shown(r: ClaimResult, s: Any, lang: str) -> dict[str, Any]:
    terms = r.version.coverage
    shown: dict[str, Any] = {}
    names = terms.names_ja if lang == "ja" else terms.names_en
    for key, prefix in terms.steps[s.step].named_fields:
        if s.params.get(key) is not None:
            shown[key] = names.get(prefix + s.params[key], s.params[key])
    for key in terms.steps[s.step].time_fields:
        if s.params.get(key) is not None:
            shown[key] = s.params[key].astimezone(r.version.tz).strftime("%Y-%m-%d %H:%M %Z")
    return shown
