"""The eight incidents of product.md §6 as worked claims: each data file holds the document, the answer
derived by hand (see its ``derivation``), and the expected subset of ``mamori claim calculate --json``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from tests.golden.conftest import load, subset_mismatches  # type: ignore[import-not-found]

from mamori import catalog as catalog_mod
from mamori import cli
from mamori.claims import answer
from mamori.usecases import claims as claim_usecases

FOLDER = Path(__file__).parent / "claims"
SCENARIOS = sorted(FOLDER.glob("*.json"))
CATALOG = catalog_mod.FolderCatalog()


def test_there_is_one_scenario_per_incident_of_the_product_page() -> None:
    scenarios = [load(p)["scenario"] for p in SCENARIOS]
    assert [s.split()[1] for s in scenarios] == [f"§6-{n}" for n in range(1, 9)]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_each_worked_incident_pays_what_was_derived_by_hand(path: Path) -> None:
    data = load(path)
    assert data["derivation"], "every scenario explains its figures"
    result = answer.to_json_dict(claim_usecases.calculate_claim(CATALOG, data["document"]), "ja")
    assert subset_mismatches(data["expected"], result) == []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_each_worked_incident_gives_the_same_answer_through_the_command(path: Path, tmp_path: Path) -> None:
    data = load(path)
    doc_path = tmp_path / "claim.json"
    doc_path.write_text(json.dumps(data["document"], ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["claim", "calculate", str(doc_path), "--json", "--lang", "en"], stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    assert subset_mismatches(data["expected"], json.loads(out.getvalue())) == []


def test_every_scenario_in_one_json_lines_batch_gives_the_same_answers(tmp_path: Path) -> None:
    batch = tmp_path / "scenarios.jsonl"
    batch.write_text("\n".join(json.dumps(load(p)["document"]) for p in SCENARIOS) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["claim", "calculate", str(batch), "--json", "--lang", "ja"], stdout=out, stderr=err)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (code, err.getvalue(), len(answers)) == (0, "", len(SCENARIOS))
    for path, got in zip(SCENARIOS, answers, strict=True):
        assert subset_mismatches(load(path)["expected"], got) == [], path.stem


def test_the_subset_comparison_reports_a_wrong_yen() -> None:
    assert subset_mismatches({"a": {"b": 1}}, {"a": {"b": 2, "c": 3}}) == ["$.a.b: expected 1, got 2"]
