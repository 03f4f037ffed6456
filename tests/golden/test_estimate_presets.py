"""The eight presets of product.md §6 as worked estimates: each data file holds the loss, the payout and
some plans of the comparison derived by hand (see its ``derivation``), and the expected subset of
``mamori estimate --preset N --json``."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from tests.golden.conftest import load, subset_mismatches  # type: ignore[import-not-found]

from mamori import catalog as catalog_mod
from mamori import cli
from mamori.estimate import answer, preset_numbers
from mamori.estimate.presets import PRESET_FOLDER
from mamori.usecases.estimate import estimate_loss

FOLDER = Path(__file__).parent / "estimates"
WORKED = sorted(FOLDER.glob("*.json"))
CATALOG = catalog_mod.FolderCatalog()
TODAY = dt.date(2026, 4, 1)


def plan_row(plans: list[dict[str, Any]], wanted: dict[str, Any]) -> dict[str, Any]:
    keys = ("liability_limit", "expense_limit", "deductible", "bi_limit")
    (row,) = [p for p in plans if all(p[k] == wanted[k] for k in keys)]
    return row


def test_there_is_one_worked_estimate_per_preset_and_one_preset_per_incident_of_the_product_page() -> None:
    assert preset_numbers() == tuple(range(1, 9))
    assert [load(p)["preset"] for p in WORKED] == list(range(1, 9))
    assert [p.name for p in WORKED] == sorted(p.name for p in PRESET_FOLDER.glob("*.json"))


@pytest.mark.parametrize("path", WORKED, ids=[p.stem for p in WORKED])
def test_each_preset_costs_and_pays_what_was_derived_by_hand(path: Path) -> None:
    data = load(path)
    assert data["derivation"], "every worked estimate explains its figures"
    result = answer.to_json_dict(estimate_loss(CATALOG, preset=data["preset"], today=TODAY), "ja")
    assert subset_mismatches(data["expected"], result) == []
    for wanted in data["plans"]:
        assert subset_mismatches(wanted, plan_row(result["plans"], wanted)) == [], wanted


@pytest.mark.parametrize("path", WORKED, ids=[p.stem for p in WORKED])
def test_each_preset_gives_the_same_answer_through_the_command(path: Path) -> None:
    data = load(path)
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["estimate", "--preset", str(data["preset"]), "--json", "--lang", "en"], stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    result = json.loads(out.getvalue())
    assert subset_mismatches(data["expected"], result) == []


@pytest.mark.parametrize("path", WORKED, ids=[p.stem for p in WORKED])
def test_each_preset_writes_out_its_assumptions_in_japanese_and_english(path: Path) -> None:
    preset = load(PRESET_FOLDER / path.name)
    assert preset["title_ja"] and preset["title_en"]
    assert len(preset["assumptions_ja"]) == len(preset["assumptions_en"]) >= 5


def test_the_subset_comparison_reports_a_wrong_yen() -> None:
    assert subset_mismatches({"a": {"b": 1}}, {"a": {"b": 2, "c": 3}}) == ["$.a.b: expected 1, got 2"]
