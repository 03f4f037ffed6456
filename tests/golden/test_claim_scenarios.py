"""The eight incidents of product.md §6 as worked claims: each data file holds the document, the answer
derived by hand (see its ``derivation``), and the expected subset of ``mamori claim calculate --json``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from mamori.claims import calculate, cli, document, result

FOLDER = Path(__file__).parent / "claims"
SCENARIOS = sorted(FOLDER.glob("*.json"))


def subset_mismatches(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where ``actual`` differs from ``expected``: dicts compare only the expected keys, lists by position."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        found: list[str] = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            else:
                found.extend(subset_mismatches(value, actual[key], f"{path}.{key}"))
        return found
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} entries, got {actual!r}"]
        return [
            m
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for m in subset_mismatches(e, a, f"{path}[{i}]")
        ]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_there_is_one_scenario_per_incident_of_the_product_page() -> None:
    scenarios = [load(p)["scenario"] for p in SCENARIOS]
    assert [s.split()[1] for s in scenarios] == [f"§6-{n}" for n in range(1, 9)]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_each_worked_incident_pays_what_was_derived_by_hand(path: Path) -> None:
    data = load(path)
    assert data["derivation"], "every scenario explains its figures"
    answer = result.to_json_dict(calculate.calculate(document.parse_document(data["document"])), "ja")
    assert subset_mismatches(data["expected"], answer) == []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_each_worked_incident_gives_the_same_answer_through_the_command(path: Path, tmp_path: Path) -> None:
    data = load(path)
    doc_path = tmp_path / "claim.json"
    doc_path.write_text(json.dumps(data["document"], ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_calculate(str(doc_path), as_json=True, lang="en", stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    assert json.loads(out.getvalue())["payable_total"] == data["expected"]["payable_total"]


def test_the_subset_comparison_reports_a_wrong_yen() -> None:
    assert subset_mismatches({"a": {"b": 1}}, {"a": {"b": 2, "c": 3}}) == ["$.a.b: expected 1, got 2"]
