"""Every message goes through the catalogue, in both languages: each code the core raises is there, and each
template takes the same values in Japanese and English (only ``detail``, a library's own English, is shown in
English alone)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from mamori import i18n
from mamori.catalog.reader import ProductDataError
from mamori.errors import FieldError, Problem

SOURCE = Path(i18n.__file__).parent
#: Values a Japanese text leaves out on purpose: a library's or the system's own English words.
ENGLISH_ONLY = {"detail"}


def _names(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "web" not in path.relative_to(SOURCE).parts:
            found |= set(re.findall(r'"((?:E|P)_[A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_the_core_raises_is_in_the_catalogue_in_both_languages() -> None:
    catalogue = i18n.catalogue()
    missing = sorted(
        code
        for code in _codes_in_source()
        if not all(
            lang in catalogue["errors" if code.startswith("E_") else "problems"].get(code, {}) for lang in ("ja", "en")
        )
    )
    assert not missing, f"codes without both texts: {missing}"


@pytest.mark.parametrize("group", ["errors", "problems", "texts"])
def test_japanese_and_english_take_the_same_values(group: str) -> None:
    differ = {
        key: sorted(_names(entry["ja"]) ^ _names(entry["en"]))
        for key, entry in i18n.catalogue()[group].items()
        if (_names(entry["ja"]) ^ _names(entry["en"])) - ENGLISH_ONLY
    }
    assert not differ, differ


def test_a_japanese_text_never_carries_a_library_s_english() -> None:
    carrying = [k for k, e in i18n.catalogue()["problems"].items() if "{detail}" in e["ja"]]
    assert not carrying


def test_every_data_file_problem_is_raised_with_a_catalogued_code() -> None:
    """``fail(key, "P_…")``: a free text in English would reach a Japanese reader (and is refused here)."""
    free = []
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\.fail\(\s*[^,()]+,\s*(f?[\"'][^\"']*[\"'])", text):
            if not re.fullmatch(r"[\"'](?:E|P)_[A-Z0-9_]+[\"']", match[1]):
                free.append(f"{path.name}: {match[1]}")
        for match in re.finditer(r"ProductDataError\(\s*[^,()]+,\s*[^,()]+,\s*(f?[\"'][^\"']*[\"'])", text):
            if not re.fullmatch(r"[\"']P_[A-Z0-9_]+[\"']", match[1]):
                free.append(f"{path.name}: {match[1]}")
    assert not free, free


def test_a_data_file_problem_reads_in_each_language() -> None:
    error = ProductDataError(
        "model.toml", "frequency.distribution", "P_CHOICE", {"allowed": ["poisson"], "value": "gamma"}
    )
    assert error.message("en") == "model.toml: frequency.distribution: must be one of poisson, got 'gamma'"
    assert error.message("ja") == "model.toml: frequency.distributionに 'gamma' は指定できません。指定できる値: poisson"
    assert error.problem == "must be one of poisson, got 'gamma'"


def test_a_csv_line_of_a_product_file_is_named_in_the_reader_s_words() -> None:
    error = ProductDataError("industries.csv", "line 4 (retail)", "P_ANCHORS_BOTH")
    assert error.message("ja").startswith("industries.csv: 4行目 (retail)の")
    assert error.message("en").startswith("industries.csv: line 4 (retail): ")


def test_a_problem_of_the_system_is_worded_by_its_errno() -> None:
    problem = Problem.of_os_error(OSError(28, "No space left on device"))
    assert problem.text("ja").startswith("ディスクの空きがありません")
    error = FieldError("OUT", "E_OUTPUT", {"path": "x.csv", "problem": problem})
    assert "No space" not in error.message("ja")
    assert error.to_dict("ja")["params"]["problem"] == "the disk is full (or the file size limit was reached)"


def test_numbers_in_a_message_have_separators_but_a_value_is_shown_as_written() -> None:
    error = FieldError("years", "E_RANGE", {"value": 20000000, "minimum": 1, "maximum": 10_000_000})
    assert error.message("en") == "years (simulated years) must be between 1 and 10,000,000 (got 20000000)."
