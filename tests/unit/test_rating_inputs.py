"""Input errors (product.md §1–2): found before any decision, naming the field and the allowed values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mamori import catalog
from mamori.errors import InvalidInput
from mamori.rating import inputs

CATALOG = catalog.FolderCatalog()
BASE = {"industry": "wholesale", "revenue": 500_000_000, "start": "2026-04-01"}


def parse(raw: dict[str, Any], **kw: Any) -> tuple[catalog.ProductVersion, inputs.Risk]:
    return inputs.parse_risk(raw, catalog=CATALOG, **kw)


def errors_of(**overrides: Any) -> list[tuple[str, str]]:
    raw = {k: v for k, v in {**BASE, **overrides}.items() if v is not None}
    with pytest.raises(InvalidInput) as caught:
        parse(raw)
    return [(e.field, e.code) for e in caught.value.errors]


def message_of(lang: str = "ja", **overrides: Any) -> str:
    raw = {**BASE, **overrides}
    with pytest.raises(InvalidInput) as caught:
        parse(raw)
    return " ".join(caught.value.messages(lang))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"industry": None}, [("industry", "E_REQUIRED")]),
        ({"industry": "banking"}, [("industry", "E_CHOICE")]),
        ({"revenue": None}, [("revenue", "E_REQUIRED")]),
        ({"revenue": 0}, [("revenue", "E_REVENUE_POSITIVE")]),
        ({"revenue": -5}, [("revenue", "E_REVENUE_POSITIVE")]),
        ({"revenue": "5億万"}, [("revenue", "E_INTEGER")]),
        ({"revenue": "1億10000万"}, [("revenue", "E_INTEGER")]),
        ({"revenue": "万"}, [("revenue", "E_INTEGER")]),
        ({"revenue": 1.5}, [("revenue", "E_INTEGER")]),
        ({"liability_limit": 200_000_000}, [("liability_limit", "E_CHOICE")]),
        ({"expense_limit": 20_000_000}, [("expense_limit", "E_CHOICE")]),
        (
            {"liability_limit": 10_000_000, "expense_limit": 30_000_000},
            [("expense_limit", "E_EXPENSE_ABOVE_LIABILITY")],
        ),
        ({"deductible": 50_000}, [("deductible", "E_CHOICE")]),
        ({"bi_limit": 20_000_000}, [("bi_limit", "E_CHOICE")]),
        ({"security_measures": 11}, [("security_measures", "E_RANGE")]),
        ({"security_measures": -1}, [("security_measures", "E_RANGE")]),
        ({"measures": ["S01", "S99"]}, [("measures", "E_CHOICE")]),
        ({"measures": ["S01", "S01"]}, [("measures", "E_MEASURE_DUPLICATE")]),
        ({"measures": ["S01"], "security_measures": 1}, [("measures", "E_MEASURES_BOTH")]),
        ({"payment": "quarterly"}, [("payment", "E_CHOICE")]),
        ({"overseas_share": "101"}, [("overseas_share", "E_RANGE")]),
        ({"overseas_share": "-1"}, [("overseas_share", "E_RANGE")]),
        ({"overseas_share": "lots"}, [("overseas_share", "E_NUMBER")]),
        ({"overseas_share": "10", "north_america_share": "20"}, [("north_america_share", "E_NA_ABOVE_OVERSEAS")]),
        ({"north_america_share": "5"}, [("north_america_share", "E_NA_ABOVE_OVERSEAS")]),
        ({"pd_rider": "maybe"}, [("pd_rider", "E_BOOLEAN")]),
        ({"start": "2026-13-01"}, [("start", "E_DATE")]),
        ({"start": "2025-03-31"}, [("start", "E_NO_PRODUCT")]),
        ({"term_months": 6}, [("term_months", "E_TERM")]),
        ({"term_months": 24}, [("term_months", "E_TERM")]),
        ({"entity": "partnership"}, [("entity", "E_CHOICE")]),
        ({"colour": "blue"}, [("colour", "E_UNKNOWN_FIELD")]),
        ({"liabilty_limit": 30_000_000}, [("liabilty_limit", "E_UNKNOWN_FIELD")]),
        ({"revenue": "500,00"}, [("revenue", "E_INTEGER")]),
        ({"revenue": "5,0000,000"}, [("revenue", "E_INTEGER")]),
        ({"revenue": 10**15 + 1}, [("revenue", "E_RANGE")]),
        ({"revenue": 10**30}, [("revenue", "E_RANGE")]),
        ({"revenue": "9" * 40}, [("revenue", "E_INTEGER")]),
        ({"revenue": float("inf")}, [("revenue", "E_INTEGER")]),
        ({"revenue": "Infinity"}, [("revenue", "E_INTEGER")]),
        ({"revenue": "NULL"}, [("revenue", "E_REQUIRED")]),
        ({"revenue": "N/A"}, [("revenue", "E_REQUIRED")]),
        ({"revenue": float("nan")}, [("revenue", "E_REQUIRED")]),
        ({"overseas_share": "12.34567"}, [("overseas_share", "E_DECIMALS")]),
        ({"overseas_share": "Infinity"}, [("overseas_share", "E_NUMBER")]),
        ({"start": "9999-01-01"}, [("start", "E_DATE_RANGE")]),
        ({"start": "10000-01-01"}, [("start", "E_DATE")]),
    ],
)
def test_each_invalid_input_is_reported_on_its_field(
    overrides: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert errors_of(**overrides) == expected


def test_every_problem_is_reported_at_once() -> None:
    found = errors_of(industry="x", revenue=0, term_months=3, deductible=1)
    assert {f for f, _ in found} == {"industry", "revenue", "term_months", "deductible"}


def test_an_unknown_option_value_lists_the_allowed_values_in_both_languages() -> None:
    ja = message_of("ja", liability_limit=200_000_000)
    en = message_of("en", liability_limit=200_000_000)
    for text in (ja, en):
        assert "liability_limit" in text
        assert "10,000,000" in text  # numbers with separators in every message, the list parted unambiguously
    assert "10,000,000、30,000,000、50,000,000、100,000,000、300,000,000、500,000,000、1,000,000,000" in ja
    assert "10,000,000; 30,000,000; 50,000,000; 100,000,000; 300,000,000; 500,000,000; 1,000,000,000" in en
    assert "指定できる値" in ja
    assert "Allowed values" in en


def test_a_short_term_is_refused_in_the_page_s_words() -> None:
    assert "短期契約はお引き受けできません" in message_of("ja", term_months=6)
    assert "Short-term contracts are not available" in message_of("en", term_months=6)


def test_zero_revenue_tells_a_new_business_to_enter_projected_revenue() -> None:
    assert "見込売上高" in message_of("ja", revenue=0)
    assert "projected annual revenue" in message_of("en", revenue=0)


def test_a_start_before_the_first_version_names_the_first_allowed_date() -> None:
    assert "2025-04-01" in message_of("en", start="2024-12-01")


def test_cli_strings_parse_like_json_values() -> None:
    _, from_strings = parse(
        {"industry": " retail ", "revenue": "1,000,000", "pd_rider": "true", "security_measures": "7",
         "overseas_share": "12.5", "start": "2026-04-01"}
    )  # fmt: skip
    _, from_values = parse(
        {"industry": "retail", "revenue": 1_000_000, "pd_rider": True, "security_measures": 7,
         "overseas_share": 12.5, "start": dt.date(2026, 4, 1)}
    )  # fmt: skip
    assert from_strings == from_values


def test_the_start_defaults_to_the_given_today() -> None:
    _, parsed = parse({"industry": "retail", "revenue": 1}, today=dt.date(2026, 7, 7))
    assert parsed.start == dt.date(2026, 7, 7)


def test_today_is_the_date_in_the_product_s_time_zone() -> None:
    version = CATALOG.get("2025-04")
    # 15:30 UTC on 30 June is already 1 July in Japan.
    assert version.today(dt.datetime(2026, 6, 30, 15, 30, tzinfo=dt.UTC)) == dt.date(2026, 7, 1)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500000000", 500_000_000),
        ("500,000,000", 500_000_000),
        ("５００，０００，０００", 500_000_000),  # full-width, as typed with a Japanese input method
        ("500,000,000円", 500_000_000),
        (" 1_000_000 ", 1_000_000),
    ],
)
def test_a_revenue_is_read_the_way_a_japanese_user_writes_it(text: str, value: int) -> None:
    assert parse({**BASE, "revenue": text})[1].revenue == value


def test_industry_codes_are_read_case_insensitively_and_a_misspelling_gets_a_suggestion() -> None:
    assert parse({**BASE, "industry": "Wholesale"})[1].industry == "wholesale"
    with pytest.raises(InvalidInput) as caught:
        parse({**BASE, "liabilty_limit": 30_000_000})
    (error,) = caught.value.errors
    assert error.params["suggestion"] == "liability_limit"
    assert "「liability_limit」の誤りではありませんか" in error.message("ja")
    assert "Did you mean liability_limit?" in error.message("en")


def test_a_date_written_with_slashes_is_read() -> None:
    assert parse({**BASE, "start": "2026/4/1"})[1].start == dt.date(2026, 4, 1)


def test_a_value_beyond_the_range_is_shown_as_written_never_wrapped() -> None:
    text = message_of("en", revenue=2**70)
    assert str(2**70) in text
    assert "-" not in text.split("got")[1]


def test_a_caller_can_rate_with_a_version_it_holds() -> None:
    held = CATALOG.get("2025-04")
    version, _ = parse({**BASE, "start": "2030-01-01"}, version=held)
    assert version is held
