"""Claim calculation use cases: one document, or a JSON Lines batch of documents.

:func:`calculate_claim` validates one document (bytes, text or a parsed mapping) and calculates it.
:func:`calculate_claims` answers a JSON Lines batch: every line is validated before anything reaches
the sink, and the answers reach it only when the whole run succeeded. They are written first to
temporary files (one per chunk of lines), which are copied to the sink at the end; an invalid line
anywhere, or an error of the calculation itself, leaves the sink untouched.

Large batches are calculated by worker processes. Nothing here is shared between calls or threads: a
caller that runs batches often (a job runner, a server) owns a :class:`ClaimPool` and passes it in;
otherwise a pool is started for the call and stopped after it. Workers are forked only from a process
running a single thread (the command line), where forking is safe and cheapest; from a process running
threads (a server) they are started by ``forkserver`` (``spawn`` where there is none); so, as for any
such pool, a script that starts one keeps its top-level code under ``if __name__ == "__main__":``.
Workers receive the catalogue as its folder and the content hashes of its versions, and refuse to
calculate if the folder no longer holds those versions; workers forked for one call inherit the caller's
catalogue as it was loaded, and neither read nor check the folder again.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import io
import itertools
import json
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Literal, Protocol

import orjson

from mamori import catalog as catalog_mod
from mamori import i18n
from mamori.claims import answer, document, pipeline
from mamori.claims.result import ClaimResult
from mamori.errors import FieldError, InvalidInput, Problem
from mamori.io import jsonio

__all__ = [
    "CHUNK",
    "PARALLEL_MIN",
    "AnswerFormat",
    "ClaimPool",
    "Output",
    "Sink",
    "answer_bytes",
    "calculate_claim",
    "calculate_claims",
]

Output = Literal["json", "text"]
#: A batch with at least this many lines is calculated on worker processes (when it can be).
PARALLEL_MIN: Final = 4_000
#: Lines per task of a worker; the answers of one chunk are one temporary file.
CHUNK: Final = 2_000
#: Chunks handed to the pool ahead of the one being collected, per worker (bounds the memory held).
_AHEAD_PER_WORKER: Final = 3
_COPY_BLOCK: Final = 1 << 20
#: Answers of an in-process batch stay in memory up to this size, then spill to a temporary file.
_SPOOL_MAX: Final = 32 << 20


class Sink(Protocol):
    """Where the answers of a batch go: anything with ``write(bytes)`` (a binary file, a buffer)."""

    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True, slots=True)
class AnswerFormat:
    """How the answers of a batch are written: ``json`` (compact, one per line) or ``text`` (the readable
    worksheet and a blank line), in Japanese or English; ``ascii_only`` escapes JSON for a terminal that
    cannot show UTF-8."""

    lang: i18n.Lang = "ja"
    output: Output = "json"
    ascii_only: bool = False


# ---------------------------------------------------------------------------------- one document


def calculate_claim(
    catalog: catalog_mod.Catalog,
    document_data: bytes | str | Mapping[str, Any],
    *,
    version: catalog_mod.ProductVersion | None = None,
) -> ClaimResult:
    """Validate and calculate one claim-calculation document; InvalidInput lists every problem.

    ``version``: the product version of the policy when the caller knows it (a policy keeps its own);
    else the document's ``policy.product_version``, else the version in force on its start date.
    """
    raw = jsonio.encode(document_data) if isinstance(document_data, Mapping) else _as_bytes(document_data)
    jsonio.check(raw)  # duplicate keys, NaN, Infinity, malformed text, not UTF-8
    return pipeline.calculate(document.parse_document(raw, catalog=catalog, version=version))


def _as_bytes(data: bytes | str) -> bytes:
    # A lone surrogate in text is kept, then refused as text that is not UTF-8.
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")


def answer_bytes(result: ClaimResult, fmt: AnswerFormat) -> bytes:
    """One answer of a batch, ending with a newline."""
    if fmt.output == "text":
        return (answer.render_text(result, fmt.lang) + "\n").encode()
    body = answer.to_json_dict(result, fmt.lang)
    if fmt.ascii_only:
        return (json.dumps(body, ensure_ascii=True, allow_nan=False, separators=(",", ":")) + "\n").encode()
    return orjson.dumps(body, option=orjson.OPT_APPEND_NEWLINE)


# --------------------------------------------------------------------------------------- batches


@dataclass(frozen=True, slots=True)
class _Source:
    """How a worker process finds the catalogue: its folder, and the versions it must hold there."""

    root: str
    fingerprint: tuple[tuple[str, str, str], ...]  # (product, version, content hash)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Chunk:
    """Consecutive lines of a batch, sent to a worker (everything here is picklable)."""

    first_line: int
    lines: Sequence[bytes]
    source: _Source
    version: tuple[str, str] | None  # (version, content hash) chosen by the caller
    fmt: AnswerFormat
    out_path: str
    calculate: bool  # False once a line elsewhere is known to be invalid: validate only
    pause_gc: bool  # True in worker processes (never in a caller's process)


@dataclass(frozen=True, slots=True)
class _Done:
    problems: tuple[FieldError, ...]
    answers: int
    #: The arguments of a broken product folder's error (file, key, problem code, its values).
    product_data_error: tuple[Any, ...] | None = None


class ClaimPool:
    """Worker processes for claim batches, owned by the caller and reusable across batches and threads.

    ``with ClaimPool(4) as pool: calculate_claims(..., workers=pool)``. Processes are forked from a
    single-threaded caller, else started by ``forkserver`` (``spawn`` where there is none). ``executor``
    replaces the processes (tests pass a thread pool to run the batch logic in one process). ``forks``
    says whether its workers are forked (and so inherit what this process has loaded).
    """

    def __init__(self, workers: int | None = None, *, executor: Executor | None = None) -> None:
        self.workers = max(1, workers or _default_workers())
        self._in_processes = executor is None
        self.forks = False
        if executor is None:
            method = _start_method()
            self.forks = method == "fork"
            context = multiprocessing.get_context(method)
            executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        self._executor = executor

    def _submit(self, chunk: _Chunk) -> Future[_Done]:
        return self._executor.submit(_run_chunk, chunk)

    @property
    def in_processes(self) -> bool:
        return self._in_processes

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ClaimPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _start_method() -> str:
    """``fork`` from a single-threaded process (safe, and the cheapest start); else a fresh interpreter."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _default_workers() -> int:
    return min(os.cpu_count() or 1, 8)


