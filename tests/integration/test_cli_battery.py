"""A battery of bad input over every command: never a traceback, never exit status 1, one language per message.

Each case runs in Japanese and in English (``--lang``), readable and ``--json``. Every line of stderr (and every
``message`` of the JSON errors) must be wholly in the language asked for: no English sentence from argparse,
pyarrow, the operating system or a data file inside a Japanese message, no Japanese in an English one — only
the values the case gave, paths, option names and identifiers may appear as they are. A case names the exit
status it expects (2 for invalid input, 0 for what is read correctly). New commands get a row here.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mamori import cli

DATA = Path(__file__).resolve().parent.parent / "data"
BOOK = DATA / "portfolio" / "book.csv"
MODEL = DATA / "portfolio" / "minimal-model.toml"
CLAIM = DATA / "interface_claim_example.json"
TREATY = Path(cli.__file__).resolve().parent.parent / "portfolio" / "treaties" / "sample-2025.toml"

#: Words of English prose (never identifiers of Mamori or values of these cases).
ENGLISH = frozenset(
    [
        "the",
        "is",
        "not",
        "be",
        "must",
        "of",
        "to",
        "an",
        "and",
        "or",
        "got",
        "cannot",
        "could",
        "has",
        "was",
        "are",
        "with",
        "this",
        "that",
        "found",
        "invalid",
        "expected",
        "unrecognized",
        "arguments",
        "argument",
        "choice",
        "does",
        "exist",
        "such",
        "denied",
        "permission",
        "space",
        "left",
        "unsupported",
        "parse",
        "magic",
        "bytes",
        "directory",
        "more",
        "than",
        "once",
        "should",
        "only",
        "least",
        "most",
        "given",
        "no",
        "error",
        "failed",
        "unable",
        "while",
    ]
)
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
#: What may appear as it is in a message of either language: options, commands, dotted or snake_case names,
#: codes, file names.
TOKENS = re.compile(
    r"--[\w-]+|mamori(?: [a-z][\w-]*)*|[\w\[\]-]*[._/][\w\[\].:/~-]*|\b[A-Z][A-Z0-9_]+\b|\b\w*\d\w*\b|\w+_\w+"
)


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int = 2
    given: tuple[str, ...] = ()  # values of the case that may appear in a message as they are
    stdin: bytes | None = b""  # None: standard input closed
    langs: bool = True  # False: the case sets --lang itself
    words: tuple[str, ...] = ()  # what the English message must say (the problem, named)
    out: bool = False  # True: stdout may hold an answer (exit status 0)
    extra: dict[str, str] = field(default_factory=dict)


def _files(root: Path) -> dict[str, Path]:  # noqa: PLR0915 - one statement per file of the battery
    """Every bad file the cases read, written once."""
    f: dict[str, Path] = {}

    def text(name: str, content: str | bytes, encoding: str = "utf-8") -> None:
        path = root / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        f[name] = path

    text("empty.csv", b"")
    text("header-only.csv", "industry,revenue\n")
    text("semicolon.csv", "industry;revenue\nwholesale;500000000\n")
    text("tab.csv", "industry\trevenue\nwholesale\t500000000\n")
    text("utf16.csv", "industry,revenue\nwholesale,500000000\n", encoding="utf-16")
    # EUC-JP whose bytes are also valid Shift_JIS (read so, the header would be ｲﾒﾌｾ): not certainly one encoding
    text(
        "eucjp.csv",
        b"\xb2\xd2\xcc\xbe".decode("euc-jp") + ",industry,revenue\n,wholesale,500000000\n",
        encoding="euc-jp",
    )
    text("binary.csv", b"industry,revenue\n\xff\xfe\xfa,1\n")
    text("japanese-header.csv", "業種,年間売上高\nwholesale,500000000\n")
    text("cells.csv", "industry,revenue\nwholesale,500000000,extra\n")
    text("not-parquet.parquet", "industry,revenue\n")
    text("book.xlsx", "x")
    text("duplicate-columns.csv", "industry,revenue,revenue\nwholesale,1,2\n")
    text("misspelt.csv", "industry,revenue,liabilty_limit\nwholesale,1,30000000\n")
    text("big.csv", 'industry,revenue\nwholesale,"1e400"\n')
    book = BOOK.read_text(encoding="utf-8").splitlines()
    text("book-duplicate-id.csv", "\n".join([book[0], book[1], book[1]]) + "\n")
    text("book-header-only.csv", book[0] + "\n")
    text("book-date-10000.csv", "\n".join([book[0], book[1].replace("2026-07-21", "10000-01-01")]) + "\n")
    text("book-japanese-header.csv", "\n".join([book[0].replace('"industry"', '"業種"'), book[1]]) + "\n")
    model = MODEL.read_text(encoding="utf-8")
    text("model-gamma.toml", model.replace('"poisson"', '"gamma"'))
    text("model-syntax.toml", model + "\n[broken\n")
    text("model-string.toml", model.replace("rate = 0.05", 'rate = "0.05"'))
    text("model-unknown-key.toml", model.replace("sigma = 1.6", "sigma = 1.6\nsigm = 1.2"))
    text("model-shift-jis.toml", "# 損害モデル\n".encode("cp932") + model.encode())
    text("treaty-unknown-table.toml", "[surplus]\nretention = 1\n")
    text("treaty-negative-retention.toml", "[per_risk]\nretention = -20000000\nlimit = 80000000\n")
    text("treaty-key-misspelt.toml", "[per_event]\nretension = 300000000\n")
    text("treaty-cession-percent.toml", "[quota_share]\ncession = 30\n")
    claim = CLAIM.read_text(encoding="utf-8")
    text("claim-truncated.jsonl", json.dumps(json.loads(claim)) + "\n" + json.dumps(json.loads(claim))[:80] + "\n")
    text("claim-duplicate.json", claim.replace('"deductible": 100000,', '"deductible": 100000, "deductible": 0,'))
    text("claim-huge.json", claim.replace('"amount": 5000000', '"amount": 1000000000000000000000000000000'))
    text("claim-nan.json", claim.replace('"amount": 5000000', '"amount": NaN'))
    text("claim-latin1.json", claim.replace('"JP"', '"JP\u00e9"').encode("latin-1"))
    text("claim-syntax.json", claim[:-20])
    text("claim-escape.json", claim.replace('"id": "c1"', '"id": "c1\\u001b[2J\\u009b31m"'))
    text("claim-exponent.json", claim.replace('"amount": 5000000', '"amount": 5e6'))
    text("estimate-bigint.json", '{"preset": 1, "business": {"revenue": 18446744073709551616}}')
    text("estimate-string.json", '{"preset": 1, "records": [{"categories": ["name"], "persons": "8000"}]}')
    text("estimate-exponent.json", '{"preset": 1, "records": [{"categories": ["name"], "persons": 8e3}]}')
    text("estimate-category.json", '{"preset": 1, "records": [{"categories": ["shoe_size"], "persons": 1}]}')
    text("estimate-duplicate.json", '{"preset": 1, "preset": 2}')
    text("estimate-array.json", "[1, 2]")
    text("estimate-empty.json", b"")
    text("triangle-hole.csv", "origin,age,value\n2024,1,100\n2024,3,150\n")
    text("triangle-text.csv", "origin,age,value\n2024,1,abc\n")
    text("triangle-negative-age.csv", "origin,age,value\n2024,-1,100\n")
    text("triangle-wide.csv", "origin,1,2\n2024,100,150\n2025,120,\n")
    text("premium.csv", "origin,earned_premium\n2024,1000\n")
    folder = root / "a-folder"
    folder.mkdir()
    f["a-folder"] = folder
    fifo = root / "fifo.csv"
    os.mkfifo(fifo)
    f["fifo.csv"] = fifo
    (root / "dangling").symlink_to(root / "nowhere" / "at-all")
    f["dangling"] = root / "dangling"
    (root / "dangling.csv").symlink_to(root / "nowhere.csv")
    (root / "full.csv").symlink_to("/dev/full")
    f["full.csv"] = root / "full.csv"
    f["dangling.csv"] = root / "dangling.csv"
    for name, table in {
        "struct.parquet": pa.table({"industry": ["wholesale"], "revenue": [{"amount": 1, "unit": "yen"}]}),
        "date-10000.parquet": pa.table(
            {
                "industry": ["wholesale"],
                "revenue": [500_000_000],
                "start": pa.array([2_932_897], pa.int32()).cast(pa.date32()),
            }
        ),
        "timestamp-ns.parquet": pa.table(
            {
                "industry": ["wholesale"],
                "revenue": [500_000_000],
                "start": pa.array([1_775_001_600_123_456_789], pa.timestamp("ns")),
            }
        ),
        "no-rows.parquet": pa.table({"industry": pa.array([], pa.string()), "revenue": pa.array([], pa.int64())}),
    }.items():
        pq.write_table(table, root / name)
        f[name] = root / name
    return f


def _cases() -> dict[str, Case]:
    """Every case: ``@name`` is a file of :func:`_files`, ``@out/...`` a path in a fresh folder."""
    quote = ("quote", "--industry", "wholesale", "--revenue", "500000000")
    batch = ("quote-batch",)
    sim = ("portfolio", "simulate")
    return {
        # ------------------------------------------------------------------ the command line itself
        "no command": Case(()),
        "unknown command": Case(("quot",), given=("quot",), words=("quote",)),
        "unknown top option": Case(("--frobnicate", "quote"), given=("--frobnicate",)),
        "unknown option": Case((*quote, "--frobnicate"), given=("--frobnicate",), words=("--frobnicate",)),
        "misspelt option": Case((*quote, "--revenu", "1"), words=("--revenue",)),
        "flag twice": Case((*quote, "--revenue", "80000000"), given=("500000000", "80000000"), words=("once",)),
        "json twice": Case((*quote, "--json", "--json"), words=("once",)),
        "lang before and after": Case(("--lang", "en", *quote, "--lang", "ja"), langs=False, words=("once",)),
        "lang not a language": Case((*quote, "--lang", "fr"), langs=False, given=("fr",)),
        "missing value": Case((*quote, "--deductible"), words=("needs a value",)),
        "value to a switch": Case((*quote, "--pd-rider=yes"), given=("yes",)),
        "extra argument": Case((*quote, "surplus"), given=("surplus",)),
        "missing command of a group": Case(("claim",), words=("calculate",)),
        "unknown command of a group": Case(("claim", "calculat", "x"), given=("calculat",)),
        "missing positional": Case(("quote-batch",), words=("IN",)),
        "required option": Case((*sim, str(BOOK), str(MODEL)), words=("--years",)),
        "options excluding each other": Case(
            (*sim, str(BOOK), str(MODEL), "--years", "10", "--workers", "1", "--scheduler", "tcp://x:1"),
            given=("tcp://x:1",),
        ),
        "products folder missing": Case(("--products", "@out/none", *quote)),
        # --------------------------------------------------------------------------------- quote
        "industry unknown": Case(("quote", "--industry", "bakery", "--revenue", "1"), given=("bakery",)),
        "revenue not a number": Case(("quote", "--industry", "wholesale", "--revenue", "abc"), given=("abc",)),
        "revenue with exponent": Case(("quote", "--industry", "wholesale", "--revenue", "5e8"), given=("5e8",)),
        "revenue beyond 64 bits": Case(
            ("quote", "--industry", "wholesale", "--revenue", "18446744073709551616"), given=("18446744073709551616",)
        ),
        "overseas share NaN": Case((*quote, "--overseas-share", "NaN"), given=("NaN",), words=("no value",)),
        "overseas share exponent": Case((*quote, "--overseas-share", "1e1"), given=("1e1",)),
        "start not a date": Case((*quote, "--start", "2026-02-30"), given=("2026-02-30",)),
        "start year 9999": Case((*quote, "--start", "9999-12-31"), given=("9999-12-31",)),
        "term six months": Case((*quote, "--term-months", "6")),
        "measure unknown": Case((*quote, "--measure", "S99"), given=("S99",)),
        "payment weekly": Case((*quote, "--payment", "weekly"), given=("weekly",)),
        "industry with escapes": Case(("quote", "--industry", "\x1b[2J\x1b]0;owned\x07", "--revenue", "1")),
        # ---------------------------------------------------------------------------- quote-batch
        "batch input missing": Case((*batch, "@out/none.csv", "@out/out.csv")),
        "batch input a folder": Case((*batch, "@a-folder", "@out/out.csv")),
        "batch input a named pipe": Case((*batch, "@fifo.csv", "@out/out.csv"), words=("named pipe",)),
        "batch input a dangling link": Case((*batch, "@dangling.csv", "@out/out.csv"), words=("symbolic link",)),
        "batch input empty": Case((*batch, "@empty.csv", "@out/out.csv"), words=("empty",)),
        "batch header only": Case((*batch, "@header-only.csv", "@out/out.csv"), words=("no rows",)),
        "batch semicolons": Case((*batch, "@semicolon.csv", "@out/out.csv"), words=("semicolon",)),
        "batch tabs": Case((*batch, "@tab.csv", "@out/out.csv"), words=("tab",)),
        "batch utf-16": Case((*batch, "@utf16.csv", "@out/out.csv"), words=("UTF-16",)),
        "batch euc-jp": Case((*batch, "@eucjp.csv", "@out/out.csv"), words=("--encoding",)),
        "batch bytes of no encoding": Case((*batch, "@binary.csv", "@out/out.csv"), words=("--encoding",)),
        "batch japanese header": Case(
            (*batch, "@japanese-header.csv", "@out/out.csv"), given=("業種", "年間売上高"), words=("industry",)
        ),
        "batch cells beyond the header": Case((*batch, "@cells.csv", "@out/out.csv"), words=("Row 2",)),
        "batch not parquet": Case((*batch, "@not-parquet.parquet", "@out/out.csv"), words=("Parquet",)),
        "batch unknown format": Case((*batch, "@book.xlsx", "@out/out.csv")),
        "batch duplicate columns": Case((*batch, "@duplicate-columns.csv", "@out/out.csv")),
        "batch misspelt column": Case((*batch, "@misspelt.csv", "@out/out.csv"), given=("liabilty_limit",)),
        "batch number beyond float": Case((*batch, "@big.csv", "@out/out.csv"), given=("1e400",)),
        "batch struct column": Case((*batch, "@struct.parquet", "@out/out.csv"), words=("struct",)),
        "batch date beyond python": Case((*batch, "@date-10000.parquet", "@out/out.csv"), given=("10000-01-01",)),
        "batch timestamp in nanoseconds": Case((*batch, "@timestamp-ns.parquet", "@out/out.csv")),
        "batch parquet without rows": Case((*batch, "@no-rows.parquet", "@out/out.csv"), words=("no rows",)),
        "batch encoding unknown": Case((*batch, "@header-only.csv", "@out/out.csv", "--encoding", "latin1")),
        "batch output folder missing": Case((*batch, str(BOOK), "@out/none/out.csv"), words=("does not exist",)),
        "batch output a folder": Case((*batch, "@header-only.csv", "@a-folder")),
        "batch output a dangling link": Case((*batch, "@header-only.csv", "@dangling.csv")),
        "batch output in proc": Case((*batch, "@header-only.csv", "/proc/mamori/out.csv")),
        "batch output a device": Case((*batch, str(BOOK), "@full.csv"), words=("not a regular file",)),
        # --------------------------------------------------------------------------- claim calculate
        "claim file missing": Case(("claim", "calculate", "@out/none.json")),
        "claim file a folder": Case(("claim", "calculate", "@a-folder")),
        "claim stdin closed": Case(("claim", "calculate", "-"), stdin=None, words=("standard input",)),
        "claim truncated line": Case(("claim", "calculate", "@claim-truncated.jsonl"), words=("row 2",)),
        "claim duplicate key": Case(("claim", "calculate", "@claim-duplicate.json"), words=("deductible",)),
        "claim amount of 10^30": Case(("claim", "calculate", "@claim-huge.json")),
        "claim NaN": Case(("claim", "calculate", "@claim-nan.json")),
        "claim not utf-8": Case(("claim", "calculate", "@claim-latin1.json")),
        "claim syntax": Case(("claim", "calculate", "@claim-syntax.json")),
        "claim exponent": Case(("claim", "calculate", "@claim-exponent.json")),
        "claim empty stdin": Case(("claim", "calculate", "-"), stdin=b""),
        # ------------------------------------------------------------------------------- estimate
        "estimate nothing": Case(("estimate",)),
        "estimate preset 9": Case(("estimate", "--preset", "9")),
        "estimate preset twice": Case(("estimate", "--preset", "1", "--preset", "2"), words=("once",)),
        "estimate stdin closed": Case(("estimate", "-"), stdin=None, words=("standard input",)),
        "estimate revenue beyond 64 bits": Case(("estimate", "@estimate-bigint.json"), given=("18446744073709551616",)),
        "estimate persons as a string": Case(("estimate", "@estimate-string.json"), words=('"8000"',)),
        "estimate persons with exponent": Case(("estimate", "@estimate-exponent.json")),
        "estimate category unknown": Case(("estimate", "@estimate-category.json"), given=("shoe_size",)),
        "estimate duplicate key": Case(("estimate", "@estimate-duplicate.json")),
        "estimate an array": Case(("estimate", "@estimate-array.json")),
        "estimate empty file": Case(("estimate", "@estimate-empty.json")),
        # ------------------------------------------------------------------------------ portfolio
        "years not a number": Case((*sim, str(BOOK), str(MODEL), "--years", "x"), given=("x",)),
        "years zero": Case((*sim, str(BOOK), str(MODEL), "--years", "0")),
        "years with exponent": Case((*sim, str(BOOK), str(MODEL), "--years", "1e3"), given=("1e3",)),
        "seed beyond 64 bits": Case(
            (*sim, str(BOOK), str(MODEL), "--years", "10", "--seed", "18446744073709551616"),
            given=("18446744073709551616",),
        ),
        "book missing": Case((*sim, "@out/none.csv", str(MODEL), "--years", "10")),
        "model missing": Case((*sim, str(BOOK), "@out/none.toml", "--years", "10")),
        "model a folder": Case((*sim, str(BOOK), "@a-folder", "--years", "10")),
        "model distribution unknown": Case((*sim, str(BOOK), "@model-gamma.toml", "--years", "10"), given=("gamma",)),
        "model syntax": Case((*sim, str(BOOK), "@model-syntax.toml", "--years", "10")),
        "model rate as text": Case((*sim, str(BOOK), "@model-string.toml", "--years", "10")),
        "model key misspelt": Case((*sim, str(BOOK), "@model-unknown-key.toml", "--years", "10")),
        "model not utf-8": Case((*sim, str(BOOK), "@model-shift-jis.toml", "--years", "10")),
        "book duplicate id": Case((*sim, "@book-duplicate-id.csv", str(MODEL), "--years", "10"), words=("row 3",)),
        "book header only": Case((*sim, "@book-header-only.csv", str(MODEL), "--years", "10"), words=("no rows",)),
        "book japanese header": Case((*sim, "@book-japanese-header.csv", str(MODEL), "--years", "10"), given=("業種",)),
        "out a dangling link": Case((*sim, str(BOOK), str(MODEL), "--years", "10", "--out", "@dangling")),
        "out in proc": Case((*sim, str(BOOK), str(MODEL), "--years", "10", "--out", "/proc/mamori")),
        "out a file": Case((*sim, str(BOOK), str(MODEL), "--years", "10", "--out", str(BOOK))),
        "treaty table unknown": Case(
            (*sim, str(BOOK), str(MODEL), "--years", "10", "--treaty", "@treaty-unknown-table.toml"),
            given=("surplus",),
            words=("surplus", "quota_share", "per_risk", "per_event", "aggregate"),
        ),
        "treaty retention negative": Case(
            (*sim, str(BOOK), str(MODEL), "--years", "10", "--treaty", "@treaty-negative-retention.toml"),
            given=("-20000000",),
            words=("per_risk.retention", "at least 0"),
        ),
        "treaty key misspelt": Case(
            (*sim, str(BOOK), str(MODEL), "--years", "10", "--treaty", "@treaty-key-misspelt.toml"),
            given=("retension",),
            words=("per_event.retension", "retention, limit"),
        ),
        "treaty cession a percentage": Case(
            (*sim, str(BOOK), str(MODEL), "--years", "10", "--treaty", "@treaty-cession-percent.toml"),
            words=("quota_share.cession",),
        ),
        "treaty missing": Case((*sim, str(BOOK), str(MODEL), "--years", "10", "--treaty", "@out/none.toml")),
        "treaty a folder": Case((*sim, str(BOOK), str(MODEL), "--years", "10", "--treaty", "@a-folder")),
        "treaty the sample": Case(
            (*sim, str(BOOK), str(MODEL), "--years", "100", "--workers", "0", "--treaty", str(TREATY)),
            code=0,
            out=True,
        ),
        "oed start date 10000": Case(("portfolio", "export-oed", "@book-date-10000.csv", "@out/oed")),
        "oed start not a date": Case(("portfolio", "export-oed", str(BOOK), "@out/oed", "--start", "2026-13-01")),
        "oed version unknown": Case(("portfolio", "export-oed", str(BOOK), "@out/oed", "--product-version", "1999")),
        "oed folder in proc": Case(("portfolio", "export-oed", str(BOOK), "/proc/mamori")),
        "model command extra": Case(("portfolio", "model", "extra")),
        # ------------------------------------------------------------------------------ books
        "reserve hole inside an origin": Case(("reserve", "@triangle-hole.csv")),
        "reserve value not a number": Case(("reserve", "@triangle-text.csv"), given=("abc",)),
        "reserve negative age": Case(("reserve", "@triangle-negative-age.csv"), given=("-1",)),
        "reserve method unknown": Case(("reserve", "@triangle-wide.csv", "--method", "odp"), given=("odp",)),
        "reserve bf without a loss ratio": Case(("reserve", "@triangle-wide.csv", "--method", "bf")),
        "reserve bf premium missing an origin": Case(
            ("reserve", "@triangle-wide.csv", "--method", "bf", "--premium", "@premium.csv", "--loss-ratio", "0.6"),
            given=("2025",),
        ),
        "reserve tail below one": Case(("reserve", "@triangle-wide.csv", "--tail", "0.9"), given=("0.9",)),
        "reserve loss ratio text": Case(("reserve", "@triangle-wide.csv", "--loss-ratio", "high"), given=("high",)),
        "reserve missing file": Case(("reserve", "@out/none.csv")),
        "reserve wide ok": Case(("reserve", "@triangle-wide.csv", "--method", "mack"), code=0, out=True),
        "books triangle as-of not a date": Case(
            ("books", "triangle", "@out/t.csv", "--as-of", "2026-02-30", "--basis", "paid")
        ),
        "books triangle basis unknown": Case(
            ("books", "triangle", "@out/t.csv", "--as-of", "2026-06-30", "--basis", "reported"), given=("reported",)
        ),
        "books triangle nowhere": Case(
            ("books", "triangle", "@out/none/t.csv", "--as-of", "2026-06-30", "--basis", "paid")
        ),
        "books triangle basis missing": Case(("books", "triangle", "@out/t.csv", "--as-of", "2026-06-30")),
        "books close month": Case(("books", "close", "--month", "2026-13"), given=("2026-13",)),
        "books without a command": Case(("books",)),
        # ----------------------------------------------------------------------------- the web's
        "serve port not a number": Case(("serve", "--port", "http"), given=("http",)),
        "serve port twice": Case(("serve", "--port", "1", "--port", "2")),
        "serve scale not a number": Case(("serve", "--demo", "--scale", "many"), given=("many",)),
        "serve scale without demo": Case(("serve", "--scale", "10")),
        "serve scale negative": Case(("serve", "--demo", "--scale", "-5"), given=("-5",)),
        "worker extra": Case(("worker", "extra")),
        "worker batch twice": Case(("worker", "--batch", "--batch")),
        "jobs without a job": Case(("jobs",)),
        "jobs daily date": Case(("jobs", "daily", "--date", "yesterday"), given=("yesterday",)),
        "jobs export-book nowhere": Case(("jobs", "export-book", "@out/none/book.csv")),
        "jobs deadlines extra": Case(("jobs", "deadlines", "--date", "2026-01-01"), given=("--date",)),
        "demo extra": Case(("demo", "extra")),
    }


CASES = _cases()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _files(tmp_path_factory.mktemp("battery"))


def _argv(case: Case, files: dict[str, Path], out: Path) -> list[str]:
    argv = []
    for arg in case.args:
        if arg.startswith("@out/"):
            argv.append(str(out / arg.removeprefix("@out/")))
        elif arg.startswith("@"):
            argv.append(str(files[arg[1:]]))
        else:
            argv.append(arg)
    return argv


def run(argv: list[str], stdin: bytes | None, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", None if stdin is None else io.TextIOWrapper(io.BytesIO(stdin)))
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _stripped(message: str, given: Iterator[str]) -> str:
    for value in sorted(given, key=len, reverse=True):
        if value:
            message = message.replace(value, " ")
    return TOKENS.sub(" ", message)


def english_of(message: str, given: Iterator[str]) -> set[str]:
    """English words of prose left in ``message`` once values, paths and identifiers are taken out."""
    words = re.findall(r"[A-Za-z]{2,}", _stripped(message, given))
    return {w for w in words if w.lower() in ENGLISH}


def japanese_of(message: str, given: Iterator[str]) -> list[str]:
    return JAPANESE.findall(_stripped(message, given))


def assert_one_language(messages: list[str], lang: str, given: list[str]) -> None:
    for message in messages:
        if lang == "ja":
            assert not english_of(message, iter(given)), f"English in a Japanese message: {message}"
            assert JAPANESE.search(message), f"a Japanese message without Japanese: {message}"
        else:
            assert not japanese_of(message, iter(given)), f"Japanese in an English message: {message}"


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_in_one_language_without_a_traceback(
    name: str, lang: str, as_json: bool, files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    argv = _argv(case, files, tmp_path)
    if case.langs:
        argv += ["--lang", lang]
    if as_json:
        argv.append("--json")
    code, out, err = run(argv, case.stdin, monkeypatch)
    assert code == case.code, err
    assert "Traceback" not in err
    if case.code == 2:
        assert out == "", "nothing is written on invalid input"
        assert err, "the problem is named on stderr"
    assert [p.name for p in tmp_path.iterdir()] == [], "nothing written anywhere"
    given = [*case.given, str(tmp_path), str(files["a-folder"].parent), str(BOOK), str(MODEL), *argv]
    lines = [line.removeprefix("mamori: ") for line in err.splitlines() if line]
    if as_json and case.code == 2 and (case.langs or lang == "ja"):
        document = json.loads(lines.pop(0))
        messages = [e["message"] for e in document["errors"]]
        assert all(e["field"] for e in document["errors"])
        if case.langs:
            assert_one_language(messages, lang, given)
    if case.langs:
        assert_one_language(lines, lang, given)
    if case.words and lang == "en" and not as_json:
        assert all(word in err for word in case.words), err


def test_the_battery_covers_every_command() -> None:
    """Each command and sub-command has at least one case (a new command gets its rows here)."""
    parser = cli.build_parser()
    commands = set()
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():
            nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
            commands |= {f"{name} {n}" for a in nested for n in a.choices} if nested else {name}
    covered = {" ".join(a for a in case.args[:2] if not a.startswith(("-", "@", "/"))) for case in CASES.values()}
    covered |= {case.args[0] for case in CASES.values() if case.args}
    missing = {c for c in commands if c not in covered}
    assert not missing, f"commands without a case: {sorted(missing)}"
