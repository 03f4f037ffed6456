"""Benchmark: ``mamori portfolio simulate`` end to end against the random-number floor, in the same run.

The floor is the time to draw, with numpy in one process, the same numbers of event counts and
severities as the simulation draws: for each policy and block of 1,000 years the number of its
accidents (one Poisson draw at its rate), the year of each accident, the systemic events of each kind and
block (a count, then for each event its share and number of policies hit), the policy of each hit, and one
lognormal per ground-up loss the simulation drew (the simulation reports how many). It is a lower bound of
any simulation of the same book: it applies no terms, adds nothing up and writes nothing.

Both are timed as whole processes (interpreter start and imports included on both sides, best of
``--repeat``), as ``bench_quote_batch.py`` does; the compute alone is reported too. Goal of issue 10: the
simulation takes at most twice the floor, for 20,000 policies over 50,000 years (a billion policy-years).

    .venv/bin/python bench/bench_portfolio.py --policies 20000 --years 50000
    .venv/bin/python bench/bench_portfolio.py --scaling        # time against years and policies; memory
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from mamori import catalog
from mamori.portfolio import engine, runner
from mamori.rating import batch
from mamori.usecases import portfolio as usecase

CATALOG = catalog.FolderCatalog()
VERSION = CATALOG.get("2025-04")
MODEL = usecase.DEFAULT_MODEL

#: ``mamori`` with the portfolio commands registered (a no-op once cli/__init__.py lists them).
RUNNER = """
import sys
from mamori import cli
from mamori.cli import portfolio
if portfolio not in cli.COMMANDS:
    cli.COMMANDS = (*cli.COMMANDS, portfolio)
