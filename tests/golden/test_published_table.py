"""The golden test of the rating engine: the twelve published cells, to the yen (product.md §2.1)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from mamori import rating, rating_batch, risk

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
    product, parsed = risk.parse_risk({"industry": industry, "revenue": revenue, "start": start})
    quote = rating.rate(product, parsed)
    assert quote.status == "quoted"
    assert quote.monthly_premium == monthly
    # The single annual payment carries the 2 % installment loading the other way round.
    assert quote.annual_premium == int((monthly * 12 / 1.02 + 5) // 10 * 10)


def test_the_vectorised_path_reproduces_the_published_table() -> None:
    product, _ = risk.parse_risk({"industry": "retail", "revenue": 1, "start": "2026-04-01"})
    codes = list(product.industries)
    n = len(CELLS)
    risks = rating_batch.BatchRisks(
        industry=np.array([codes.index(i) for i, _, _ in CELLS], dtype=np.int64),
        revenue=np.array([r for _, r, _ in CELLS], dtype=np.int64),
        liability_limit=np.full(n, 100_000_000, dtype=np.int64),
        expense_limit=np.full(n, 30_000_000, dtype=np.int64),
        deductible=np.full(n, 100_000, dtype=np.int64),
        measures_declared=np.full(n, 5, dtype=np.int64),
        overseas_pct=np.zeros(n),
        north_america_pct=np.zeros(n),
        bi_limit=np.zeros(n, dtype=np.int64),
        pd_rider=np.zeros(n, dtype=np.bool_),
        start=np.full(n, np.datetime64(dt.date(2026, 4, 1), "D")),
    )
    result = rating_batch.rate_arrays(product, risks)
    assert result.monthly.tolist() == [m for _, _, m in CELLS]
    assert (result.status == rating_batch.QUOTED).all()
