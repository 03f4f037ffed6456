"""Benchmark: ``mamori quote-batch`` on N rows of Parquet against a bare Parquet read + write.

Both are measured in the same run, as whole processes (interpreter start and imports included on both
sides), best of ``--repeat``. The goal of issue 2: the batch takes at most 3× the bare read + write.
Also reports the scalar (Decimal) path's quotes per second.

    .venv/bin/python bench/bench_quote_batch.py --rows 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mamori import catalog, usecases
from mamori.rating import engine, inputs

CATALOG = catalog.FolderCatalog()
VERSION = CATALOG.in_force(dt.date(2026, 4, 1))

BARE = "import sys, pyarrow.parquet as pq; pq.write_table(pq.read_table(sys.argv[1]), sys.argv[2])"


def make_table(rows: int, seed: int = 2025) -> pa.Table:
    rng = np.random.default_rng(seed)
    product = VERSION.rating
    industries = np.array(list(product.industries))
    liability_options = np.array([o.amount for o in product.liability])
    expense_options = np.array([o.amount for o in product.expense])
    liability = rng.choice(liability_options, rows)
    expense = rng.choice(expense_options, rows)
    expense = np.where(expense > liability, expense_options[0], expense)
    overseas = np.round(np.where(rng.random(rows) < 0.8, 0.0, rng.uniform(0, 70, rows)), 1)
    start = np.datetime64("2026-04-01") + rng.integers(0, 365, rows).astype("timedelta64[D]")
    return pa.table({
        "id": np.arange(rows, dtype=np.int64),
        "industry": pa.array(rng.choice(industries, rows)).dictionary_encode().cast(pa.string()),
        "revenue": rng.integers(1_000_000, 12_000_000_000, rows),
        "liability_limit": liability,
        "expense_limit": expense,
        "deductible": rng.choice(np.array([o.amount for o in product.deductible]), rows),
        "security_measures": rng.integers(0, 11, rows),
        "overseas_share": overseas,
        "north_america_share": np.round(overseas * rng.random(rows) * 0.9, 1),
        "bi_limit": rng.choice(np.array([o.amount for o in product.bi]), rows),
        "pd_rider": rng.random(rows) < 0.2,
        "start": pa.array(start, type=pa.date32()),
    })  # fmt: skip


def best_of(repeat: int, argv: list[str]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times)


def scalar_rate(n: int) -> tuple[float, float]:
    rng = np.random.default_rng(7)
    quotable = sorted(VERSION.rating.curves)
    raws = [
        {"industry": str(rng.choice(quotable)), "revenue": int(rng.integers(1_000_000, 9_000_000_000)),
         "security_measures": int(rng.integers(0, 11)), "start": "2026-04-01"}
        for _ in range(n)
    ]  # fmt: skip
    t0 = time.perf_counter()
    parsed = [inputs.parse_risk(r, catalog=CATALOG) for r in raws]
    t1 = time.perf_counter()
    for version, risk in parsed:
        engine.rate(version, risk)
    t2 = time.perf_counter()
    assert usecases.quote(CATALOG, raws[0]).status  # the use case is the same parse + rate
    return n / (t2 - t0), n / (t2 - t1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scalar", type=int, default=20_000, help="quotes for the scalar-path rate")
    args = ap.parse_args()

    mamori = shutil.which("mamori") or str(Path(sys.executable).with_name("mamori"))
    with tempfile.TemporaryDirectory() as tmp:
        source, bare_out, ours_out = Path(tmp, "in.parquet"), Path(tmp, "bare.parquet"), Path(tmp, "out.parquet")
        pq.write_table(make_table(args.rows), source)
        bare = best_of(args.repeat, [sys.executable, "-c", BARE, str(source), str(bare_out)])
        ours = best_of(args.repeat, [mamori, "quote-batch", str(source), str(ours_out)])
        out = pq.read_table(ours_out, columns=["status"]).column("status").to_numpy(zero_copy_only=False)
        statuses = dict(zip(*np.unique(out, return_counts=True), strict=True))
    total, rate_only = scalar_rate(args.scalar)
    ratio = ours / bare
    print(f"rows                          {args.rows:,}")
    print(f"bare Parquet read+write       {bare:.3f} s  (best of {args.repeat}, whole process)")
    print(f"mamori quote-batch            {ours:.3f} s  (best of {args.repeat}, whole process)")
    print(f"ratio                         {ratio:.2f}×  (goal ≤ 3.00×) {'OK' if ratio <= 3 else 'MISSED'}")
    print(f"batch throughput              {args.rows / ours:,.0f} quotes/s")
    print(f"statuses                      {statuses}")
    print(f"scalar path (parse + rate)    {total:,.0f} quotes/s")
    print(f"scalar path (rate only)       {rate_only:,.0f} quotes/s")
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
