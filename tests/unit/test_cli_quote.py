"""``mamori quote`` per interfaces.md §1.1 (run in-process through ``cli.main``)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from mamori import cli


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        code = cli.main(list(argv), stdout=out, stderr=err)
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def run_json(*argv: str) -> dict[str, Any]:
    code, out, err = run("quote", *argv, "--json", "--start", "2026-04-01")
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_wholesale_at_five_hundred_million_says_5280() -> None:
    doc = run_json("--industry", "wholesale", "--revenue", "500000000")
    assert doc["status"] == "quoted"
    assert doc["monthly_premium"] == 5280
    assert doc["annual_premium"] == 62120
    assert doc["product"] == "sme-cyber"
    assert doc["product_version"] == "2025-04"
    assert doc["reasons"] == []
    assert doc["factors"]["base"] == 5280.0
    assert doc["factors"]["liability_limit"] == 1.0


def test_every_documented_option_is_accepted() -> None:
    doc = run_json(
        "--industry", "retail", "--revenue", "800000000", "--liability-limit", "300000000",
        "--expense-limit", "50000000", "--deductible", "300000", "--measure", "S01", "--measure", "S04",
        "--payment", "annual", "--overseas-share", "20", "--north-america-share", "5",
        "--bi-limit", "30000000", "--pd-rider", "--term-months", "12", "--entity", "sole_proprietor",
    )  # fmt: skip
    assert doc["status"] == "quoted"
    assert doc["inputs"]["measures"] == ["S01", "S04"]
    assert doc["inputs"]["payment"] == "annual"
    assert doc["premium"] == doc["annual_premium"]
    assert doc["installments"] == 1
    assert doc["rating_details"]["pd_loading"] == "0.03"
    assert doc["factors"]["options"] == pytest.approx(1.28)


def test_every_liability_option_quotes_without_further_flags() -> None:
    for limit in ("10000000", "30000000", "50000000", "100000000", "300000000", "500000000"):
        assert (
            run_json("--industry", "wholesale", "--revenue", "500000000", "--liability-limit", limit)["status"]
            == "quoted"
        )


def test_a_referral_exits_zero_with_coded_reasons() -> None:
    doc = run_json("--industry", "utilities", "--revenue", "500000000", "--lang", "en")
    assert doc["status"] == "referred"
    assert doc["monthly_premium"] is None
    assert doc["reasons"][0]["code"] == "R_INDUSTRY"
    assert "underwriter" in doc["reasons"][0]["message"]


def test_a_decline_exits_zero() -> None:
    assert run_json("--industry", "crypto_assets", "--revenue", "500000000")["status"] == "declined"


def test_invalid_input_exits_two_naming_the_field_and_allowed_values_and_prints_nothing() -> None:
    code, out, err = run(
        "quote", "--industry", "wholesale", "--revenue", "500000000", "--deductible", "7", "--lang", "en"
    )
    assert code == 2
    assert out == ""
    assert "deductible" in err
    assert "0; 100,000; 300,000; 500,000; 1,000,000" in err  # numbers with separators, parted by semicolons


def test_invalid_input_in_json_mode_gives_a_machine_readable_error_on_stderr() -> None:
    code, out, err = run("quote", "--industry", "bank", "--revenue", "1", "--json", "--lang", "ja")
    assert code == 2
    assert out == ""
    doc = json.loads(err.splitlines()[0])
    assert doc["errors"][0]["field"] == "industry"
    assert "wholesale" in doc["errors"][0]["allowed"]
    assert "指定できる値" in doc["errors"][0]["message"]


def test_a_short_term_exits_two() -> None:
    code, _, err = run("quote", "--industry", "wholesale", "--revenue", "1", "--term-months", "6", "--lang", "ja")
    assert code == 2
    assert "短期契約" in err


def test_an_unknown_flag_exits_two() -> None:
    code, out, _ = run("quote", "--industry", "wholesale", "--revenue", "1", "--colour", "blue")
    assert code == 2
    assert out == ""


@pytest.mark.parametrize(("lang", "words"), [("ja", "月額保険料"), ("en", "Monthly premium")])
def test_the_readable_quote_speaks_the_chosen_language(lang: str, words: str) -> None:
    code, out, _ = run("quote", "--industry", "wholesale", "--revenue", "500000000", "--lang", lang)
    assert code == 0
    assert words in out
    assert "5,280" in out


@pytest.mark.parametrize(("env", "lang"), [("ja_JP.UTF-8", "ja"), ("en_US.UTF-8", "en"), ("C.UTF-8", "ja"), ("", "ja")])
def test_the_default_language_comes_from_the_locale(monkeypatch: pytest.MonkeyPatch, env: str, lang: str) -> None:
    from mamori import i18n

    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", env)
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *_: (None, None))
    assert i18n.default_lang() == lang


def test_the_demo_shows_the_published_table() -> None:
    code, out, _ = run("demo", "--lang", "ja")
    assert code == 0
    for cell in ("7,920", "16,090", "5,280", "27,250", "21,460"):
        assert cell in out
