"""``mamori claim calculate FILE``: the JSON contract of interfaces.md §1.3, JSON Lines, and invalid input
(run in-process through ``cli.main``; one test runs the installed command)."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mamori import cli
from mamori.usecases import claims as claim_usecases

# The example document of interfaces.md §1.3, kept once as data for every test that starts from it.
EXAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "data" / "interface_claim_example.json").read_text(encoding="utf-8")
)


def call(path: Path | str, *options: str, stdout: Any = None) -> tuple[int, str, str]:
    out = io.StringIO() if stdout is None else stdout
    err = io.StringIO()
    code = cli.main(["claim", "calculate", str(path), *options], stdout=out, stderr=err)
    return code, out.getvalue() if stdout is None else "", err.getvalue()


def write(tmp_path: Path, name: str, *docs: Any, text: str | None = None) -> Path:
    path = tmp_path / name
    path.write_text(text if text is not None else "\n".join(json.dumps(d) for d in docs) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(EXAMPLE, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 4 lines or more go to worker processes, 3 lines a chunk."""
    monkeypatch.setattr(claim_usecases, "PARALLEL_MIN", 4)
    monkeypatch.setattr(claim_usecases, "CHUNK", 3)


def test_the_answer_holds_every_key_of_the_contract(example_file: Path) -> None:
    code, out, err = call(example_file, "--json", "--lang", "en")
    answer = json.loads(out)
    assert (code, err) == (0, "")
    assert {"payable_total", "sections", "deductible_applied", "lines", "exclusions"} <= answer.keys()
    assert {"emergency_support", "regulatory", "worksheet"} <= answer.keys()
    assert {"covered", "payable"} <= answer["sections"]["expense"].keys()
    assert {"covered", "payable"} <= answer["sections"]["liability"].keys()
    assert "payable" in answer["sections"]["bi"]
    assert all({"id", "item", "claimed", "covered", "exclusion"} <= ln.keys() for ln in answer["lines"])
    assert {"available", "reason", "intake_hours"} <= answer["emergency_support"].keys()
    assert {"ppc_report_required", "grounds", "preliminary_due", "final_due", "gdpr_due", "notify_card_brands"} <= (
        answer["regulatory"].keys()
    )
    assert all({"step", "clause", "amount", "note"} <= s.keys() for s in answer["worksheet"])


def test_the_interface_example_pays_31_300_000_yen(example_file: Path) -> None:
    answer = json.loads(call(example_file, "--json", "--lang", "en")[1])
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
    assert answer["emergency_support"] | {} == answer["emergency_support"] | {
        "available": True,
        "reason": None,
        "intake_hours": 24,
    }
    assert answer["regulatory"] | {} == answer["regulatory"] | {
        "ppc_report_required": True,
        "grounds": ["b", "c", "d"],
        "preliminary_due": "2026-06-15",
        "final_due": "2026-08-09",
        "gdpr_due": None,
        "notify_card_brands": True,
    }
    assert [s["amount"] for s in answer["worksheet"] if s["step"] == "deductible"] == [100_000, 0]


def test_json_lines_give_one_compact_answer_per_line(tmp_path: Path) -> None:
    second = copy.deepcopy(EXAMPLE)
    second["costs"] = [{"id": "x", "item": "EX_LEGAL", "amount": 300_000}]
    path = write(tmp_path, "batch.jsonl", text=json.dumps(EXAMPLE) + "\n\n" + json.dumps(second) + "\n")
    code, out, _ = call(path, "--json")
    answers = [json.loads(x) for x in out.splitlines()]
    assert code == 0
    assert [a["payable_total"] for a in answers] == [31_300_000, 200_000]


def test_several_json_lines_in_a_json_file_are_read_as_json_lines(tmp_path: Path) -> None:
    code, out, _ = call(write(tmp_path, "batch.json", EXAMPLE, EXAMPLE), "--json")
    assert (code, len(out.splitlines())) == (0, 2)


def test_a_document_on_standard_input_is_read_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(EXAMPLE).encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = call("-", "--json")
    assert (code, json.loads(out)["payable_total"]) == (0, 31_300_000)


def test_an_invalid_document_exits_2_naming_the_field_and_writes_nothing(tmp_path: Path) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["costs"][2]["amount"] = -4
    code, out, err = call(write(tmp_path, "bad.json", bad), "--lang", "en")
    assert (code, out) == (2, "")
    assert "costs[2].amount (amount) must be between 0 and 1,000,000,000,000,000 (got -4)." in err


def test_errors_are_shown_in_japanese_when_asked(tmp_path: Path) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["incident"]["discovered_at"] = "2026-06-10T09:00:00"
    code, out, err = call(write(tmp_path, "bad.json", bad), "--lang", "ja")
    assert (code, out) == (2, "")
    assert "事故の発見日時（incident.discovered_at）はタイムゾーン（時差）付きの日時で入力してください" in err


def test_errors_are_json_on_stderr_with_json(tmp_path: Path) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["policy"]["status"] = "dormant"
    code, out, err = call(write(tmp_path, "bad.json", bad), "--json", "--lang", "en")
    body = json.loads(err.splitlines()[0])
    assert (code, out) == (2, "")
    assert body["errors"][0] | {} == body["errors"][0] | {
        "field": "policy.status",
        "code": "E_CHOICE",
        "allowed": ["in_force", "cancelled", "lapsed"],
    }


