"""``mamori claim calculate FILE [--json] [--lang ja|en]``: the shell around the claim calculation.

FILE is one claim-calculation document (JSON) or a JSON Lines file of documents (``.jsonl``, or any
file whose first line is a complete JSON value on its own): one answer per line. Every document is
validated before anything is printed; an invalid one gives exit status 2, the JSON path of each bad
field and what was expected on stderr, and nothing on stdout.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import itertools
import json
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, Final, TextIO

import orjson

from mamori import product as product_mod
from mamori.claims import calculate as calculate_mod
from mamori.claims import document, result

__all__ = ["EXIT_INVALID", "EXIT_OK", "run_calculate"]

EXIT_OK: Final = 0
EXIT_INVALID: Final = 2
#: At most this many problems are printed; a huge bad batch should not flood the terminal.
MAX_MESSAGES: Final = 50

#: A JSON Lines file with at least this many documents is calculated by one process per CPU.
PARALLEL_MIN: Final = 4_000
CHUNK: Final = 2_000
#: Answers are written this many at a time; the answers of a parallel batch in blocks of this size.
_WRITE_BATCH: Final = 64
_COPY_BLOCK: Final = 1 << 20
_CHUNKS_PER_WORKER: Final = 4

# orjson: the JSON Lines path spends most of its time in JSON; orjson is several times faster than the
# standard library and writes UTF-8 text as is (Japanese stays readable), keys in insertion order.
_PRETTY: Final = orjson.OPT_INDENT_2


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8")


def _is_lines(path: str, text: str) -> bool:
    if path.endswith(".jsonl"):
        return True
    stripped = text.strip()
    if "\n" not in stripped:
        return False
    try:
        json.loads(stripped)
    except json.JSONDecodeError:
        first = stripped.split("\n", 1)[0]
        try:
            json.loads(first)
        except json.JSONDecodeError:
            return False
        return True
    return False


def _parse_json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        got = f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise document.DocumentError([document.Issue("$", "json", got)]) from None


def _prefix(line_no: int | None, lang: str) -> str:
    if line_no is None:
        return ""
    return f"{line_no}行目 " if lang == "ja" else f"line {line_no}: "


def _validate(entries: Sequence[tuple[int | None, str]], lang: str) -> tuple[list[document.ClaimDocument], list[str]]:
    """Parse and validate every entry; (documents, messages) — no output is produced here."""
    docs: list[document.ClaimDocument] = []
    messages: list[str] = []
    for line_no, raw in entries:
        try:
            docs.append(document.parse_document(_parse_json(raw)))
        except document.DocumentError as exc:
            prefix = _prefix(line_no, lang)
            messages.extend(prefix + m for m in exc.messages(lang))
    return docs, messages


def _answers(docs: Sequence[document.ClaimDocument], *, as_json: bool, lang: str, pretty: bool) -> Iterator[bytes]:
    """The answer of each document as UTF-8 bytes, each ending with a newline."""
    option = (_PRETTY if pretty else 0) | orjson.OPT_APPEND_NEWLINE
    for doc in docs:
        answer = calculate_mod.calculate(doc)
        if as_json:
            yield orjson.dumps(result.to_json_dict(answer, lang), option=option)
        else:
            yield (result.render_text(answer, lang) + "\n").encode()


#: The entries of the batch being calculated in parallel. Workers started by fork inherit them, so
#: a chunk is sent to a worker as a range of this list instead of being pickled.
_BATCH: list[tuple[int | None, str]] = []


def _work_chunk(
    args: tuple[int, int, list[tuple[int | None, str]] | None, bool, str, str],
) -> tuple[list[str], str | None]:
    """Worker of the parallel path: validate a chunk, then write its answers to a temporary file."""
    start, stop, entries, as_json, lang, out_path = args
    with _no_cycle_collection():
        docs, messages = _validate(_BATCH[start:stop] if entries is None else entries, lang)
        if messages:
            return messages, None
        with open(out_path, "wb") as fh:
            fh.writelines(_answers(docs, as_json=as_json, lang=lang, pretty=False))
    return [], out_path


def _write_all(stdout: TextIO, blocks: Iterable[bytes]) -> None:
    """Write UTF-8 blocks of answers: straight to the binary buffer of ``stdout`` when it has one that
    would receive the same bytes (UTF-8, no newline translation), else as text."""
    buffer: BinaryIO | None = getattr(stdout, "buffer", None)
    encoding = getattr(stdout, "encoding", None)
    if buffer is not None and encoding and codecs.lookup(encoding).name == "utf-8" and os.linesep == "\n":
        stdout.flush()
        for block in blocks:
            buffer.write(block)
        return
    decode = codecs.getincrementaldecoder("utf-8")().decode  # a block may end inside a character
    for block in blocks:
        stdout.write(decode(block))


def _joined(answers: Iterable[bytes]) -> Iterator[bytes]:
    """Answers joined a few dozen at a time (one write each, not two per answer)."""
    it = iter(answers)
    while batch := list(itertools.islice(it, _WRITE_BATCH)):
        yield b"".join(batch)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector during a batch.

    A batch allocates millions of small acyclic objects (freed by reference counting); the cyclic
    collector would repeatedly scan the documents held for validation and cost about a third of the
    time. It is restored (and run once) afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_parallel(
    entries: list[tuple[int | None, str]], *, as_json: bool, lang: str, stdout: TextIO, workers: int
) -> list[str]:
    """Calculate a large JSON Lines batch with one process per CPU.

    Every chunk is validated before anything reaches ``stdout``: answers wait in temporary files until
    all chunks are known to be valid, so an invalid line anywhere still writes nothing.
    """
    global _BATCH  # noqa: PLW0603 - read by the forked workers, cleared afterwards
    forked = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forked else "spawn")
    _BATCH = entries
    try:
        with tempfile.TemporaryDirectory(prefix="mamori-claims-") as tmp:
            # At most CHUNK lines a chunk, and a few chunks per worker so that none waits for the last.
            size = min(CHUNK, -(-len(entries) // (workers * _CHUNKS_PER_WORKER)))
            jobs = [
                (i, i + size, None if forked else entries[i : i + size], as_json, lang,
                 os.path.join(tmp, f"{i:012d}.out"))
                for i in range(0, len(entries), size)
            ]  # fmt: skip
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                done = list(pool.map(_work_chunk, jobs))
            messages = [m for chunk_messages, _ in done for m in chunk_messages]
            if messages:
                return messages
            _write_all(stdout, _read_files(out_path for _, out_path in done))
    finally:
        _BATCH = []
    return []


def _read_files(paths: Iterable[str | None]) -> Iterator[bytes]:
    for path in paths:
        assert path is not None  # noqa: S101 - a chunk without messages always wrote its file
        with open(path, "rb") as fh:
            while block := fh.read(_COPY_BLOCK):
                yield block


def _report(messages: list[str], lang: str, stderr: TextIO) -> int:
    shown = messages[:MAX_MESSAGES]
    if len(messages) > MAX_MESSAGES:
        more = len(messages) - MAX_MESSAGES
        shown.append(f"…ほか{more}件" if lang == "ja" else f"… and {more} more")
    stderr.write("\n".join(shown) + "\n")
    return EXIT_INVALID


def run_calculate(path: str, *, as_json: bool, lang: str, stdout: TextIO, stderr: TextIO) -> int:
    """Calculate every document of FILE and print the answers; 0 on success, 2 on invalid input."""
    lang = "ja" if lang == "ja" else "en"
    try:
        text = _read(path)
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{path}：ファイルを読み込めません（{exc}）" if lang == "ja" else f"{path}: cannot read the file ({exc})"
        stderr.write(msg + "\n")
        return EXIT_INVALID

    entries: list[tuple[int | None, str]]
    if _is_lines(path, text):
        entries = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    else:
        entries = [(None, text)]
    del text
    if not entries:
        entries = [(None, "")]

    try:
        workers = min(os.cpu_count() or 1, 8)
        if len(entries) >= PARALLEL_MIN and workers > 1:
            messages = _run_parallel(entries, as_json=as_json, lang=lang, stdout=stdout, workers=workers)
            return _report(messages, lang, stderr) if messages else EXIT_OK
        with _no_cycle_collection():
            docs, messages = _validate(entries, lang)
            if messages:
                return _report(messages, lang, stderr)
            single = len(entries) == 1 and entries[0][0] is None
            _write_all(stdout, _joined(_answers(docs, as_json=as_json, lang=lang, pretty=single)))
    except product_mod.ProductDataError as exc:  # the product folder itself is broken
        stderr.write(f"{exc}\n")
        return EXIT_INVALID
    return EXIT_OK
