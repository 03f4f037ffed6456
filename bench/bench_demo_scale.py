"""Benchmark: the large demo's loader (``mamori serve --demo --scale N``; issue 18: 20,000 policyholders
in about a minute) on PostgreSQL.

For each source tree — this one, and with ``--baseline`` another checkout's ``src`` (e.g. a worktree of
the commit before: the baseline, measured in the same run) — a fresh database ``<name>_loader_<i>`` on the
PostgreSQL of ``DATABASE_URL``: migrations and the small demo (not timed), then ``demo_scale.load`` timed,
each tree in its own process: wall seconds (the prototypes' share apart), the CPU seconds of that process
and of its database backend (read from ``/proc`` when the server is on this machine).

    .venv/bin/python bench/bench_demo_scale.py [--scale 20000] [--baseline ../other/src]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent


def database(base: str, suffix: str) -> str:
    """A fresh database named after the one of ``base``."""
    import psycopg

    url = urllib.parse.urlsplit(base)
    name = f"{url.path.lstrip('/') or 'mamori'}_{suffix}"
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url._replace(path=f"/{name}").geturl()


def _backend_cpu() -> float | None:
    """CPU seconds of this process's database backend so far (None: not on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(scale: int) -> None:
    """In the process of one source tree: prepare the demo, time the loader, print one JSON line."""
    from mamori.web import server

    server.configure(demo=True)
    server.prepare(demo=True, out=io.StringIO())
    from mamori.web import demo_scale

    before = _backend_cpu()
    out = io.StringIO()
    started, cpu = time.monotonic(), time.process_time()
    demo_scale.load(scale=scale, out=out)
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    after = _backend_cpu()
    said = [line.split() for line in out.getvalue().splitlines()]
    prototypes = next((float(w[-2]) for w in said if len(w) > 2 and w[2] == "prototypes"), None)
    backend = None if before is None or after is None else after - before
    print(json.dumps({"wall": wall, "prototypes": prototypes, "cpu": cpu, "backend": backend}))


def run(src: Path, db: str, scale: int) -> dict[str, float | None]:
    env = dict(os.environ, PYTHONPATH=str(src), DATABASE_URL=db)
    with tempfile.TemporaryDirectory() as data:
        env["MAMORI_DATA_DIR"] = data
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--scale", str(scale)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    result: dict[str, float | None] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20_000)
    parser.add_argument("--baseline", type=Path, help="another checkout's src folder, measured first")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.scale)
        return
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mamori")
    trees = [("baseline", args.baseline.resolve())] if args.baseline else []
    trees.append(("this tree", HERE.parent / "src"))
    print(f"mamori serve --demo --scale {args.scale}: the loader (prototypes and copies), PostgreSQL")
    print("| tree | wall s | prototypes s | copies s | policyholders/s | CPU s (loader) | CPU s (database) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for i, (label, src) in enumerate(trees):
        r = run(src, database(base, f"loader_{i}"), args.scale)
        wall = float(r["wall"] or 0)
        protos = r["prototypes"]
        copies = "" if protos is None else f"{wall - protos:.1f}"
        backend = "" if r["backend"] is None else f"{r['backend']:.1f}"
        print(
            f"| {label} | {wall:.1f} | {'' if protos is None else f'{protos:.1f}'} | {copies} | "
            f"{args.scale / wall:.0f} | {float(r['cpu'] or 0):.1f} | {backend} |"
        )


if __name__ == "__main__":
    main()
