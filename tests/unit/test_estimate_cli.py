"""``mamori estimate FILE | --preset N``: the JSON contract of interfaces.md §1.5, the readable estimate in
Japanese and English, and invalid input (exit status 2, the field and the allowed values on stderr,
nothing on stdout). Run in-process through ``cli.main``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from mamori import cli
from mamori.cli import estimate as estimate_command


def test_the_command_is_registered() -> None:
    assert estimate_command in cli.COMMANDS


def call(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["estimate", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, document: Any, name: str = "estimate.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return str(path)


def test_the_answer_holds_every_key_of_the_contract(tmp_path: Path) -> None:
    document = {
        "business": {"industry": "manufacturing", "revenue": 500000000, "employees": 150,
                     "high_social_responsibility": None},
        "records": [{"categories": ["name", "address"], "persons": 8000}],
        "response": "appropriate",
        "plan": {"liability_limit": 100000000, "expense_limit": 30000000, "deductible": 100000},
    }  # fmt: skip
    code, out, err = call(write(tmp_path, document), "--json", "--lang", "en")
    answer = json.loads(out)
    assert (code, err) == (0, "")
    record_keys = {"persons", "x", "y", "sensitivity", "identifiability", "social_responsibility", "response"}
    assert record_keys | {"per_person", "total"} <= answer["records"][0].keys()
    assert answer["records"][0] | {} == answer["records"][0] | {
        "persons": 8000, "x": 1, "y": 1, "sensitivity": 2, "identifiability": 6, "social_responsibility": 1,
        "response": 1, "per_person": 6000, "total": 48000000,
    }  # fmt: skip
    assert {"expense", "liability", "bi", "uninsurable", "total"} <= answer["losses"].keys()
    assert {"payable_total", "worksheet"} <= answer["payout"].keys()
    assert answer["payout"]["payable_total"] + answer["uninsured"] == answer["losses"]["total"]


def test_a_preset_gives_the_plan_comparison_with_premiums() -> None:
    code, out, _ = call("--preset", "7", "--json")
    answer = json.loads(out)
    assert code == 0
    chosen = [p for p in answer["plans"] if p["chosen"]]
    assert [(p["monthly_premium"], p["payable_total"]) for p in chosen] == [(8450, answer["payout"]["payable_total"])]
    assert all({"liability_limit", "expense_limit", "deductible", "monthly_premium", "uninsured"} <= p.keys()
               for p in answer["plans"])  # fmt: skip


def test_every_cost_line_shows_its_unit_cost_quantity_and_source() -> None:
    answer = json.loads(call("--preset", "2", "--json", "--lang", "en")[1])
    line = next(ln for ln in answer["lines"] if ln["id"] == "forensics_server")
    assert line | {} == line | {"unit_cost": 1750000, "quantity": 2, "amount": 3500000, "source": "illustrative"}
    assert "JNSA 2018" in line["reference"]


def test_the_readable_estimate_is_in_japanese_when_the_locale_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C")
    code, out, _ = call("--preset", "4")
    assert code == 0
    assert out.startswith("■ 想定損害額の試算 — 商品ページの事故例 4")
    assert "損害額の合計: 126,694,520円" in out
    assert "プランの比較" in out
    assert "保険金 30,000,000円 ＋ 補償されない額 96,694,520円 ＝ 損害額の合計 126,694,520円" in out


def test_the_readable_estimate_is_in_english_on_request() -> None:
    code, out, _ = call("--preset", "4", "--lang", "en")
    assert code == 0
    assert out.startswith("■ Loss estimate — Incident example 4 of the product page")
    assert "Total loss: 126,694,520 yen" in out
    assert "1,750,000 yen per server × 20 = 35,000,000 yen" in out


def test_a_file_may_override_a_preset(tmp_path: Path) -> None:
    code, out, _ = call(write(tmp_path, {"preset": 4, "plan": {"bi_limit": 50000000}}), "--json")
    answer = json.loads(out)
    assert code == 0
    assert (answer["preset"], answer["overridden"], answer["payout"]["sections"]["bi"]["payable"]) == (
        4,
        ["plan"],
        50_000_000,
    )


def test_a_document_may_come_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"preset": 6}')))
    code, out, _ = call("-", "--json")
    assert (code, json.loads(out)["losses"]["total"]) == (0, 1_572_000)


# ------------------------------------------------------------------------------- invalid input


def test_an_unknown_category_exits_2_listing_the_known_ones(tmp_path: Path) -> None:
    document = {"preset": 1, "records": [{"categories": ["name", "adress"], "persons": 10}]}
    code, out, err = call(write(tmp_path, document), "--lang", "en")
    assert (code, out) == (2, "")
    assert "records[0].categories[1]" in err and "adress is not allowed" in err
    assert "Allowed values: name, address, date_of_birth" in err


def test_a_preset_out_of_one_to_eight_exits_2_with_the_allowed_numbers() -> None:
    code, out, err = call("--preset", "9")
    assert (code, out) == (2, "")
    assert "preset" in err and "指定できる値: 1, 2, 3, 4, 5, 6, 7, 8" in err


def test_duplicate_json_keys_exit_2_naming_the_key(tmp_path: Path) -> None:
    code, out, err = call(
        write(tmp_path, '{"preset": 2, "plan": {"deductible": 0, "deductible": 100000}}'), "--lang", "en"
    )
    assert (code, out) == (2, "")
    assert "plan.deductible" in err and "more than once" in err


def test_errors_are_json_on_stderr_with_json(tmp_path: Path) -> None:
    code, out, err = call(write(tmp_path, {"preset": 1, "response": "good"}), "--json", "--lang", "en")
    body = json.loads(err.splitlines()[0])
    assert (code, out) == (2, "")
    assert body["errors"][0] | {} == body["errors"][0] | {
        "field": "response", "code": "E_CHOICE", "allowed": ["appropriate", "inappropriate", "unknown"],
    }  # fmt: skip


def test_nothing_to_estimate_exits_2() -> None:
    code, out, err = call("--lang", "en")
    assert (code, out) == (2, "")
    assert "--preset 1 to 8" in err


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    code, out, err = call(str(tmp_path / "nowhere.json"), "--lang", "en")
    assert (code, out) == (2, "")
    assert "does not exist" in err


def test_a_file_naming_another_preset_than_the_option_exits_2(tmp_path: Path) -> None:
    code, out, err = call(write(tmp_path, {"preset": 2}), "--preset", "3", "--lang", "en")
    assert (code, out) == (2, "")
    assert "preset 2" in err and "--preset says 3" in err
