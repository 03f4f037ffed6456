"""The golden test of the rating engine: the twelve published cells, to the yen (product.md §2.1)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from mamori import catalog, usecases
from mamori.rating import columns, vectorised

CATALOG = catalog.FolderCatalog()

TABLE = Path(__file__).with_name("published_premium_table.csv")


def _cells() -> list[tuple[str, int, int]]:
    with TABLE.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [(r["industry"], int(r["revenue"]), int(r["monthly_premium"])) for r in rows]


CELLS = _cells()


def test_the_table_has_all_twelve_published_cells() -> None:
    assert len(CELLS) == 12
    assert len({(i, r) for i, r, _ in CELLS}) == 12


@pytest.mark.parametrize(("industry", "revenue", "monthly"), CELLS, ids=[f"{i}-{r}" for i, r, _ in CELLS])
@pytest.mark.parametrize("start", ["2025-04-01", "2026-11-25"])
def test_reference_conditions_reproduce_the_published_monthly_premium(
    industry: str, revenue: int, monthly: int, start: str
) -> None:
    quote = usecases.quote(CATALOG, {"industry": industry, "revenue": revenue, "start": start})
    assert quote.status == "quoted"
    assert quote.monthly_premium == monthly
    # The single annual payment carries the 2 % installment loading the other way round.
    assert quote.annual_premium == int((monthly * 12 / 1.02 + 5) // 10 * 10)


def test_the_vectorised_path_reproduces_the_published_table() -> None:
    table = pa.table({"industry": [i for i, _, _ in CELLS], "revenue": [r for _, r, _ in CELLS]})
    (group,) = columns.read_columns(table, catalog=CATALOG, today=dt.date(2026, 4, 1))
    result = vectorised.rate_columns(group)
    assert result.premiums["monthly"].tolist() == [m for _, _, m in CELLS]
    assert (result.status == vectorised.QUOTED).all()


def test_the_published_table_is_read_from_the_product_data() -> None:
    version = CATALOG.get("2025-04")
    assert version.rating.published_classes == tuple(dict.fromkeys(i for i, _, _ in CELLS))
    assert {version.rating.reference_revenue, version.rating.upper_anchor_revenue} == {r for _, r, _ in CELLS}