def test_one_bad_line_in_a_batch_writes_nothing_and_names_the_line(tmp_path: Path) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["policy"]["status"] = "dormant"
    code, out, err = call(write(tmp_path, "batch.jsonl", EXAMPLE, EXAMPLE, bad), "--json", "--lang", "en")
    assert (code, out) == (2, "")
    assert (
        "row 3: policy.status (policy status): dormant is not allowed. Allowed values: in_force, cancelled, lapsed"
        in err
    )


def test_line_500_of_a_batch_invalid_prints_nothing_and_names_line_500(tmp_path: Path) -> None:
    bad = copy.deepcopy(EXAMPLE)
    bad["costs"][0]["amount"] = "5,000,000"
    docs = [EXAMPLE] * 499 + [bad] + [EXAMPLE] * 100
    code, out, err = call(write(tmp_path, "batch.jsonl", *docs), "--lang", "ja")
    assert (code, out) == (2, "")
    assert err.count("行目") == 1
    # a JSON string where a number is expected is shown with its quotes
    assert '500行目: 金額（costs[0].amount）は整数で入力してください（入力値: "5,000,000"）。' in err


def test_malformed_json_is_an_input_error_with_its_line_and_column(tmp_path: Path) -> None:
    code, out, err = call(write(tmp_path, "broken.json", text='{"policy": \n  {"start_date": '), "--lang", "en")
    assert (code, out) == (2, "")
    assert "The JSON ends too early (line 2, column 17)" in err


def test_a_file_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "sjis.json"
    path.write_bytes(json.dumps(EXAMPLE | {"note": "事故"}, ensure_ascii=False).encode("cp932"))
    code, out, err = call(path, "--lang", "ja")
    assert (code, out) == (2, "")
    assert "文字コードが UTF-8 ではありません" in err


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    code, out, err = call(tmp_path / "nowhere.json", "--lang", "en")
    assert (code, out) == (2, "")
    assert f"The file {tmp_path / 'nowhere.json'} does not exist." in err


def test_the_readable_worksheet_explains_every_yen_in_japanese(example_file: Path) -> None:
    code, out, _ = call(example_file, "--lang", "ja")
    assert code == 0
    assert "お支払いする保険金: 31,300,000円" in out
    assert "自己負担額100,000円" in out
    assert "X_RANSOM" in out
    assert "速報の期限: 2026-06-15" in out
    assert "事故の受付: 1日24時間" in out


def test_the_readable_worksheet_is_available_in_english(example_file: Path) -> None:
    out = call(example_file, "--lang", "en")[1]
    assert "Total payable: 31,300,000 yen" in out
    assert "Incident intake: 24 hours a day" in out


def test_json_on_a_terminal_that_is_not_utf8_is_ascii_escaped(tmp_path: Path) -> None:
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="ascii", errors="strict", write_through=True)
    code, _, _ = call(write(tmp_path, "batch.jsonl", EXAMPLE, EXAMPLE), "--json", "--lang", "ja", stdout=stdout)
    stdout.flush()
    lines = raw.getvalue().decode("ascii").splitlines()
    assert code == 0
    assert [json.loads(x)["lang"] for x in lines] == ["ja", "ja"]
    assert "\\u" in lines[0]


def test_a_large_batch_is_calculated_in_worker_processes_with_the_same_answers(
    tmp_path: Path, in_workers: None
) -> None:
    docs = []
    for i in range(10):
        d = copy.deepcopy(EXAMPLE)
        d["costs"][0]["amount"] = 1_000_000 + i
        docs.append(d)
    code, out, _ = call(write(tmp_path, "batch.jsonl", *docs), "--json")
    totals = [json.loads(x)["payable_total"] for x in out.splitlines()]
    assert code == 0
    assert totals == [27_300_000 + i for i in range(10)]


def test_a_bad_line_in_a_parallel_batch_still_writes_nothing(tmp_path: Path, in_workers: None) -> None:
    path = write(tmp_path, "batch.jsonl", text="\n".join([json.dumps(EXAMPLE)] * 9 + ['{"policy": 1}']) + "\n")
    code, out, err = call(path, "--json", "--lang", "en")
    assert (code, out) == (2, "")
    assert "row 10: policy must be a JSON object {...} (got 1)." in err
    assert "row 10: costs (cost lines) is required." in err


def test_the_installed_command_runs_the_same_calculation(example_file: Path) -> None:
    exe = Path(sys.executable).with_name("mamori")  # the console script of this environment
    proc = subprocess.run(
        [str(exe), "claim", "calculate", str(example_file), "--json"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["payable_total"] == 31_300_000


@pytest.mark.parametrize("as_json", [True, False])
def test_a_parallel_batch_written_to_a_file_is_the_same_text(tmp_path: Path, in_workers: None, as_json: bool) -> None:
    path = write(tmp_path, "batch.jsonl", *[EXAMPLE] * 11)
    options = ("--json", "--lang", "ja") if as_json else ("--lang", "ja")
    expected = call(path, *options)[1]
    out_path = tmp_path / "answers.out"
    with out_path.open("w", encoding="utf-8") as out:
        out.write("before\n")
        code = cli.main(["claim", "calculate", str(path), *options], stdout=out, stderr=io.StringIO())
        out.write("after\n")
    assert code == 0
    assert out_path.read_text(encoding="utf-8") == "before\n" + expected + "after\n"
    assert expected.count("お支払い") >= 11


def test_a_folder_given_as_the_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    code, out, err = call(tmp_path, "--lang", "en")
    assert (code, out) == (2, "")
    assert f"Cannot read the file {tmp_path}" in err