def calculate_claims(
    catalog: catalog_mod.Catalog,
    lines: Iterable[bytes],
    sink: Sink,
    *,
    fmt: AnswerFormat = AnswerFormat(),
    version: catalog_mod.ProductVersion | None = None,
    workers: ClaimPool | int | None = None,
) -> int:
    """Answer every line of a JSON Lines batch into ``sink``; the number of answers written.

    ``lines`` are the lines of the input, blank ones included (line numbers count from 1); blank lines
    get no answer. Raises InvalidInput naming the line (``row``) of every problem, and then nothing is
    written. ``workers``: a :class:`ClaimPool` owned by the caller; or how many processes to start for
    this call (1: none, the batch runs in this process); or None: one per CPU (at most 8) for a batch of
    at least :data:`PARALLEL_MIN` lines. Processes are used only with a folder catalogue, the one thing
    a worker can rebuild; any other runs in this process.
    """
    iterator = iter(lines)
    head = list(itertools.islice(iterator, PARALLEL_MIN))
    everything = itertools.chain(head, iterator)
    source = _source_of(catalog, version)
    with tempfile.TemporaryDirectory(prefix="mamori-claims-") as tmp:
        if source is not None and isinstance(workers, ClaimPool):
            return _in_pool(workers, _Batch(source, fmt, version, Path(tmp)), everything, sink)
        count = workers if isinstance(workers, int) else _default_workers()
        if source is not None and len(head) >= PARALLEL_MIN and count > 1:
            with ClaimPool(count) as own, _forked_with(source, catalog, own):
                return _in_pool(own, _Batch(source, fmt, version, Path(tmp)), everything, sink)
        return _in_process(catalog, everything, sink, fmt, version)


