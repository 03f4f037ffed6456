"""Runs the blocks of years on Dask: a local cluster by default, or an existing cluster by its address.

The plan (book and model as arrays) is sent once to every worker; each task simulates a few consecutive
blocks and returns their per-year aggregates and sums, never a row per accident, so a worker's memory is
bounded by its task, whatever the number of years. The driver fills the year loss table as tasks finish,
in any order. Because each block draws from streams of its own (``engine.run_block``), the answer for a
seed is the same whatever the number of workers or tasks.

The local cluster runs its workers as threads of this process (``processes=False``): the kernels release
the GIL, so threads use every core without copying the plan into other processes or starting them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mamori.portfolio import engine
from mamori.portfolio.engine import BlockResult, Plan, YearTable

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["TASK_POLICY_YEARS", "Cluster", "SchedulerUnreachable", "run", "tasks_of"]

#: Policy-years per task (about a second of a worker's time): more tasks balance better, fewer cost less.
TASK_POLICY_YEARS: Final = 50_000_000
#: Tasks per worker at least, when there are enough blocks: a slow worker does not hold up the end.
TASKS_PER_WORKER: Final = 4
#: How long to wait for an existing cluster's scheduler.
CONNECT_TIMEOUT: Final = "10s"

Progress = Callable[[int, int], None]


class SchedulerUnreachable(ConnectionError):
    """The Dask scheduler named by ``--scheduler`` did not answer."""

    def __init__(self, address: str, problem: str) -> None:
        self.address = address
        self.problem = problem
        super().__init__(f"cannot reach the Dask scheduler at {address}: {problem}")


@dataclass(frozen=True)
class Cluster:
    """Where to run: ``workers`` local workers (None: one per core), or the scheduler at ``scheduler``;
    ``workers=0`` runs every block in this process without Dask."""

    workers: int | None = None
    scheduler: str | None = None

    def local_workers(self) -> int:
        return self.workers if self.workers is not None else max(os.cpu_count() or 1, 1)


def tasks_of(plan: Plan, years: int, workers: int) -> list[list[tuple[int, int]]]:
    """Consecutive blocks grouped into tasks of about :data:`TASK_POLICY_YEARS` policy-years."""
    blocks = engine.blocks_of(years)
    by_size = max(1, TASK_POLICY_YEARS // max(plan.policies * engine.BLOCK_YEARS, 1))
    by_balance = max(1, len(blocks) // (TASKS_PER_WORKER * max(workers, 1)))
    size = min(by_size, by_balance)
    return [blocks[i : i + size] for i in range(0, len(blocks), size)]


def run_task(plan: Plan, seed: int, blocks: list[tuple[int, int]]) -> list[BlockResult]:
    """One task on a worker: its blocks, one after the other."""
    return [engine.run_block(plan, seed, block, n_years) for block, n_years in blocks]


def _distributed() -> Any:
    """``distributed``, imported when a run needs it (its functions are untyped)."""
    import distributed

    return distributed


@contextlib.contextmanager
def _client(cluster: Cluster) -> Iterator[Client]:
    dask = _distributed()
    if cluster.scheduler is not None:
        try:
            client = dask.Client(cluster.scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnreachable(cluster.scheduler, str(exc) or type(exc).__name__) from None
        with client:
            yield client
        return
    local = dask.LocalCluster(
        n_workers=cluster.local_workers(),
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": ":0"},  # no dashboard; its HTTP server on any free port
        silence_logs=logging.ERROR,
    )
    with local, dask.Client(local) as client:
        yield client


def run(plan: Plan, years: int, seed: int, cluster: Cluster, *, progress: Progress | None = None) -> YearTable:
    """The year loss table of ``years`` simulated years of the plan, on the cluster."""
    if cluster.scheduler is None and cluster.workers == 0:
        table = YearTable.for_plan(plan, years)
        blocks = engine.blocks_of(years)
        for done, (block, n_years) in enumerate(blocks, 1):
            table.add(engine.run_block(plan, seed, block, n_years))
            if progress is not None:
                progress(done, len(blocks))
        return table
    with _client(cluster) as client:
        workers = len(client.scheduler_info(n_workers=-1).get("workers", {})) or cluster.local_workers()
        tasks = tasks_of(plan, years, workers)
        shared = client.scatter(plan, broadcast=True)  # type: ignore[no-untyped-call]
        run_id = secrets.token_hex(4)
        futures = [
            client.submit(run_task, shared, seed, blocks, key=f"mamori-portfolio-{run_id}-{i}", pure=False)
            for i, blocks in enumerate(tasks)
        ]
        table = YearTable.for_plan(plan, years)
        for done, future in enumerate(_distributed().as_completed(futures), 1):
            for result in future.result():
                table.add(result)
            future.release()
            if progress is not None:
                progress(done, len(futures))
    return table
