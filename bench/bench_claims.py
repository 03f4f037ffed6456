"""Benchmark: claim documents per second of ``mamori claim calculate`` on a JSON Lines file.

Generates N varied documents (default 100,000) as a JSON Lines file in a temporary folder, then times,
on the same file and in the same run:

- baselines: a bare ``json.loads`` + ``json.dumps`` pass over every line (standard library), and the
  same with orjson — the floor of any JSON-in, JSON-out command;
- ``usecases.calculate_claims`` in this process (answers to a file; worker processes for the batch);
- the installed ``mamori claim calculate FILE --json`` as a subprocess (what a user runs);
- with ``--old-ref REF``, the implementation of a git revision (``git archive`` into a temporary folder,
  run with ``PYTHONPATH``), on the same file.

Each timing also shows the CPU per document of every process it ran (workers included), which a machine
busy with other work changes far less than documents per second; the outputs of the subprocess and of
the previous implementation are compared byte for byte with the use case's (the answers are a contract).

Run on demand, never as a timed test:

    .venv/bin/python bench/bench_claims.py [-n 100000] [--text] [--lang ja|en] [--old-ref HEAD]
    .venv/bin/python bench/bench_claims.py -n 20000 --profile    # cProfile of one process, top functions
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from mamori import catalog as catalog_mod
from mamori.usecases import claims as claim_usecases

JST = dt.timezone(dt.timedelta(hours=9))
REPO = Path(__file__).resolve().parents[1]
# Every coverage item of the product in force, plus the never-covered kinds (from the product data).
_TERMS = catalog_mod.FolderCatalog().in_force(dt.date(2026, 4, 1)).coverage
ITEMS = tuple(_TERMS.cost_kinds)


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


def rate(n: int, seconds: float, cpu_used: float | None = None) -> str:
    """Documents per second; with ``cpu_used``, also the CPU per document of every process of the run (user
    + system, workers included), the figure a machine busy with other work changes least."""
    shown = f"{seconds:7.2f} s  {n / seconds:>9,.0f} documents/s"
    return shown if cpu_used is None else f"{shown}  [CPU {cpu_used / n * 1e6:6.1f} µs/document]"


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children that have ended, workers included."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def same_bytes(ours: Path, theirs: Path) -> str:
    """Whether two runs wrote the same bytes (the answers are a public contract), else the first other line."""
    a, b = ours.read_bytes(), theirs.read_bytes()
    if a == b:
        return f"same bytes ({len(a):,})"
    pairs = enumerate(zip(a.split(b"\n"), b.split(b"\n"), strict=False), start=1)
    line = next((number for number, (x, y) in pairs if x != y), None)
    return f"DIFFERENT ({len(a):,} and {len(b):,} bytes; first other line: {line or 'past the shorter end'})"


def baseline_stdlib(lines: list[bytes]) -> float:
    started = time.perf_counter()
    for line in lines:
        json.dumps(json.loads(line), ensure_ascii=False)
    return time.perf_counter() - started


def baseline_orjson(lines: list[bytes]) -> float:
    started = time.perf_counter()
    for line in lines:
        orjson.dumps(orjson.loads(line))
    return time.perf_counter() - started


def run_command(command: list[str], out_path: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    with out_path.open("wb") as out:
        proc = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, env=env, check=False)
    elapsed = time.perf_counter() - started
    return (elapsed, "") if proc.returncode == 0 else (elapsed, proc.stderr.decode(errors="replace")[:500])


def old_implementation(ref: str, tmp: Path) -> Path:
    """``src/`` of a git revision, extracted without touching the working tree or the index."""
    folder = tmp / f"old-{ref.replace('/', '_')}"
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref, "src"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def profile(lines: list[bytes], lang: str, as_json: bool) -> None:
    """cProfile of the in-process path (one process, no workers): where a document's time goes."""
    catalog = catalog_mod.FolderCatalog()
    sink = io.BytesIO()
    profiler = cProfile.Profile()
    profiler.enable()
    fmt = claim_usecases.AnswerFormat(lang="ja" if lang == "ja" else "en", output="json" if as_json else "text")
    claim_usecases.calculate_claims(catalog, lines, sink, fmt=fmt, workers=1)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100_000, help="documents to generate (default 100,000)")
    parser.add_argument("--text", action="store_true", help="time the readable worksheet instead of --json")
    parser.add_argument("--lang", default="ja", choices=("ja", "en"))
    parser.add_argument("--seed", type=int, default=20260610)
    parser.add_argument("--old-ref", metavar="REF", help="also time the implementation of this git revision")
    parser.add_argument("--profile", action="store_true", help="profile the in-process path instead of timing")
    args = parser.parse_args()

    rng = random.Random(args.seed)  # noqa: S311 - reproducible test data, not cryptography
    lines = [orjson.dumps(make_document(rng)) + b"\n" for _ in range(args.n)]
    if args.profile:
        profile(lines, args.lang, not args.text)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-claims-") as tmp_name:
        tmp = Path(tmp_name)
        src = tmp / "claims.jsonl"
        src.write_bytes(b"".join(lines))
        size = src.stat().st_size / 1e6
        print(f"{args.n:,} documents, {size:.1f} MB, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
        print(f"baseline json.loads + json.dumps (1 process):       {rate(args.n, baseline_stdlib(lines))}")
        print(f"baseline orjson.loads + orjson.dumps (1 process):   {rate(args.n, baseline_orjson(lines))}")

        out_path = tmp / "answers.out"
        catalog = catalog_mod.FolderCatalog()
        fmt = claim_usecases.AnswerFormat(lang=args.lang, output="text" if args.text else "json")
        started, cpu_started = time.perf_counter(), cpu_seconds()
        with out_path.open("wb") as out:
            claim_usecases.calculate_claims(catalog, iter(lines), out, fmt=fmt)
        elapsed, used = time.perf_counter() - started, cpu_seconds() - cpu_started
        answers = sum(1 for _ in out_path.open("rb")) if not args.text else args.n
        print(f"usecases.calculate_claims (workers, to a file):     {rate(args.n, elapsed, used)}"
              f"  ({answers:,} lines, {out_path.stat().st_size / 1e6:.0f} MB out)")  # fmt: skip

        command_tail = ["claim", "calculate", str(src), "--lang", args.lang, *([] if args.text else ["--json"])]
        exe = shutil.which("mamori") or str(Path(sys.executable).with_name("mamori"))
        if Path(exe).exists():
            cpu_started = cpu_seconds()
            elapsed, problem = run_command([exe, *command_tail], tmp / "answers-cli.out")
            used = cpu_seconds() - cpu_started
            print(f"mamori claim calculate (subprocess):                {rate(args.n, elapsed, used)} {problem}")
            print(f"  its output against the use case's: {same_bytes(out_path, tmp / 'answers-cli.out')}")
        else:
            print("mamori is not installed in this environment: subprocess timing skipped")

        if args.old_ref:
            old_src = old_implementation(args.old_ref, tmp)
            env = {**os.environ, "PYTHONPATH": str(old_src)}
            code = "import sys; from mamori.cli import main; sys.exit(main(sys.argv[1:]))"
            cpu_started = cpu_seconds()
            elapsed, problem = run_command([sys.executable, "-c", code, *command_tail], tmp / "answers-old.out", env)
            used = cpu_seconds() - cpu_started
            print(f"previous implementation ({args.old_ref}, subprocess): {rate(args.n, elapsed, used)} {problem}")
            print(f"  its output against the use case's: {same_bytes(out_path, tmp / 'answers-old.out')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