def _source_of(catalog: catalog_mod.Catalog, version: catalog_mod.ProductVersion | None) -> _Source | None:
    """What a worker needs to rebuild the catalogue, or None when it cannot (not a folder catalogue)."""
    if not isinstance(catalog, catalog_mod.FolderCatalog):
        return None
    versions = catalog.versions()
    if version is not None and all(pv is not version for pv in versions):
        return None  # a version from elsewhere: only this process has it
    fingerprint = tuple((pv.id, pv.version, pv.content_hash) for pv in versions)
    return _Source(str(catalog.root), fingerprint)


@dataclass(frozen=True, slots=True)
class _Batch:
    source: _Source
    fmt: AnswerFormat
    version: catalog_mod.ProductVersion | None
    tmp: Path


def _numbered_chunks(lines: Iterable[bytes], size: int) -> Iterator[tuple[int, list[bytes]]]:
    first = 1
    iterator = iter(lines)
    while chunk := list(itertools.islice(iterator, size)):
        yield first, chunk
        first += len(chunk)


def _in_pool(pool: ClaimPool, batch: _Batch, lines: Iterable[bytes], sink: Sink) -> int:
    chosen = None if batch.version is None else (batch.version.version, batch.version.content_hash)
    pending: collections.deque[tuple[str, Future[_Done]]] = collections.deque()
    problems: list[FieldError] = []
    answers = 0
    files: list[str] = []

    def collect_oldest() -> None:
        nonlocal answers
        path, future = pending.popleft()
        done = future.result()
        if done.product_data_error is not None:
            raise catalog_mod.ProductDataError(*done.product_data_error)
        problems.extend(done.problems)
        answers += done.answers
        files.append(path)

    try:
        for first, chunk in _numbered_chunks(lines, CHUNK):
            path = str(batch.tmp / f"{first:012d}.out")
            task = _Chunk(
                first_line=first,
                lines=chunk,
                source=batch.source,
                version=chosen,
                fmt=batch.fmt,
                out_path=path,
                calculate=not problems,
                pause_gc=pool.in_processes,
            )
            pending.append((path, pool._submit(task)))
            while len(pending) > pool.workers * _AHEAD_PER_WORKER:
                collect_oldest()
        while pending:
            collect_oldest()
    finally:
        for _, future in pending:
            future.cancel()
    if problems:
        raise InvalidInput(problems)
    for path in files:
        _copy(path, sink)
    return answers


def _copy(path: str, sink: Sink) -> None:
    """Append a chunk's answers to the sink, by ``sendfile`` when the sink writes to a file descriptor."""
    with open(path, "rb") as fh:
        fh.seek(_send(fh, sink))
        while block := fh.read(_COPY_BLOCK):
            sink.write(block)


def _send(fh: IO[bytes], sink: Sink) -> int:
    """Copy ``fh`` to the descriptor under ``sink`` in the kernel; the offset reached (0: not possible)."""
    fileno = getattr(sink, "fileno", None)
    flush = getattr(sink, "flush", None)
    if fileno is None or flush is None or not hasattr(os, "sendfile"):
        return 0
    offset = 0
    try:
        out_fd = fileno()
        flush()  # what the sink holds goes first
        size = os.fstat(fh.fileno()).st_size
        while offset < size:
            sent = os.sendfile(out_fd, fh.fileno(), offset, size - offset)
            if sent == 0:
                break
            offset += sent
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a descriptor sendfile can write to: the rest goes through Python
    return offset


def _in_process(
    catalog: catalog_mod.Catalog,
    lines: Iterable[bytes],
    sink: Sink,
    fmt: AnswerFormat,
    version: catalog_mod.ProductVersion | None,
) -> int:
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX, buffering=_COPY_BLOCK) as spool:
        numbered = enumerate(lines, start=1)
        problems, answers = _answer_lines(catalog, numbered, spool, fmt, version=version)
        if problems:
            raise InvalidInput(problems)
        spool.seek(0)
        while block := spool.read(_COPY_BLOCK):
            sink.write(block)
    return answers


