"""``mamori claim calculate FILE``: the JSON contract of interfaces.md §1.3, JSON Lines, and invalid input."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mamori.claims import cli

# The example document of interfaces.md §1.3, kept once as data for every test that starts from it.
EXAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "data" / "interface_claim_example.json").read_text(encoding="utf-8")
)


def call(path: Path, *, as_json: bool = True, lang: str = "en") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_calculate(str(path), as_json=as_json, lang=lang, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(EXAMPLE, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_answer_holds_every_key_of_the_contract(example_file: Path) -> None:
    code, out, err = call(example_file)
    answer = json.loads(out)
    assert (code, err) == (0, "")
    assert {"payable_total", "sections", "deductible_applied", "lines", "exclusions"} <= answer.keys()
    assert {"emergency_support", "regulatory", "worksheet"} <= answer.keys()
    assert {"covered", "payable"} <= answer["sections"]["expense"].keys()
    assert {"covered", "payable"} <= answer["sections"]["liability"].keys()
    assert "payable" in answer["sections"]["bi"]
    assert all({"id", "item", "claimed", "covered", "exclusion"} <= ln.keys() for ln in answer["lines"])
    assert {"available", "reason"} <= answer["emergency_support"].keys()
    assert {"ppc_report_required", "grounds", "preliminary_due", "final_due", "gdpr_due", "notify_card_brands"} <= (
        answer["regulatory"].keys()
    )
    assert all({"step", "clause", "amount", "note"} <= s.keys() for s in answer["worksheet"])


def test_the_interface_example_pays_31_300_000_yen(example_file: Path) -> None:
    answer = json.loads(call(example_file)[1])
    # Expenses 5,000,000 + 3,400,000 + (4,000,000 − 1,000,000) = 11,400,000 − 100,000 deductible;
    # liability 20,000,000; the ransom line pays nothing.
    assert answer["payable_total"] == 31_300_000
    assert answer["sections"]["expense"] == answer["sections"]["expense"] | {
        "covered": 11_400_000,
        "payable": 11_300_000,
    }
    assert answer["sections"]["liability"]["payable"] == 20_000_000
    assert answer["deductible_applied"] == 100_000
    assert answer["lines"][3] | {} == answer["lines"][3] | {
        "id": "c4",
        "item": "RANSOM",
        "claimed": 10_000_000,
        "covered": 0,
        "exclusion": "X_RANSOM",
    }
    assert answer["exclusions"] == ["X_BETTERMENT", "X_RANSOM"]
    assert answer["emergency_support"] | {} == answer["emergency_support"] | {"available": True, "reason": None}
    assert answer["regulatory"] | {} == answer["regulatory"] | {
        "ppc_report_required": True,
        "grounds": ["b", "c", "d"],
        "preliminary_due": "2026-06-15",
        "final_due": "2026-08-09",
        "gdpr_due": None,
        "notify_card_brands": True,
    }
    assert [s["amount"] for s in answer["worksheet"] if s["step"] == "deductible"] == [100_000, 0]


def test_json_lines_give_one_answer_per_line(tmp_path: Path) -> None:
    second = copy.deepcopy(EXAMPLE)
    second["costs"] = [{"id": "x", "item": "EX_LEGAL", "amount": 300_000}]
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(EXAMPLE) + "\n\n" + json.dumps(second) + "\n", encoding="utf-8")
    code, out, _ = call(path)
    answers = [json.loads(x) for x in out.splitlines()]
    assert code == 0
    assert [a["payable_total"] for a in answers] == [31_300_000, 200_000]


def test_several_json_lines_in_a_json_file_are_read_as_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(EXAMPLE) + "\n" + json.dumps(EXAMPLE) + "\n", encoding="utf-8")
    code, out, _ = call(path)
    assert (code, len(out.splitlines())) == (0, 2)


def test_an_invalid_document_exits_2_naming_the_path_and_writes_nothing(tmp_path: Path) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["costs"][2]["amount"] = -4
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, out, err = call(path)
    assert (code, out) == (2, "")
    assert "$.costs[2].amount" in err
    assert "whole number of yen" in err


def test_errors_are_shown_in_japanese_when_asked(tmp_path: Path) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["incident"]["discovered_at"] = "2026-06-10T09:00:00"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, out, err = call(path, lang="ja")
    assert (code, out) == (2, "")
    assert "$.incident.discovered_at：タイムゾーン" in err


def test_one_bad_line_in_a_batch_writes_nothing_and_names_the_line(tmp_path: Path) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["policy"]["status"] = "dormant"
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in (EXAMPLE, EXAMPLE, bad)) + "\n", encoding="utf-8")
    code, out, err = call(path)
    assert (code, out) == (2, "")
    assert err.startswith("line 3: $.policy.status: expected one of in_force, cancelled, lapsed")


def test_malformed_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"policy": ', encoding="utf-8")
    code, out, err = call(path)
    assert (code, out) == (2, "")
    assert err.startswith("$: expected a valid JSON document")


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    code, out, err = call(tmp_path / "nowhere.json")
    assert (code, out) == (2, "")
    assert "cannot read" in err


def test_the_readable_worksheet_explains_every_yen_in_japanese(example_file: Path) -> None:
    code, out, _ = call(example_file, as_json=False, lang="ja")
    assert code == 0
    assert "お支払いする保険金: 31,300,000円" in out
    assert "自己負担額100,000円" in out
    assert "X_RANSOM" in out
    assert "速報の期限: 2026-06-15" in out


def test_the_readable_worksheet_is_available_in_english(example_file: Path) -> None:
    out = call(example_file, as_json=False, lang="en")[1]
    assert "Total payable: 31,300,000 yen" in out


def test_a_large_batch_is_calculated_in_parallel_with_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "PARALLEL_MIN", 4)
    monkeypatch.setattr(cli, "CHUNK", 3)
    docs = []
    for i in range(10):
        d = copy.deepcopy(EXAMPLE)
        d["costs"][0]["amount"] = 1_000_000 + i
        docs.append(json.dumps(d))
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(docs) + "\n", encoding="utf-8")
    code, out, _ = call(path)
    totals = [json.loads(x)["payable_total"] for x in out.splitlines()]
    assert code == 0
    assert totals == [27_300_000 + i for i in range(10)]


def test_a_bad_line_in_a_parallel_batch_still_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "PARALLEL_MIN", 4)
    monkeypatch.setattr(cli, "CHUNK", 3)
    lines = [json.dumps(EXAMPLE)] * 9 + ['{"policy": 1}']
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = call(path)
    assert (code, out) == (2, "")
    assert err.startswith("line 10: $.policy: expected a JSON object")


def test_the_installed_command_runs_the_same_calculation(example_file: Path) -> None:
    exe = Path(sys.executable).with_name("mamori")  # the console script of this environment
    proc = subprocess.run(  # noqa: S603 - our own console script with a file we wrote
        [str(exe), "claim", "calculate", str(example_file), "--json"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["payable_total"] == 31_300_000


@pytest.mark.parametrize("as_json", [True, False])
def test_a_parallel_batch_written_to_a_file_is_the_same_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    monkeypatch.setattr(cli, "PARALLEL_MIN", 4)
    monkeypatch.setattr(cli, "CHUNK", 3)
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join([json.dumps(EXAMPLE, ensure_ascii=False)] * 11) + "\n", encoding="utf-8")
    expected = call(path, as_json=as_json, lang="ja")[1]
    out_path = tmp_path / "answers.out"
    with out_path.open("w", encoding="utf-8") as out:
        out.write("before\n")
        code = cli.run_calculate(str(path), as_json=as_json, lang="ja", stdout=out, stderr=io.StringIO())
        out.write("after\n")
    assert code == 0
    assert out_path.read_text(encoding="utf-8") == "before\n" + expected + "after\n"
    assert expected.count("お支払い") >= 11
