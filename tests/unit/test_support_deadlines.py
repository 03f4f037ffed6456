"""Regulatory deadlines (product.md §4.1) and emergency-support eligibility and triage (§4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import pytest

from mamori import catalog as catalog_mod
from mamori.support import deadlines, service

VERSION = catalog_mod.FolderCatalog().in_force(dt.date(2026, 4, 1))
TERMS = VERSION.regulatory
SUPPORT = VERSION.support
JST = dt.timezone(dt.timedelta(hours=9))


class Data(NamedTuple):
    special_care: bool = False
    financial: bool = True
    improper_purpose: bool = True
    eu_residents: bool = False
    card_data: bool = True


def reg(
    *, discovered_at: dt.datetime = dt.datetime(2026, 6, 10, 9, 0, tzinfo=JST), affected_persons: int = 3400, **kw: Any
) -> deadlines.Regulatory:
    return deadlines.regulatory(
        TERMS, tz=VERSION.tz, discovered_at=discovered_at, affected_persons=affected_persons, data=Data(**kw)
    )


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


def test_the_awareness_date_is_the_calendar_date_in_the_products_time_zone() -> None:
    r = reg(discovered_at=dt.datetime(2026, 6, 9, 23, 30, tzinfo=dt.UTC))  # 08:30 JST on 10 June
    assert (r.awareness_date, r.preliminary_due) == (dt.date(2026, 6, 10), dt.date(2026, 6, 15))


def test_gdpr_notice_is_due_72_hours_after_awareness_with_the_offset_kept() -> None:
    r = reg(eu_residents=True)
    assert r.gdpr_due == dt.datetime(2026, 6, 13, 9, 0, tzinfo=JST)
    assert r.gdpr_due is not None
    assert r.gdpr_due.isoformat() == "2026-06-13T09:00:00+09:00"


def test_time_left_to_a_date_deadline_runs_to_the_end_of_that_day_in_japan() -> None:
    now = dt.datetime(2026, 6, 15, 12, 0, tzinfo=JST)
    assert deadlines.time_left(dt.date(2026, 6, 15), now, VERSION.tz) == dt.timedelta(hours=12)


def test_support_is_available_for_a_payable_incident_in_japan() -> None:
    s = service.assess(SUPPORT, country="JP", not_payable=(), accident_types=frozenset({"A1"}), affected=False)
    assert (s.available, s.reason, s.phases) == (True, None, ("attacked", "recover_prevent"))
    assert s.vendors == ("forensics", "lawyers", "data_recovery")
    assert s.intake_hours == 24


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


def test_a_time_left_to_a_date_time_deadline_is_exact_and_negative_when_overdue() -> None:
    now = dt.datetime(2026, 6, 14, 10, 0, tzinfo=JST)
    assert deadlines.time_left(dt.datetime(2026, 6, 13, 9, 0, tzinfo=JST), now, VERSION.tz) == -dt.timedelta(hours=25)


def test_a_support_reason_has_its_own_text_and_a_coverage_code_has_none() -> None:
    assert (
        service.reason_text(SUPPORT, service.TERRITORY, "ja")
        == "緊急時サポート総合サービスは日本国内の事故にのみご利用いただけます"
    )
    assert service.reason_text(SUPPORT, service.TERRITORY, "en") == (
        "The emergency support service is available only for incidents in Japan"
    )
    assert service.reason_text(SUPPORT, "X_WAR", "ja") is None