def _answer_lines(
    catalog: catalog_mod.Catalog,
    numbered: Iterable[tuple[int, bytes]],
    out: IO[bytes],
    fmt: AnswerFormat,
    *,
    version: catalog_mod.ProductVersion | None,
    calculate: bool = True,
) -> tuple[list[FieldError], int]:
    """Validate every line; calculate and write the answers while no line has been invalid."""
    problems: list[FieldError] = []
    answers = 0
    for number, line in numbered:
        if not line.strip():
            continue
        line = line.rstrip(b"\r\n")  # noqa: PLW2901 - the line without its end: a position is within it
        try:
            jsonio.check(line)
            claim = document.parse_document(line, catalog=catalog, version=version)
        except InvalidInput as exc:
            problems.extend(_on_line(e, number) for e in exc.errors)
            continue
        if calculate and not problems:
            out.write(answer_bytes(pipeline.calculate(claim), fmt))
            answers += 1
    return problems, answers


def _on_line(error: FieldError, number: int) -> FieldError:
    """A line's problem, named by the line: a position within it is its column alone (the line is said once)."""
    params = error.params
    if "at" in params and "column" in params:
        params = {k: v for k, v in params.items() if k not in ("line", "at")}
        params["at"] = Problem("P_COLUMN", {"column": error.params["column"]})
    return FieldError(error.field, error.code, params, row=number, more=error.more)


def _run_chunk(chunk: _Chunk) -> _Done:
    """A worker's task: validate a chunk of lines and write its answers to ``chunk.out_path``."""
    try:
        catalog = _worker_catalog(chunk.source)
    except catalog_mod.ProductDataError as exc:
        return _Done((), 0, exc.args)
    version = None if chunk.version is None else catalog.get(chunk.version[0], content_hash=chunk.version[1])
    numbered = zip(itertools.count(chunk.first_line), chunk.lines, strict=False)
    # A worker process allocates millions of short-lived acyclic objects; the cyclic collector would
    # scan them again and again for nothing. Paused for the chunk, in worker processes only.
    paused = chunk.pause_gc and gc.isenabled()
    if paused:
        gc.disable()
    try:
        with open(chunk.out_path, "wb", buffering=_COPY_BLOCK) as out:
            problems, answers = _answer_lines(
                catalog, numbered, out, chunk.fmt, version=version, calculate=chunk.calculate
            )
    finally:
        if paused:
            gc.enable()
    return _Done(tuple(problems), answers)


#: Catalogues a forked worker finds already loaded: what the process that forked it had (see _forked_with).
_INHERITED: dict[_Source, catalog_mod.Catalog] = {}


@contextlib.contextmanager
def _forked_with(source: _Source, catalog: catalog_mod.Catalog, pool: ClaimPool) -> Iterator[None]:
    """While a new pool's workers are forked, they inherit this process's catalogue (the one the batch's
    ``source`` was read from) instead of each loading and checking the folder again. Only for ``fork``:
    a worker started another way has nothing to inherit and loads it (:func:`_worker_catalog`)."""
    if not pool.forks:
        yield
        return
    _INHERITED[source] = catalog
    try:
        yield
    finally:
        _INHERITED.pop(source, None)


@functools.lru_cache(maxsize=4)
def _worker_catalog(source: _Source) -> catalog_mod.Catalog:
    """The catalogue of a worker, loaded once per folder and content (a memo of immutable data)."""
    inherited = _INHERITED.get(source)
    if inherited is not None:
        return inherited
    catalog = catalog_mod.FolderCatalog(source.root)
    products = sorted({product for product, _, _ in source.fingerprint})
    found = tuple((pv.id, pv.version, pv.content_hash) for product in products for pv in catalog.versions(product))
    if found != source.fingerprint:
        raise catalog_mod.ProductDataError(source.root, "(versions)", "P_FOLDER_CHANGED")
    return catalog
