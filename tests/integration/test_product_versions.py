"""Product versions are chosen by the start date (a later version is a new folder, never an edit), or
given by the caller; every row of a batch is read and rated with its own version's tables."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from mamori import catalog as catalog_mod
from mamori import cli, usecases

SHIPPED = catalog_mod.PACKAGED_PRODUCTS / "sme-cyber" / "2025-04"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def two_versions(products: Path) -> Path:
    """The shipped 2025-04, and a made-up 2026-10 with a new industry row at the top of its table (so
    every class moves one place down) and a wholesale anchor of 5,500 instead of 5,280."""
    later = products / "sme-cyber" / "2026-10"
    shutil.copytree(SHIPPED, later, ignore=shutil.ignore_patterns("__pycache__"))
    _edit(later / "product.toml", 'version = "2025-04"', 'version = "2026-10"')
    _edit(later / "product.toml", "value = 2025-04-01", "value = 2026-10-01")
    _edit(
        later / "industries.csv",
        "retail,小売業,",
        "drones,ドローン事業,Drone operations,,quote,,,2.50,illustrative,,\nretail,小売業,",
    )
    _edit(
        later / "industries.csv",
        "wholesale,卸売業,Wholesale trade,I 50-55,quote,5280,",
        "wholesale,卸売業,Wholesale trade,I 50-55,quote,5500,",
    )
    return products


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_latest_version_effective_on_the_start_date_applies(two_versions: Path) -> None:
    catalog = catalog_mod.FolderCatalog(two_versions)
    assert catalog.in_force(dt.date(2026, 9, 30)).version == "2025-04"
    assert catalog.in_force(dt.date(2026, 10, 1)).version == "2026-10"
    assert catalog.in_force(dt.date(2030, 1, 1)).version == "2026-10"


def test_a_quote_is_rated_and_labelled_with_the_version_in_force(two_versions: Path) -> None:
    catalog = catalog_mod.FolderCatalog(two_versions)
    before = usecases.quote(catalog, {"industry": "wholesale", "revenue": 500_000_000, "start": "2026-09-30"})
    after = usecases.quote(catalog, {"industry": "wholesale", "revenue": 500_000_000, "start": "2026-10-01"})
    assert (before.version.version, before.monthly_premium) == ("2025-04", 5280)
    assert (after.version.version, after.monthly_premium) == ("2026-10", 5500)
    assert before.version.content_hash != after.version.content_hash


def test_a_policy_keeps_its_own_version_after_a_later_one_comes_into_force(two_versions: Path) -> None:
    catalog = catalog_mod.FolderCatalog(two_versions)
    own = catalog.get("2025-04")
    renewal_day = {"industry": "wholesale", "revenue": 500_000_000, "start": "2026-11-01"}
    assert usecases.quote(catalog, renewal_day).monthly_premium == 5500
    assert usecases.quote(catalog, renewal_day, version=own).monthly_premium == 5280


def test_an_industry_only_the_later_version_has_is_refused_before_it(two_versions: Path) -> None:
    catalog = catalog_mod.FolderCatalog(two_versions)
    assert usecases.quote(catalog, {"industry": "drones", "revenue": 1, "start": "2026-10-01"}).status == "quoted"
    code, _, err = run("--products", str(two_versions), "quote", "--industry", "drones", "--revenue", "1",
                       "--start", "2026-09-30", "--lang", "en")  # fmt: skip
    assert code == 2
    assert "drones" in err


def test_a_batch_spanning_two_versions_rates_each_row_with_its_own_tables(two_versions: Path, tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "industry,revenue,start\nwholesale,500000000,2026-09-30\nwholesale,500000000,2026-10-01\n"
        "retail,500000000,2026-10-02\nlogistics,500000000,2026-04-01\nfood_service,3000000000,2026-12-01\n"
        "drones,500000000,2026-10-01\n",
        encoding="utf-8",
    )
    code, _, err = run("--products", str(two_versions), "quote-batch", str(source), str(target))
    assert code == 0, err
    rows = pacsv.read_csv(target).to_pylist()
    assert [(r["product_version"], r["industry"], r["monthly_premium"]) for r in rows] == [
        ("2025-04", "wholesale", 5280),
        ("2026-10", "wholesale", 5500),
        ("2026-10", "retail", 7920),
        ("2025-04", "logistics", 14080),
        ("2026-10", "food_service", 21460),
        ("2026-10", "drones", 13750),  # 2.50 × 5,500
    ]


def test_a_boundary_row_is_re_rated_exactly_with_its_own_version(two_versions: Path, tmp_path: Path) -> None:
    # 7,920 × 0.75 × 1.25 = 7,425: an exact half, decided by the exact engine with the row's version.
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "industry,revenue,liability_limit,bi_limit,start\nretail,500000000,30000000,30000000,2026-09-30\n"
        "retail,500000000,30000000,30000000,2026-10-01\n",
        encoding="utf-8",
    )
    assert run("--products", str(two_versions), "quote-batch", str(source), str(target))[0] == 0
    assert [r["monthly_premium"] for r in pacsv.read_csv(target).to_pylist()] == [7430, 7430]


def test_two_versions_effective_on_the_same_day_are_refused(two_versions: Path) -> None:
    _edit(two_versions / "sme-cyber" / "2026-10" / "product.toml", "value = 2026-10-01", "value = 2025-04-01")
    with pytest.raises(catalog_mod.ProductDataError, match="same as version 2025-04"):
        catalog_mod.FolderCatalog(two_versions).versions()


def test_a_broken_products_folder_exits_two_naming_the_file(two_versions: Path) -> None:
    _edit(two_versions / "sme-cyber" / "2026-10" / "product.toml", 'currency = "JPY"', 'currency = "EUR"')
    code, out, err = run("--products", str(two_versions), "quote", "--industry", "retail", "--revenue", "1")
    assert code == 2
    assert out == ""
    assert "product.toml" in err
    assert "currency" in err
