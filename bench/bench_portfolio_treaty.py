"""Benchmark: the portfolio engine with a reinsurance treaty against the same run gross alone, in one process.

The baseline and the measured run are the same plan (the benchmark book of ``bench_portfolio.py`` under the
reference model, the same seed), once without a treaty and once with the sample treaty of
``src/mamori/portfolio/treaties/`` (a quota share, per-risk and per-event excess of loss and an aggregate
stop loss: every layer). Both run every block inline (no Dask: nothing but the engine is timed) and are
summarised (``metrics.summarise``: the treaty adds the ceded and net figures). They alternate, each timed
``--repeat`` times after one warm-up of each (numba's compilation, the caches), best of each reported, as
wall and CPU seconds. Goal of issue 17: a treaty costs at most 20 % more than gross alone.

    .venv/bin/python bench/bench_portfolio_treaty.py --policies 20000 --years 5000
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_portfolio import CATALOG, MODEL, make_book  # type: ignore[import-not-found]
from mamori.portfolio import engine, metrics
from mamori.portfolio.book import Book
from mamori.portfolio.model import Model
from mamori.usecases import portfolio as usecase

GOAL = 1.20


def timed(plan: engine.Plan, book: Book, model: Model, years: int) -> tuple[float, float, dict[str, object]]:
    wall, cpu = time.perf_counter(), time.process_time()
    table = engine.simulate_inline(plan, years, seed=1)
    described = None if plan.treaty is None else plan.treaty.to_dict()
    answer = metrics.summarise(table, book, model, seed=1, treaty=described).to_dict()
    return time.perf_counter() - wall, time.process_time() - cpu, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policies", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model, version = usecase.load_model_for(MODEL, CATALOG)
    book = usecase.book_from_table(make_book(args.policies), version)
    (path,) = usecase.shipped_treaties().values()
    treaty = usecase.load_treaty(path)
    gross_plan = engine.prepare(model, book, version)
    treaty_plan = dataclasses.replace(gross_plan, treaty=treaty)
    timed(gross_plan, book, model, 1000)  # warm-up: compilation (or the cache) and first touches
    timed(treaty_plan, book, model, 1000)
    runs: dict[str, list[tuple[float, float]]] = {"gross": [], "treaty": []}
    answers = {}
    for _ in range(args.repeat):
        for name, plan in (("gross", gross_plan), ("treaty", treaty_plan)):
            wall, cpu, answers[name] = timed(plan, book, model, args.years)
            runs[name].append((wall, cpu))
    assert answers["treaty"]["aal"] == answers["gross"]["aal"], "a treaty never changes the gross answer"
    best = {name: (min(w for w, _ in r), min(c for _, c in r)) for name, r in runs.items()}
    print(f"book: {args.policies:,} policies × {args.years:,} years, reference model, seed 1; treaty {treaty.name}")
    for name, (wall, cpu) in best.items():
        print(f"  {name:<7} wall {wall:8.2f} s   CPU {cpu:8.2f} s   (runs: "
              + ", ".join(f"{w:.2f}" for w, _ in runs[name]) + ")")  # fmt: skip
    net = answers["treaty"]
    print(f"  gross AAL {net['gross']['aal']:,} / ceded {net['ceded']['aal']:,} / net {net['net']['aal']:,} yen; "  # type: ignore[index]
          f"AEP 1-in-200 gross {net['gross']['aep']['200']:,} / net {net['net']['aep']['200']:,}")  # type: ignore[index]  # fmt: skip
    wall_ratio = best["treaty"][0] / best["gross"][0]
    cpu_ratio = best["treaty"][1] / best["gross"][1]
    print(f"treaty / gross: {wall_ratio:.3f}× wall, {cpu_ratio:.3f}× CPU (goal: at most {GOAL:.2f}×)")


if __name__ == "__main__":
    main()
