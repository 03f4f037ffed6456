"""Benchmark: the portfolio engine's terms against Oasis's financial module (``fmpy``), per core.

Both apply the same deductible and limit to the same synthetic ground-up losses: ``items`` policies, each
with a deductible and a limit, ``events`` events hitting every policy, ``samples`` losses per event and
policy (Oasis's samples). fmpy runs in its own environment (oasislmf is never a dependency of Mamori):

    python3 -m venv /tmp/oasis-venv && /tmp/oasis-venv/bin/pip install oasislmf
    .venv/bin/python bench/bench_portfolio_terms.py --fmpy /tmp/oasis-venv/bin/fmpy

fmpy reads its financial structure from ``fm_programme``/``fm_policytc``/``fm_profile``/``fm_xref`` (one level:
each item its own aggregate, calcrule 1 "deductible and limit") and the losses as a binary GUL stream,
and writes the insured losses as a stream; it is a single process (one core). Timed: the whole ``fmpy``
process, best of ``--repeat``, on the full stream and on a one-event stream; the difference is its
marginal time per loss (the fixed cost of starting and loading is reported apart). Mamori: ``apply_terms``
on the same losses in one thread, each loss one accident of its policy (so no annual limit is eroded),
with a one-section layout (the same terms) and with the product's three sections (the loss in expenses).
Every insured loss is checked equal (fmpy works in float32: to 1e-6 relative).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
import numpy.typing as npt

from mamori import catalog
from mamori.portfolio.terms import Layout, apply_terms

GUL_HEADER = np.array([1], "<i4").tobytes()[:3] + np.int8(1).tobytes()  # item stream of a loss (GUL) source
TIV = 1e12


def write_static(folder: Path, deductible: npt.NDArray[np.int64], limit: npt.NDArray[np.int64]) -> None:
    items = np.arange(1, deductible.shape[0] + 1)
    folder.mkdir(parents=True, exist_ok=True)
    np.savetxt(folder / "fm_programme.csv", np.c_[items, np.ones_like(items), items], fmt="%d", delimiter=",",
               header="from_agg_id,level_id,to_agg_id", comments="")  # fmt: skip
    np.savetxt(folder / "fm_policytc.csv", np.c_[np.ones_like(items), items, np.ones_like(items), items], fmt="%d",
               delimiter=",", header="level_id,agg_id,layer_id,profile_id", comments="")  # fmt: skip
    zeros = np.zeros_like(items)
    profile = np.c_[items, np.ones_like(items), deductible, zeros, zeros, zeros, limit, zeros, zeros, zeros]
    np.savetxt(folder / "fm_profile.csv", profile, fmt="%d", delimiter=",",
               header="profile_id,calcrule_id,deductible1,deductible2,deductible3,attachment1,limit1,share1,share2,share3",
               comments="")  # fmt: skip
    np.savetxt(folder / "fm_xref.csv", np.c_[items, items, np.ones_like(items)], fmt="%d", delimiter=",",
               header="output,agg_id,layer_id", comments="")  # fmt: skip


def write_stream(path: Path, losses: npt.NDArray[np.float32]) -> None:
    """A GUL item stream: per event and item, its TIV (-3), mean (-1) and samples (1..n), then (0, 0)."""
    events, items, samples = losses.shape
    width = 2 + 2 * (samples + 3)  # int32 cells per item record
    with path.open("wb") as fh:
        fh.write(GUL_HEADER + np.int32(samples).tobytes())
        for e in range(events):
            record = np.zeros((items, width), dtype="<i4")
            floats = record.view("<f4")
            record[:, 0] = e + 1
            record[:, 1] = np.arange(1, items + 1)
            record[:, 2], floats[:, 3] = -3, TIV
            record[:, 4], floats[:, 5] = -1, losses[e].mean(axis=1)
            record[:, 6:-2:2] = np.arange(1, samples + 1)
            floats[:, 7:-2:2] = losses[e]
            fh.write(record.tobytes())


@numba.njit(cache=True)
def read_samples(ints: npt.NDArray[np.int32], floats: npt.NDArray[np.float32], out: npt.NDArray[np.float64]) -> int:
    """Insured sample losses of an fmpy output stream into ``out[event-1, output-1, sidx-1]``."""
    i = 0
    n = 0
    while i < ints.shape[0]:
        event, output = ints[i], ints[i + 1]
        i += 2
        while True:
            sidx = ints[i]
            loss = floats[i + 1]
            i += 2
            if sidx == 0:
                break
            if sidx > 0:
                out[event - 1, output - 1, sidx - 1] = loss
                n += 1
    return n


def run_fmpy(fmpy: str, static: Path, stream: Path, out: Path, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system of the fmpy process) of ``repeat`` runs."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        # in the run's folder: fmpy writes its log/ folder into the working directory
        subprocess.run(
            [fmpy, "-a", "0", "-p", str(static), "-i", str(stream), "-o", str(out)], check=True, cwd=out.parent
        )
        wall = min(wall, time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = min(cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


Yen = npt.NDArray[np.int64]


def mamori_terms(layout: Layout, losses: Yen, ded: Yen, limit: Yen, repeat: int) -> tuple[float, Yen]:
    """apply_terms on every loss (rows: event × item × sample), the loss in the first section."""
    items = losses.shape[1]
    n = losses.size
    ground_up = np.zeros((n, len(layout.sections)), dtype=np.int64)
    ground_up[:, 0] = losses.reshape(-1)
    policy = np.broadcast_to(np.arange(items)[None, :, None], losses.shape).reshape(-1).astype(np.int64)
    limits = np.zeros((items, len(layout.sections)), dtype=np.int64)
    limits[:, 0] = limit
    hours = np.zeros(n)
    starts = np.arange(n + 1, dtype=np.int64)
    best = float("inf")
    paid = np.empty(0, dtype=np.int64)
    for _ in range(repeat):
        t0 = time.thread_time()  # CPU time of this thread: the kernel runs in it alone
        paid = apply_terms(layout, ground_up, hours, starts, policy, ded, limits)
        best = min(best, time.thread_time() - t0)
    return best, paid[:, 0].reshape(losses.shape)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fmpy", default="/tmp/oasis-venv/bin/fmpy", help="fmpy of an environment with oasislmf")  # noqa: S108 - the documented venv
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which(args.fmpy) is None:
        raise SystemExit(
            f"no fmpy at {args.fmpy}: python3 -m venv /tmp/oasis-venv && /tmp/oasis-venv/bin/pip install oasislmf"
        )

    rng = np.random.default_rng(2025)
    ded = rng.choice([0, 100_000, 300_000, 1_000_000], args.items).astype(np.int64)
    limit = rng.choice([3_000_000, 10_000_000, 30_000_000, 100_000_000], args.items).astype(np.int64)
    # Whole yen, and exact in float32 (< 2**24 yen steps are not exact above 16.7M: rounded there to float32).
    losses = np.rint(rng.lognormal(14.0, 1.5, (args.events, args.items, args.samples))).astype(np.float32)
    n = losses.size

    with tempfile.TemporaryDirectory(prefix="mamori-fm-") as tmp:
        folder = Path(tmp)
        write_static(folder / "static", ded, limit)
        subprocess.run(
            [args.fmpy, "--create-financial-structure-files", "-a", "0", "-p", str(folder / "static")],
            check=True,
            cwd=folder,
        )
        write_stream(folder / "gul.bin", losses)
        write_stream(folder / "one.bin", losses[:1])
        run_fmpy(args.fmpy, folder / "static", folder / "one.bin", folder / "one_fm.bin", 1)  # warm numba's cache
        _, fixed = run_fmpy(args.fmpy, folder / "static", folder / "one.bin", folder / "one_fm.bin", args.repeat)
        full_wall, full = run_fmpy(args.fmpy, folder / "static", folder / "gul.bin", folder / "fm.bin", args.repeat)
        raw = (folder / "fm.bin").read_bytes()[8:]
        oasis = np.zeros(losses.shape, dtype=np.float64)
        read_samples(np.frombuffer(raw, dtype="<i4"), np.frombuffer(raw, dtype="<f4"), oasis)

    version = catalog.FolderCatalog().latest()
    product = Layout.of(version.coverage)
    one_section = Layout(sections=("expense",), limit_fields=("expense_limit",), deductible_order=(0,),
                         waiting_section=-1, waiting_hours=0.0, riders=())  # fmt: skip
    exact = losses.astype(np.int64)
    apply_terms(
        one_section, np.zeros((1, 1), np.int64), np.zeros(1), np.array([0, 1]), np.array([0]), ded, limit[:, None]
    )
    ours_one, paid = mamori_terms(one_section, exact, ded, limit, args.repeat)
    ours_product, paid_product = mamori_terms(product, exact, ded, limit, args.repeat)
    assert np.array_equal(paid, paid_product)
    assert np.allclose(oasis, paid, rtol=1e-6, atol=0.5), "fmpy and Mamori disagree"

    marginal = max(full - fixed, 1e-9)
    print(f"losses: {n:,} ({args.events:,} events × {args.items:,} policies × {args.samples} samples), "
          f"calcrule 1 (deductible and limit); every insured loss equal (float32 tolerance)")  # fmt: skip
    print("CPU seconds (one core each; best of the runs):")
    print(f"  fmpy (oasislmf) process:    {full:7.2f} s ({fixed:.2f} s of it fixed: start, load;"
          f" wall {full_wall:.2f} s)")  # fmt: skip
    print(f"     {n / full:14,.0f} losses/s/core end to end, {n / marginal:14,.0f} marginal (without the fixed part)")
    print(f"  mamori apply_terms, 1 thread: {ours_one:.3f} s, one section:        {n / ours_one:14,.0f} losses/s/core")
    print(f"                                {ours_product:.3f} s, product's 3 sections:"
          f" {n / ours_product:14,.0f} losses/s/core")  # fmt: skip
    print(f"  mamori / fmpy marginal: {marginal / ours_one:.1f}× (one section), {marginal / ours_product:.1f}×"
          f" (3 sections); end to end: {full / ours_one:.1f}× (goal ≥ 5× per core)")  # fmt: skip


if __name__ == "__main__":
    main()