sys.exit(cli.main(sys.argv[1:]))
"""

FLOOR = """
import sys, time
t0 = time.perf_counter()
import numpy as np
rates = np.load(sys.argv[1])
years, accidents, hits, losses, events, kinds = (int(v) for v in sys.argv[2:8])
policies = rates.shape[0]
rng = np.random.default_rng(1)
blocks = -(-years // 1000)
share = lambda total, b: total // blocks + (b < total % blocks)
t1, c1 = time.perf_counter(), time.process_time()
for b in range(blocks):
    n = min(1000, years - 1000 * b)
    rng.poisson(rates * n)                              # accidents of each policy in the block
    rng.integers(0, n, share(accidents, b))             # the year of each accident
    rng.poisson(0.2 * n, kinds)                         # systemic events of each kind
    k = share(events, b)
    rng.binomial(policies, rng.beta(1.0, 100.0, k))     # each event's share and policies hit
    rng.integers(0, policies, share(hits, b))           # the policy of each hit
    rng.lognormal(14.0, 1.2, share(losses, b))          # one lognormal per ground-up loss
print(time.perf_counter() - t1, time.process_time() - c1, time.perf_counter() - t0)
"""


def make_book(policies: int, seed: int = 2025) -> pa.Table:
    """A book like the insurer's: quoted classes, revenues 3千万–60億円, the product's options, and the annual
    premium each policy was quoted (the rating engine's vectorised path)."""
    rng = np.random.default_rng(seed)
    r = VERSION.rating
    quoted = np.array([c for c, ic in r.industries.items() if ic.status == "quote"])
    liability = rng.choice(np.array([o.amount for o in r.liability if o.factor is not None]), policies)
    expense_options = np.array([o.amount for o in r.expense])
    expense = rng.choice(expense_options, policies)
    fitting = np.array([expense_options[expense_options <= amount].max() for amount in expense_options])
    expense = np.where(
        expense > liability, np.minimum(fitting[np.searchsorted(expense_options, expense)], 30_000_000), expense
    )
    expense = np.minimum(expense, liability)
    risks = pa.table({
        "policy_id": [f"SC-{i:07d}" for i in range(1, policies + 1)],
        "industry": rng.choice(quoted, policies),
        "revenue": (np.round(np.exp(rng.uniform(np.log(3e7), np.log(6e9), policies)) / 1e6) * 1e6).astype(np.int64),
        "liability_limit": liability,
        "expense_limit": expense,
        "deductible": rng.choice(np.array([o.amount for o in r.deductible]), policies),
        "bi_limit": rng.choice(np.array([0, 0, 10_000_000, 30_000_000, 50_000_000]), policies),
        "pd_rider": rng.random(policies) < 0.2,
        "security_measures": rng.integers(0, 11, policies),
        "start": pa.array([dt.date(2026, 4, 1)] * policies, type=pa.date32()),
    })  # fmt: skip
    rated, summary = batch.rate_table(risks, catalog=CATALOG, today=dt.date(2026, 3, 1))
    assert summary.quoted == policies, summary
    names = ["policy_id", "industry", "revenue", "liability_limit", "expense_limit", "deductible", "bi_limit",
             "pd_rider", "annual_premium", "security_measures"]  # fmt: skip
    return rated.select(names)


def timed_process(argv: list[str], repeat: int) -> tuple[float, float, str]:
    """Best wall time, peak memory (MB, of the largest child so far) and the last stdout of a command."""
    best, out = float("inf"), ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t0)
        out = done.stdout
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, out


def end_to_end(policies: int, years: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mamori-portfolio-") as tmp:
        folder = Path(tmp)
        book_path = folder / "book.parquet"
        pq.write_table(make_book(policies), book_path)
        model, version = usecase.load_model_for(MODEL, CATALOG)
        plan = engine.prepare(model, usecase.read_book(book_path, version), version)
        np.save(folder / "rates.npy", plan.rate)
        argv = [sys.executable, "-c", RUNNER, "portfolio", "simulate", str(book_path), str(MODEL), "--years",
                str(years), "--seed", "1", "--json"]  # fmt: skip
        warm = [*argv[:-4], "1000", "--json"]
        subprocess.run(warm, check=True, capture_output=True)  # numba's cache is warm
        simulate_wall, simulate_mb, out = timed_process(argv, repeat)
        answer = json.loads(out)
        counts = answer["events"]
        floor_argv = [sys.executable, "-c", FLOOR, str(folder / "rates.npy"), str(years), str(counts["independent"]),
                      str(counts["systemic_hits"]), str(counts["ground_up_losses"]), str(counts["systemic"]),
                      str(len(plan.kinds))]  # fmt: skip
        floor_wall, _, floor_out = timed_process(floor_argv, repeat)
        floor_compute, floor_cpu = (float(v) for v in floor_out.split()[:2])
        book = usecase.read_book(book_path, version)
        simulate_compute = simulate_cpu = float("inf")
        for _ in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            usecase.simulate_book(book, model, version, years=years, seed=1, cluster=runner.Cluster())
            simulate_compute = min(simulate_compute, time.perf_counter() - started)
            simulate_cpu = min(simulate_cpu, time.process_time() - cpu)
    print(f"book: {policies:,} policies × {years:,} years = {policies * years:,} policy-years; "
          f"{counts['independent']:,} accidents, {counts['systemic']:,} systemic events hitting "
          f"{counts['systemic_hits']:,} times, {counts['ground_up_losses']:,} ground-up losses drawn")  # fmt: skip
    print(f"1-in-200 year (AEP): {answer['aep']['200']:,} yen; AAL {answer['aal']:,} yen; "
          f"TVaR 99.5 {answer['tvar']['99.5']:,} yen")  # fmt: skip
    print(f"floor (numpy, 1 process):            {floor_wall:6.2f} s whole process, {floor_compute:6.2f} s drawing"
          f" ({floor_cpu:.2f} CPU s)")  # fmt: skip
    print(f"mamori portfolio simulate (2 cores): {simulate_wall:6.2f} s whole process, {simulate_compute:6.2f} s "
          f"simulating ({simulate_cpu:.2f} CPU s; in process, local cluster started and stopped); peak memory "
          f"{simulate_mb:,.0f} MB")  # fmt: skip
    print(f"simulate / floor: {simulate_wall / floor_wall:.2f}× whole processes, "
          f"{simulate_compute / floor_compute:.2f}× compute (goal: at most 2×); per core (CPU seconds): "
          f"{simulate_cpu / floor_cpu:.2f}×")  # fmt: skip


def _plan(policies: int) -> engine.Plan:
    model, version = usecase.load_model_for(MODEL, CATALOG)
    return engine.prepare(model, usecase.book_from_table(make_book(policies), version), version)


def _task_memory(plan: engine.Plan) -> float:
    """Peak of numpy's allocations while a worker runs one block of 1,000 years (MB)."""
    tracemalloc.start()
    runner.run_task(plan, 1, [(0, engine.BLOCK_YEARS)])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _plan_size(plan: engine.Plan) -> float:
    return sum(v.nbytes for v in vars(plan).values() if isinstance(v, np.ndarray)) / 2**20


def scaling(repeat: int) -> None:
    cluster = runner.Cluster(workers=2)
    rows: list[dict[str, Any]] = []
    cases = [(20_000, y) for y in (10_000, 20_000, 50_000, 100_000)] + [(p, 20_000) for p in (5_000, 10_000, 40_000)]
    plans = {p: _plan(p) for p in sorted({p for p, _ in cases})}
    runner.run(plans[5_000], 1000, 1, cluster)  # warm
    for policies, years in cases:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            runner.run(plans[policies], years, 1, cluster)
            best = min(best, time.perf_counter() - t0)
        rows.append({"policies": policies, "years": years, "seconds": best, "plan": _plan_size(plans[policies]),
                     "task": _task_memory(plans[policies])})  # fmt: skip
    print("policies   years      policy-years   seconds (2 workers)  µs per 1,000 policy-years  plan MB"
          "  per-worker task MB")  # fmt: skip
    for row in rows:
        per = row["seconds"] / (row["policies"] * row["years"]) * 1e9
        print(f"{row['policies']:>8,} {row['years']:>8,} {row['policies'] * row['years']:>16,} {row['seconds']:>12.2f}"
              f" {per:>22.2f} {row['plan']:>12.1f} {row['task']:>14.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policies", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scaling", action="store_true", help="time against years and policies, and memory")
    args = parser.parse_args()
    if args.scaling:
        scaling(args.repeat)
    else:
        end_to_end(args.policies, args.years, args.repeat)


if __name__ == "__main__":
    main()
