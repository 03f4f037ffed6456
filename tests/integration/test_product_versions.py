"""Product versions are chosen by the policy start date: a later version is a new folder, never an edit."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from mamori import cli, rating, risk
from mamori import product as product_mod

SHIPPED = product_mod.PRODUCTS_DIR / "sme-cyber" / "2025-04"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def two_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped 2025-04 and a made-up 2026-10 whose wholesale anchor is 5,500 instead of 5,280."""
    root = tmp_path / "products"
    shutil.copytree(SHIPPED, root / "sme-cyber" / "2025-04", ignore=shutil.ignore_patterns("__pycache__"))
    later = root / "sme-cyber" / "2026-10"
    shutil.copytree(SHIPPED, later, ignore=shutil.ignore_patterns("__pycache__"))
    _edit(later / "product.toml", 'version = "2025-04"', 'version = "2026-10"')
    _edit(later / "product.toml", "value = 2025-04-01", "value = 2026-10-01")
    _edit(
        later / "industries.csv",
        "wholesale,卸売業,Wholesale trade,I 50-55,quote,5280,",
        "wholesale,卸売業,Wholesale trade,I 50-55,quote,5500,",
    )
    monkeypatch.setattr(product_mod, "PRODUCTS_DIR", root)
    product_mod.available_versions.cache_clear()
    yield root
    product_mod.available_versions.cache_clear()


def test_the_latest_version_effective_on_the_start_date_applies(two_versions: Path) -> None:
    assert product_mod.product_for_start(dt.date(2026, 9, 30)).version == "2025-04"
    assert product_mod.product_for_start(dt.date(2026, 10, 1)).version == "2026-10"
    assert product_mod.product_for_start(dt.date(2030, 1, 1)).version == "2026-10"


def test_a_quote_is_rated_and_labelled_with_the_version_in_force(two_versions: Path) -> None:
    before = rating.rate(*risk.parse_risk({"industry": "wholesale", "revenue": 500_000_000, "start": "2026-09-30"}))
    after = rating.rate(*risk.parse_risk({"industry": "wholesale", "revenue": 500_000_000, "start": "2026-10-01"}))
    assert (before.product_version, before.monthly_premium) == ("2025-04", 5280)
    assert (after.product_version, after.monthly_premium) == ("2026-10", 5500)
    assert before.product_hash != after.product_hash


def test_a_batch_spanning_two_versions_rates_each_row_with_its_own_version(two_versions: Path, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "industry,revenue,start\nwholesale,500000000,2026-09-30\nwholesale,500000000,2026-10-01\n"
        "retail,500000000,2026-10-02\n",
        encoding="utf-8",
    )
    assert cli.main(["quote-batch", str(source), str(target)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
    rows = pacsv.read_csv(target).to_pylist()
    assert [(r["product_version"], r["monthly_premium"]) for r in rows] == [
        ("2025-04", 5280),
        ("2026-10", 5500),
        ("2026-10", 7920),
    ]


def test_two_versions_effective_on_the_same_day_are_refused(two_versions: Path) -> None:
    later = two_versions / "sme-cyber" / "2026-10" / "product.toml"
    _edit(later, "value = 2026-10-01", "value = 2025-04-01")
    product_mod.available_versions.cache_clear()
    with pytest.raises(product_mod.ProductDataError, match="same as version 2025-04"):
        product_mod.product_for_start(dt.date(2026, 1, 1))
