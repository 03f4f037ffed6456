"""Regulatory deadlines (product.md §4.1) and emergency-support eligibility and triage (§4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from mamori import product
from mamori.support import deadlines, service

FOLDER: Path = product.product_for_start(dt.date(2026, 4, 1)).path
TERMS = deadlines.load_regulatory_terms(FOLDER)
SUPPORT = service.load_support_terms(FOLDER)
JST = dt.timezone(dt.timedelta(hours=9))


def reg(**kw: Any) -> deadlines.Regulatory:
    values: dict[str, Any] = {
        "discovered_at": dt.datetime(2026, 6, 10, 9, 0, tzinfo=JST),
        "affected_persons": 3400,
        "special_care": False,
        "financial": True,
        "improper_purpose": True,
        "eu_residents": False,
        "card_data": True,
    }
    values.update(kw)
    return deadlines.regulatory(TERMS, **values)


def test_the_interface_example_gives_15_june_and_9_august() -> None:
    r = reg()
    assert (r.ppc_report_required, r.grounds) == (True, ("b", "c", "d"))
    assert (r.preliminary_due, r.final_due) == (dt.date(2026, 6, 15), dt.date(2026, 8, 9))
    assert (r.gdpr_due, r.notify_card_brands) == (None, True)


@pytest.mark.parametrize(
    ("kw", "grounds"),
    [
        ({"special_care": True, "financial": False, "improper_purpose": False, "affected_persons": 5}, ("a",)),
        ({"financial": True, "improper_purpose": False, "affected_persons": 5}, ("b",)),
        ({"financial": False, "improper_purpose": True, "affected_persons": 5}, ("c",)),
        ({"financial": False, "improper_purpose": False, "affected_persons": 1000}, ()),
        ({"financial": False, "improper_purpose": False, "affected_persons": 1001}, ("d",)),
        ({"special_care": True, "affected_persons": 0}, ()),
    ],
)
def test_each_appi_ground_is_recognised(kw: dict[str, Any], grounds: tuple[str, ...]) -> None:
    r = reg(**kw)
    assert r.grounds == grounds
    assert r.ppc_report_required is bool(grounds)


def test_no_report_means_no_report_dates() -> None:
    r = reg(financial=False, improper_purpose=False, affected_persons=10)
    assert (r.preliminary_due, r.final_due) == (None, None)


def test_the_final_report_is_due_in_30_days_without_an_improper_purpose() -> None:
    assert reg(improper_purpose=False).final_due == dt.date(2026, 7, 10)


def test_the_awareness_date_is_the_japanese_calendar_date() -> None:
    r = reg(discovered_at=dt.datetime(2026, 6, 9, 23, 30, tzinfo=dt.UTC))  # 08:30 JST on 10 June
    assert (r.awareness_date, r.preliminary_due) == (dt.date(2026, 6, 10), dt.date(2026, 6, 15))


def test_gdpr_notice_is_due_72_hours_after_awareness_with_the_offset_kept() -> None:
    r = reg(eu_residents=True)
    assert r.gdpr_due == dt.datetime(2026, 6, 13, 9, 0, tzinfo=JST)
    assert r.gdpr_due is not None
    assert r.gdpr_due.isoformat() == "2026-06-13T09:00:00+09:00"


def test_time_left_to_a_date_deadline_runs_to_the_end_of_that_day_in_japan() -> None:
    now = dt.datetime(2026, 6, 15, 12, 0, tzinfo=JST)
    assert deadlines.time_left(dt.date(2026, 6, 15), now, TERMS.tz) == dt.timedelta(hours=12)


def test_support_is_available_for_a_payable_incident_in_japan() -> None:
    s = service.assess(SUPPORT, country="JP", not_payable=(), accident_types=frozenset({"A1"}), affected=False)
    assert (s.available, s.reason, s.phases) == (True, None, ("attacked", "recover_prevent"))
    assert s.vendors == ("forensics", "lawyers", "data_recovery")


def test_support_is_not_available_abroad() -> None:
    s = service.assess(SUPPORT, country="US", not_payable=(), accident_types=frozenset({"A1"}), affected=False)
    assert (s.available, s.reason, s.phases) == (False, "X_TERRITORY", ())


def test_support_is_not_available_when_the_insurance_cannot_pay() -> None:
    s = service.assess(SUPPORT, country="US", not_payable=("X_WAR",), accident_types=frozenset({"A1"}), affected=False)
    assert (s.available, s.reason, s.reasons) == (False, "X_WAR", ("X_WAR", "X_TERRITORY"))


@pytest.mark.parametrize(
    ("types", "affected", "phases"),
    [
        ({"T0"}, False, ("indicated",)),
        ({"T0", "A1"}, False, ("indicated", "attacked", "recover_prevent")),
        ({"A2"}, True, ("explain_apologise", "recover_prevent")),
        ({"A1", "A2"}, True, ("attacked", "explain_apologise", "recover_prevent")),
        ({"A4"}, True, ("explain_apologise", "recover_prevent")),
        ({"A3"}, False, ("explain_apologise", "recover_prevent")),
    ],
)
def test_triage_follows_the_four_phases_of_the_product_page(
    types: set[str], affected: bool, phases: tuple[str, ...]
) -> None:
    assert service.triage(SUPPORT, frozenset(types), affected)[0] == phases


def test_every_phase_has_a_bilingual_checklist() -> None:
    assert [p.id for p in SUPPORT.phases] == ["indicated", "attacked", "explain_apologise", "recover_prevent"]
    assert all(p.checklist and all(ja and en for ja, en in p.checklist) for p in SUPPORT.phases)
