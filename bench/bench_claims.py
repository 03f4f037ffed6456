"""Benchmark: claim documents per second through the JSON Lines path of ``mamori claim calculate``.

Generates N varied documents (default 100,000) as a JSON Lines file in a temporary folder, then times
``run_calculate`` in-process (output to a temporary file) and, when ``mamori`` is on PATH (or in the
virtualenv), the same file through the console script. Run on demand, never as a timed test:

    .venv/bin/python bench/bench_claims.py [-n 100000] [--text] [--lang ja|en]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mamori.claims import cli, terms
from mamori.product import product_for_start

JST = dt.timezone(dt.timedelta(hours=9))
# Every coverage item of the product in force, plus the never-covered kinds (from the product data).
_TERMS = terms.terms_for(product_for_start(dt.date(2026, 4, 1)))
ITEMS = (*_TERMS.items, *_TERMS.never_exclusion)


def make_document(rng: random.Random) -> dict[str, Any]:
    """A valid, varied claim document (periods, exclusions, caps, BI, regulatory grounds)."""
    start = dt.date(2025, 4, 1) + dt.timedelta(days=rng.randrange(0, 900))
    start_at = dt.datetime.combine(start, dt.time(16, 0), tzinfo=JST)
    discovered = start_at + dt.timedelta(minutes=rng.randrange(-20 * 1440, 380 * 1440))
    occurred = discovered - dt.timedelta(minutes=rng.randrange(0, 60 * 1440))
    costs: list[dict[str, Any]] = []
    for i in range(rng.randrange(1, 8)):
        item = rng.choice(ITEMS)
        amount = rng.randrange(0, 20_000_000, 1_000)
        line: dict[str, Any] = {"id": f"c{i}", "item": item, "amount": amount}
        if item == "EX_DATA_RESTORE" and rng.random() < 0.5:
            line["betterment"] = amount // 4
        if item == "EX_CONDOLENCE" and rng.random() < 0.5:
            line["persons"] = rng.randrange(0, 5_000)
        if rng.random() < 0.05:
            line["bearer"] = "culprit"
        costs.append(line)
    bi = None
    if rng.random() < 0.3:
        outage = discovered - dt.timedelta(hours=rng.randrange(0, 48))
        bi = {
            "outage_start": outage.isoformat(),
            "outage_end": (outage + dt.timedelta(hours=rng.randrange(1, 400))).isoformat(),
            "standard_revenue": rng.randrange(0, 300_000_000),
            "actual_revenue": rng.randrange(0, 300_000_000),
            "fiscal_revenue": rng.randrange(100_000_000, 10_000_000_000),
            "operating_profit": rng.randrange(-50_000_000, 500_000_000),
            "fixed_costs": rng.randrange(0, 2_000_000_000),
            "saved_fixed_costs": rng.randrange(0, 2_000_000),
            "prevention_spent": rng.randrange(0, 5_000_000),
            "revenue_loss_avoided": rng.randrange(0, 20_000_000),
            "continuation_spent": rng.randrange(0, 20_000_000),
            "costs_avoided": rng.randrange(0, 3_000_000),
        }
    return {
        "policy": {
            "start_date": start.isoformat(),
            "liability_limit": rng.choice((10_000_000, 30_000_000, 50_000_000, 100_000_000, 300_000_000)),
            "expense_limit": rng.choice((3_000_000, 10_000_000, 30_000_000)),
            "deductible": rng.choice((0, 100_000, 300_000, 500_000, 1_000_000)),
            "bi_limit": rng.choice((0, 0, 10_000_000, 30_000_000, 50_000_000)),
            "pd_rider": rng.random() < 0.3,
            "retroactive_date": (start - dt.timedelta(days=rng.randrange(0, 700))).isoformat(),
            "status": "in_force",
            "ended_at": None,
        },
        "prior_payments": {
            "expense": rng.choice((0, 0, 1_000_000, 25_000_000)),
            "liability": rng.choice((0, 0, 5_000_000)),
            "bi": 0,
            "sublimits": {"EX_ATTACK_CHECK": rng.choice((0, 5_000_000)), "EX_PREVENTION": 0},
        },
        "incident": {
            "accident_types": sorted(rng.sample(("A1", "A2", "A3", "A4", "T0"), rng.randrange(1, 4))),
            "discovered_at": discovered.isoformat(),
            "claim_made_at": None if rng.random() < 0.5 else (discovered + dt.timedelta(days=30)).isoformat(),
            "occurred_at": occurred.isoformat(),
            "country": rng.choice(("JP", "JP", "JP", "US")),
            "attack_confirmed": rng.random() < 0.6,
            "culprit": rng.choice((None, "external", "external", "former_employee", "employee", "director")),
            "state_backed": rng.random() < 0.02,
            "known_before_first_policy": rng.random() < 0.02,
            "affected_persons": rng.choice((0, 0, 200, 3_400, 1_000_000)),
            "affected_businesses": rng.choice((0, 0, 40)),
            "personal_data": {
                "special_care": rng.random() < 0.1,
                "financial": rng.random() < 0.3,
                "improper_purpose": rng.random() < 0.5,
                "eu_residents": rng.random() < 0.05,
                "card_data": rng.random() < 0.2,
            },
        },
        "costs": costs,
        "bi": bi,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100_000, help="documents to generate (default 100,000)")
    parser.add_argument("--text", action="store_true", help="time the readable worksheet instead of --json")
    parser.add_argument("--lang", default="ja", choices=("ja", "en"))
    parser.add_argument("--seed", type=int, default=20260610)
    args = parser.parse_args()

    rng = random.Random(args.seed)  # noqa: S311 - reproducible test data, not cryptography
    with tempfile.TemporaryDirectory(prefix="bench-claims-") as tmp:
        src = Path(tmp) / "claims.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for _ in range(args.n):
                fh.write(json.dumps(make_document(rng), ensure_ascii=False))
                fh.write("\n")
        size_mb = src.stat().st_size / 1e6
        print(f"{args.n:,} documents, {size_mb:.1f} MB, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")

        out_path = Path(tmp) / "answers.out"
        err = io.StringIO()
        started = time.perf_counter()
        with out_path.open("w", encoding="utf-8") as out:
            code = cli.run_calculate(str(src), as_json=not args.text, lang=args.lang, stdout=out, stderr=err)
        elapsed = time.perf_counter() - started
        if code != 0:
            print(err.getvalue()[:2000])
            return code
        lines = sum(1 for _ in out_path.open(encoding="utf-8")) if not args.text else args.n
        print(
            f"in-process run_calculate: {elapsed:.2f} s, {args.n / elapsed:,.0f} documents/s "
            f"({lines:,} answer lines, {out_path.stat().st_size / 1e6:.0f} MB out)"
        )

        exe = shutil.which("mamori") or str(Path(sys.executable).with_name("mamori"))
        if Path(exe).exists():
            command = [exe, "claim", "calculate", str(src), "--lang", args.lang]
            if not args.text:
                command.append("--json")
            started = time.perf_counter()
            with out_path.open("w", encoding="utf-8") as out:
                proc = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True, check=False)  # noqa: S603
            elapsed = time.perf_counter() - started
            if proc.returncode == 0:
                print(f"subprocess {' '.join(command[1:3])}: {elapsed:.2f} s, {args.n / elapsed:,.0f} documents/s")
            else:
                print(f"subprocess mamori claim calculate not available (exit {proc.returncode}): {proc.stderr[:200]}")
        else:
            print("mamori is not on PATH: subprocess timing skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
