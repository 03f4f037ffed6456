"""JSON Lines batches of claims (usecases.calculate_claims): all or nothing reaches the sink, worker pools
owned by the caller, threads, and workers that rebuild the catalogue from its folder."""

from __future__ import annotations

import copy
import gc
import io
import json
import multiprocessing
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from mamori import catalog as catalog_mod
from mamori.claims import pipeline
from mamori.claims.result import ClaimResult
from mamori.errors import InvalidInput
from mamori.usecases import claims as claim_usecases

EXAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "data" / "interface_claim_example.json").read_text(encoding="utf-8")
)
CATALOG = catalog_mod.FolderCatalog()


def lines_of(count: int, *, bad: dict[int, Any] | None = None) -> list[bytes]:
    """``count`` documents, the n-th paying 27,300,000 + n; ``bad`` replaces some lines (1-based)."""
    out = []
    for n in range(1, count + 1):
        doc = copy.deepcopy(EXAMPLE)
        doc["costs"][0]["amount"] = 1_000_000 + n
        line = (bad or {}).get(n, doc)
        out.append((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n")
    return out


def totals(data: bytes) -> list[int]:
    return [json.loads(line)["payable_total"] for line in data.splitlines()]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claim_usecases, "PARALLEL_MIN", 4)
    monkeypatch.setattr(claim_usecases, "CHUNK", 3)


@pytest.fixture
def thread_pool() -> Iterator[claim_usecases.ClaimPool]:
    """The batch logic of a worker pool, run on threads of this process (so that tests can patch it)."""
    with claim_usecases.ClaimPool(2, executor=ThreadPoolExecutor(2)) as pool:
        yield pool


@pytest.fixture(scope="module")
def process_pool() -> Iterator[claim_usecases.ClaimPool]:
    with claim_usecases.ClaimPool(2) as pool:
        yield pool


def test_every_line_is_answered_in_order_across_chunks(small_chunks: None, thread_pool: Any) -> None:
    sink = io.BytesIO()
    count = claim_usecases.calculate_claims(CATALOG, lines_of(10), sink, workers=thread_pool)
    assert count == 10
    assert totals(sink.getvalue()) == [27_300_000 + n for n in range(1, 11)]


def test_blank_lines_get_no_answer_and_keep_the_line_numbers(small_chunks: None, thread_pool: Any) -> None:
    lines = lines_of(8)
    lines[2] = b"\n"
    lines[3] = b"   \r\n"
    lines[6] = b'{"policy": 1}\n'
    with pytest.raises(InvalidInput) as info:
        claim_usecases.calculate_claims(CATALOG, lines, io.BytesIO(), workers=thread_pool)
    assert {e.row for e in info.value.errors} == {7}


def test_an_invalid_line_in_a_later_chunk_leaves_the_sink_empty_and_is_named(
    small_chunks: None, thread_pool: Any
) -> None:
    sink = io.BytesIO()
    with pytest.raises(InvalidInput) as info:
        claim_usecases.calculate_claims(CATALOG, lines_of(10, bad={8: {"costs": []}}), sink, workers=thread_pool)
    assert sink.getvalue() == b""
    assert [(e.row, e.field, e.code) for e in info.value.errors] == [
        (8, "policy", "E_REQUIRED"),
        (8, "incident", "E_REQUIRED"),
    ]


def test_every_invalid_line_of_the_batch_is_reported(small_chunks: None, thread_pool: Any) -> None:
    bad = {2: b"{", 5: b'{"a": 1, "a": 2}', 9: b"[NaN]"}
    with pytest.raises(InvalidInput) as info:
        claim_usecases.calculate_claims(CATALOG, lines_of(10, bad=bad), io.BytesIO(), workers=thread_pool)
    assert [(e.row, e.code) for e in info.value.errors] == [
        (2, "E_JSON_EOF"),
        (5, "E_DUPLICATE_KEY"),
        (9, "E_JSON_NAN"),
    ]


def failing_after(monkeypatch: pytest.MonkeyPatch, good: int) -> None:
    """The calculation raises (a bug) after ``good`` documents, wherever it runs in this process."""
    real = pipeline.calculate
    done = {"n": 0}
    lock = threading.Lock()

    def calculate(claim: Any) -> ClaimResult:
        with lock:
            done["n"] += 1
            if done["n"] > good:
                raise RuntimeError("a bug in the calculation")
        return real(claim)

    monkeypatch.setattr(pipeline, "calculate", calculate)


def test_no_answer_reaches_the_sink_when_the_calculation_raises_in_a_worker(
    small_chunks: None, thread_pool: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_after(monkeypatch, 7)
    sink = io.BytesIO()
    with pytest.raises(RuntimeError, match="a bug in the calculation"):
        claim_usecases.calculate_claims(CATALOG, lines_of(12), sink, workers=thread_pool)
    assert sink.getvalue() == b""


def test_no_answer_reaches_the_sink_when_the_calculation_raises_in_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failing_after(monkeypatch, 2)
    sink = io.BytesIO()
    with pytest.raises(RuntimeError, match="a bug in the calculation"):
        claim_usecases.calculate_claims(CATALOG, lines_of(3), sink, workers=1)
    assert sink.getvalue() == b""


def test_a_batch_in_this_process_never_pauses_the_garbage_collector(
    small_chunks: None, thread_pool: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise AssertionError("gc.disable() called in the caller's process")

    monkeypatch.setattr(gc, "disable", refuse)
    claim_usecases.calculate_claims(CATALOG, lines_of(8), io.BytesIO(), workers=thread_pool)
    claim_usecases.calculate_claims(CATALOG, lines_of(3), io.BytesIO(), workers=1)
    assert gc.isenabled()


def test_a_catalogue_that_is_not_a_folder_is_used_in_this_process(
    small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = catalog_mod.InMemoryCatalog(CATALOG.versions())

    def no_pool(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a worker pool was started for a catalogue workers cannot rebuild")

    monkeypatch.setattr(claim_usecases, "ClaimPool", no_pool)
    sink = io.BytesIO()
    assert claim_usecases.calculate_claims(memory, lines_of(6), sink) == 6
    assert totals(sink.getvalue()) == [27_300_000 + n for n in range(1, 7)]


def test_workers_refuse_a_product_folder_that_changed_during_the_batch(
    small_chunks: None, thread_pool: Any, products: Path
) -> None:
    catalog = catalog_mod.FolderCatalog(products)
    catalog.versions()  # loaded now, as the batch starts
    coverage = products / "sme-cyber" / "2025-04" / "coverage.toml"
    coverage.write_text(coverage.read_text(encoding="utf-8").replace("10_000_000", "9_000_000", 1), encoding="utf-8")
    sink = io.BytesIO()
    with pytest.raises(catalog_mod.ProductDataError, match="changed"):
        claim_usecases.calculate_claims(catalog, lines_of(6), sink, workers=thread_pool)
    assert sink.getvalue() == b""


# ------------------------------------------------------------------------------- real processes


def test_a_pool_owned_by_the_caller_serves_several_threads_at_once(small_chunks: None, process_pool: Any) -> None:
    results: dict[int, bytes] = {}

    def batch(n: int) -> None:
        sink = io.BytesIO()
        claim_usecases.calculate_claims(CATALOG, lines_of(7 + n), sink, workers=process_pool)
        results[n] = sink.getvalue()

    threads = [threading.Thread(target=batch, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {n: totals(data) for n, data in results.items()} == {
        n: [27_300_000 + k for k in range(1, 8 + n)] for n in range(3)
    }


def test_workers_answer_exactly_as_this_process_does(small_chunks: None, process_pool: Any) -> None:
    lines = lines_of(9)
    here, there = io.BytesIO(), io.BytesIO()
    fmt = claim_usecases.AnswerFormat(lang="en", output="text")
    claim_usecases.calculate_claims(CATALOG, lines, here, fmt=fmt, workers=1)
    claim_usecases.calculate_claims(CATALOG, lines, there, fmt=fmt, workers=process_pool)
    assert there.getvalue() == here.getvalue()
    assert here.getvalue().count(b"Claim worksheet") == 9


def test_workers_use_the_version_the_caller_chose(small_chunks: None, process_pool: Any, products: Path) -> None:
    coverage = products / "sme-cyber" / "2025-04" / "coverage.toml"
    coverage.write_text(
        coverage.read_text(encoding="utf-8").replace("amount = 10_000_000", "amount = 4_000_000", 1), encoding="utf-8"
    )
    catalog = catalog_mod.FolderCatalog(products)
    doc = copy.deepcopy(EXAMPLE)
    doc["incident"]["accident_types"] = ["T0"]
    doc["costs"] = [{"id": "c1", "item": "EX_ATTACK_CHECK", "amount": 9_000_000}]
    sink = io.BytesIO()
    version = catalog.get("2025-04")
    claim_usecases.calculate_claims(
        catalog, [json.dumps(doc).encode()] * 5, sink, version=version, workers=process_pool
    )
    assert [json.loads(line)["lines"][0]["covered"] for line in sink.getvalue().splitlines()] == [4_000_000] * 5


def test_a_pool_started_for_one_call_gives_the_same_answers(small_chunks: None) -> None:
    sink = io.BytesIO()
    claim_usecases.calculate_claims(CATALOG, lines_of(8), sink, workers=2)
    assert totals(sink.getvalue()) == [27_300_000 + n for n in range(1, 9)]


_INHERIT_SCRIPT = """
import io, json, shutil, sys
from mamori import catalog as catalog_mod
from mamori.usecases import claims as claim_usecases
claim_usecases.PARALLEL_MIN, claim_usecases.CHUNK = 4, 3
assert claim_usecases._start_method() == "fork", claim_usecases._start_method()
catalog = catalog_mod.FolderCatalog(sys.argv[1])
catalog.versions()  # loaded now, as the batch starts
shutil.rmtree(sys.argv[1])  # a worker that loaded the folder again would find nothing
sink = io.BytesIO()
claim_usecases.calculate_claims(catalog, sys.stdin.buffer.read().splitlines(), sink, workers=2)
assert claim_usecases._INHERITED == {}  # the parent keeps no catalogue after the call
sys.stdout.buffer.write(sink.getvalue())
"""


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this system")
def test_workers_forked_for_one_call_inherit_the_callers_catalogue(products: Path) -> None:
    # In a process of its own: the test runner has threads, and workers are forked only without them.
    done = subprocess.run(
        [sys.executable, "-c", _INHERIT_SCRIPT, str(products)],
        input=b"".join(lines_of(8)),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert totals(done.stdout) == [27_300_000 + n for n in range(1, 9)]


def test_answers_copied_into_a_file_leave_it_positioned_after_them(
    small_chunks: None, thread_pool: Any, tmp_path: Path
) -> None:
    path = tmp_path / "answers.jsonl"
    with path.open("wb") as out:
        out.write(b"# answers\n")
        claim_usecases.calculate_claims(CATALOG, lines_of(7), out, workers=thread_pool)
        end = out.tell()
        out.write(b"# end\n")
    data = path.read_bytes()
    assert end == len(data) - len(b"# end\n")
    head, body = data.split(b"\n", 1)
    assert head == b"# answers"
    assert totals(body.removesuffix(b"# end\n")) == [27_300_000 + n for n in range(1, 8)]
