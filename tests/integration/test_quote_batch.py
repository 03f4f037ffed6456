"""``mamori quote-batch IN OUT`` (interfaces.md §1.2): CSV and Parquet, same yen as ``mamori quote``."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from mamori import catalog, cli, usecases
from mamori.rating import engine

CATALOG = catalog.FolderCatalog()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def random_rows(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    industries = ["retail", "manufacturing", "wholesale", "logistics", "construction", "food_service", "services",
                  "education", "medical_welfare", "agriculture", "utilities", "crypto_assets"]  # fmt: skip
    rows = []
    for i in range(n):
        liability = rnd.choice(
            [10_000_000, 30_000_000, 50_000_000, 100_000_000, 300_000_000, 500_000_000, 1_000_000_000]
        )
        expense = rnd.choice(
            [e for e in [3_000_000, 10_000_000, 30_000_000, 50_000_000, 100_000_000] if e <= liability]
        )
        overseas = rnd.choice([0.0, 0.0, 12.5, 33.3, 49.9, 60.0])
        rows.append({
            "id": i,
            "industry": rnd.choice(industries),
            "revenue": rnd.choice([1, 5_000_000, 500_000_000, 3_000_000_000, rnd.randint(1, 12_000_000_000)]),
            "liability_limit": liability,
            "expense_limit": expense,
            "deductible": rnd.choice([0, 100_000, 300_000, 500_000, 1_000_000]),
            "security_measures": rnd.randint(0, 10),
            "overseas_share": overseas,
            "north_america_share": round(overseas * rnd.random(), 1),
            "bi_limit": rnd.choice([0, 10_000_000, 30_000_000, 50_000_000]),
            "pd_rider": rnd.random() < 0.3,
            "start": "2026-04-01",
        })  # fmt: skip
    return rows


def scalar(row: dict[str, Any]) -> engine.Quote:
    raw = {k: v for k, v in row.items() if k != "id"}
    return usecases.quote(CATALOG, raw)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_every_row_gets_the_same_yen_as_mamori_quote(tmp_path: Path, suffix: str) -> None:
    rows = random_rows(400, seed=7)
    source, target = tmp_path / f"in{suffix}", tmp_path / f"out{suffix}"
    table = pa.Table.from_pylist(rows)
    (pq.write_table if suffix == ".parquet" else pacsv.write_csv)(table, source)
    code, out, err = run("quote-batch", str(source), str(target), "--json")
    assert code == 0, err
    assert json.loads(out)["rows"] == 400
    result = (pq.read_table if suffix == ".parquet" else pacsv.read_csv)(target).to_pylist()
    assert [r["id"] for r in result] == list(range(400))
    for row, got in zip(rows, result, strict=True):
        q = scalar(row)
        assert got["status"] == q.status, row
        assert got["monthly_premium"] == q.monthly_premium, row
        assert got["annual_premium"] == q.annual_premium, row
        assert (got["reason_codes"] or "") == ";".join(r.code for r in q.reasons), row
    statuses = {r["status"] for r in result}
    assert statuses == {"quoted", "referred", "declined"}


def test_missing_columns_and_empty_cells_take_the_defaults(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("industry,revenue,liability_limit,start\nwholesale,500000000,,2026-04-01\n"
                      "wholesale,500000000,10000000,2026-04-01\n", encoding="utf-8")  # fmt: skip
    assert run("quote-batch", str(source), str(target))[0] == 0
    result = pacsv.read_csv(target).to_pylist()
    assert result[0]["monthly_premium"] == 5280
    # Only a liability limit: the expense limit defaults to the largest option not above it (10,000,000).
    assert result[1]["monthly_premium"] == scalar({"industry": "wholesale", "revenue": 500_000_000,
                                                   "liability_limit": 10_000_000, "start": "2026-04-01"}).monthly_premium  # fmt: skip


def test_extra_columns_pass_through_and_output_columns_are_replaced_on_re_rating(tmp_path: Path) -> None:
    source, first, second = tmp_path / "in.parquet", tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(pa.table({"customer": ["株式会社まもり"], "industry": ["retail"], "revenue": [500_000_000],
                             "start": ["2026-04-01"]}), source)  # fmt: skip
    assert run("quote-batch", str(source), str(first))[0] == 0
    assert run("quote-batch", str(first), str(second))[0] == 0
    result = pq.read_table(second)
    assert result.column_names.count("monthly_premium") == 1
    assert result.to_pylist()[0]["customer"] == "株式会社まもり"
    assert result.to_pylist()[0]["monthly_premium"] == 7920


@pytest.mark.parametrize(
    ("csv_text", "field", "words"),
    [
        ("industry,revenue\nwholesale,500000000\nbanking,1\n", "industry", "row 3"),  # the header is row 1
        ("industry,revenue\nwholesale,0\n", "revenue", "1 yen"),
        ("industry,revenue,deductible\nwholesale,1,7\nwholesale,1,8\n", "deductible", "1 more rows"),
        ("industry,revenue,term_months\nwholesale,1,6\n", "term_months", "Short-term"),
        ("industry,revenue,start\nwholesale,1,2024-01-01\n", "start", "2025-04-01"),
        ("industry,revenue,liability_limit,expense_limit\nwholesale,1,10000000,30000000\n", "expense_limit", "exceed"),
        ("industry,revenue,overseas_share,north_america_share\nwholesale,1,10,20\n", "north_america_share", "exceed"),
        ("industry,revenue,measures\nwholesale,1,S01 S77\n", "measures", "S77"),
        ("industry,revenue,pd_rider\nwholesale,1,perhaps\n", "pd_rider", "true or false"),
    ],
)
def test_an_invalid_row_exits_two_naming_row_field_and_allowed_values_and_writes_nothing(
    tmp_path: Path, csv_text: str, field: str, words: str
) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(csv_text, encoding="utf-8")
    code, out, err = run("quote-batch", str(source), str(target), "--lang", "en")
    assert code == 2
    assert out == ""
    assert field in err
    assert words in err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary file left behind


def test_an_invalid_batch_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("industry,revenue\nbanking,1\n", encoding="utf-8")
    target.write_text("previous results\n", encoding="utf-8")
    assert run("quote-batch", str(source), str(target))[0] == 2
    assert target.read_text(encoding="utf-8") == "previous results\n"


def test_an_unknown_file_format_exits_two(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    source.write_text("x", encoding="utf-8")
    code, _, err = run("quote-batch", str(source), str(tmp_path / "out.csv"), "--lang", "en")
    assert code == 2
    assert ".csv, .parquet, .pq" in err


def test_the_installed_console_script_quotes_5280() -> None:
    exe = Path(sys.executable).with_name("mamori")
    done = subprocess.run(
        [str(exe), "quote", "--industry", "wholesale", "--revenue", "500000000", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["monthly_premium"] == 5280
