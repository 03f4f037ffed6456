"""Issue 16 (the command line, second pass): each of the ten wrong answers a hostile review found is a test
here, then the classes of poor ones (one language per message, safe output, messages a person can act on,
values read alike everywhere). Streams are real where they matter: the command runs as a process."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from mamori import cli
from mamori.usecases import portfolio as portfolio_usecase

DATA = Path(__file__).resolve().parent.parent / "data"
BOOK = DATA / "portfolio" / "book.csv"
MODEL = DATA / "portfolio" / "minimal-model.toml"
CLAIM = DATA / "interface_claim_example.json"
MAMORI = [sys.executable, "-m", "mamori.cli"]
#: A locale that asks for nothing: the command's own default (Japanese) unless --lang says otherwise.
ENV = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}


def run(*argv: str, stdin: bytes | None = b"", monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", None if stdin is None else io.TextIOWrapper(io.BytesIO(stdin)))
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def shell(script: str, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``script`` in sh, with ``$MAMORI`` the command (for redirections Python cannot express, such as <&-)."""
    command = " ".join(f"'{part}'" for part in MAMORI)
    return subprocess.run(
        ["/bin/sh", "-c", script.replace("$MAMORI", command)],
        capture_output=True,
        env={**ENV, **(env or {})},
        check=False,
        timeout=120,
    )


def errors_of(err: str) -> list[dict[str, object]]:
    document = json.loads(err.splitlines()[0])
    found: list[dict[str, object]] = document["errors"]
    return found


# ======================================================================= the ten wrong answers


# 1. A number beyond 64 bits with --json crashed the error printer (the JSON encoder's 64-bit limit).
def test_a_revenue_beyond_64_bits_is_refused_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    document = b'{"preset": 1, "business": {"revenue": 18446744073709551616}}'
    code, out, err = run("estimate", "-", "--json", "--lang", "en", stdin=document, monkeypatch=monkeypatch)
    assert (code, out) == (2, "")
    (error,) = errors_of(err)
    assert error["field"] == "business.revenue"
    assert error["params"]["value"] == 18446744073709551616  # type: ignore[index]


def test_a_seed_beyond_64_bits_is_refused_as_json() -> None:
    code, out, err = run(
        "portfolio", "simulate", str(BOOK), str(MODEL), "--years", "10", "--seed", "18446744073709551616", "--json"
    )
    assert (code, out) == (2, "")
    assert errors_of(err)[0]["field"] == "seed"
    assert "18446744073709551616" in err


def test_a_claim_amount_of_ten_to_the_thirtieth_is_refused_as_json(tmp_path: Path) -> None:
    claim = tmp_path / "claim.json"
    claim.write_text(CLAIM.read_text(encoding="utf-8").replace('"amount": 5000000', '"amount": ' + "1" + "0" * 30))
    code, out, err = run("claim", "calculate", str(claim), "--json", "--lang", "en")
    assert (code, out) == (2, "")
    assert errors_of(err)[0]["field"] == "costs[0].amount"
    assert "1" + "0" * 30 in err


# 2. "-" as the file with standard input closed: AttributeError.
@pytest.mark.parametrize("command", ["claim calculate -", "estimate -"])
def test_a_dash_with_standard_input_closed_is_an_input_error(command: str) -> None:
    done = shell(f"$MAMORI {command} --lang en <&-")
    assert done.returncode == 2, done.stderr
    assert b"Traceback" not in done.stderr
    assert b"standard input is closed" in done.stderr
    assert done.stdout == b""


# 3. Parquet dates and timestamps beyond what Python represents: OverflowError, or "install pandas".
def test_a_parquet_date_beyond_year_9999_is_refused_as_a_date(tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    start = pa.array([2_932_897], pa.int32()).cast(pa.date32())
    pq.write_table(pa.table({"industry": ["wholesale"], "revenue": [500_000_000], "start": start}), source)
    code, out, err = run("quote-batch", str(source), str(tmp_path / "out.csv"), "--lang", "en")
    assert (code, out) == (2, "")
    assert "start" in err
    assert "10000-01-01" in err


def test_a_parquet_timestamp_in_nanoseconds_is_read_without_pandas(tmp_path: Path) -> None:
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    midnight = 1_775_001_600 * 10**9  # 2026-04-01T00:00:00 (UTC), in nanoseconds
    starts = pa.array([midnight, midnight + 123_456_789], pa.timestamp("ns"))
    pq.write_table(pa.table({"industry": ["wholesale"] * 2, "revenue": [500_000_000] * 2, "start": starts}), source)
    code, _, err = run("quote-batch", str(source), str(target), "--lang", "en")
    assert code == 2  # the second start has a time of day: not a calendar date
    assert "row 2" in err and "start" in err
    assert "pandas" not in err
    pq.write_table(pa.table({"industry": ["wholesale"], "revenue": [500_000_000], "start": starts[:1]}), source)
    assert run("quote-batch", str(source), str(target))[0] == 0
    assert pq.read_table(target).column("monthly_premium").to_pylist() == [5280]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_an_oed_start_date_in_year_10000_is_refused(tmp_path: Path, fmt: str) -> None:
    table = pacsv.read_csv(BOOK).slice(0, 1)
    table = table.set_column(table.schema.get_field_index("start_date"), "start_date", pa.array(["10000-01-01"]))
    source = tmp_path / f"book.{fmt}"
    if fmt == "parquet":
        days = pa.array([2_932_897], pa.int32()).cast(pa.date32())
        pq.write_table(table.set_column(table.schema.get_field_index("start_date"), "start_date", days), source)
    else:
        pacsv.write_csv(table, source)
    code, out, err = run("portfolio", "export-oed", str(source), str(tmp_path / "oed"), "--lang", "en")
    assert (code, out) == (2, "")
    assert "start_date" in err and "10000-01-01" in err
    assert not (tmp_path / "oed").exists()


# 4. Output folders that cannot be created were found only after a whole simulation.
@pytest.mark.parametrize("out", ["dangling", "/proc/mamori-out"])
def test_an_output_folder_that_cannot_be_made_is_refused_before_the_simulation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        pytest.fail("the simulation ran before the output folder was checked")

    monkeypatch.setattr(portfolio_usecase, "simulate_book", never)
    if out == "dangling":
        (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "out")
        out = str(tmp_path / "dangling")
    code, stdout, err = run("portfolio", "simulate", str(BOOK), str(MODEL), "--years", "10", "--out", out)
    assert (code, stdout) == (2, "")
    assert "out" in err
    assert not (tmp_path / "nowhere").exists()


# 5. A full disk while writing --out said "nothing written" but left an empty folder.
def test_a_full_disk_while_writing_the_outputs_leaves_no_folder(tmp_path: Path) -> None:
    out = tmp_path / "results"
    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096));"
        "from mamori.cli import main; sys.exit(main())"
    )
    argv = ["portfolio", "simulate", str(BOOK), str(MODEL), "--years", "2000", "--workers", "0"]
    done = subprocess.run(
        [sys.executable, "-c", script, *argv, "--out", str(out), "--lang", "en", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "disk is full" in done.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


# 6. portfolio simulate could not start where HOME is not writable (no cache locator for numba).
def _add(a: int, b: int) -> int:
    return a + b


def test_compiled_code_runs_where_it_cannot_be_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """HOME is not a folder and numba may not keep code next to the package (a read-only install): numba finds
    no cache locator; the engine's kernels are compiled for the process instead (what every run then pays)."""
    import numba.core.config

    from mamori.portfolio import _jit

    monkeypatch.setenv("HOME", "/dev/null")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", "")
    monkeypatch.setattr(numba.core.config, "CACHE_LOCATOR_CLASSES", "UserWideCacheLocator")
    assert _jit.compiled(_add)(2, 3) == 5


def test_plots_are_drawn_quietly_where_home_cannot_hold_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k not in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "MPLCONFIGDIR")}
    script = (
        "import numpy as np; from mamori.portfolio import plots;"
        "loss = np.arange(1, 1001, dtype=np.int64) * 10**6;"
        "png = plots.ep_curve_png(loss, loss, {'aep': {'100': 1}, 'oep': {'100': 1}}, 'ja');"
        "assert png.startswith(b'\\x89PNG')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, env={**env, "HOME": "/dev/null"}, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""  # matplotlib would otherwise warn, in English, about its settings folder


# 7. Closed or full standard streams: a traceback, or exit 1.
def test_a_closed_standard_output_is_exit_2_with_a_message() -> None:
    done = shell("$MAMORI quote --industry wholesale --revenue 500000000 --lang en >&-")
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"Cannot write to standard output" in done.stderr


def test_invalid_input_with_a_closed_standard_error_is_still_exit_2() -> None:
    done = shell("$MAMORI quote --industry bakery --revenue 1 2>&-")
    assert done.returncode == 2
    assert done.stdout == b""


def test_a_full_standard_output_is_exit_2_without_a_traceback() -> None:
    done = shell("$MAMORI estimate --preset 4 --lang en > /dev/full")
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"Exception ignored" not in done.stderr
    assert b"disk is full" in done.stderr


def test_a_reader_that_leaves_early_ends_the_run_quietly() -> None:
    done = shell("$MAMORI demo --lang en | head -1")
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr


# 8. An EUC-JP CSV was read as cp932 (exit 0, a garbled pass-through header).
EUC_HEADER = b"\xb2\xd2\xcc\xbe".decode("euc-jp")  # valid Shift_JIS too: read so, it would be ｲﾒﾌｾ


def test_a_csv_that_reads_as_both_shift_jis_and_euc_jp_is_refused_naming_encoding(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(f"{EUC_HEADER},industry,revenue\nx,wholesale,500000000\n".encode("euc-jp"))
    code, out, err = run("quote-batch", str(source), str(target), "--lang", "en")
    assert (code, out) == (2, "")
    assert "--encoding" in err and "euc-jp" in err
    assert not target.exists()
    code, _, err = run("quote-batch", str(source), str(target), "--encoding", "euc-jp")
    assert code == 0, err
    assert pacsv.read_csv(target).column_names[0] == EUC_HEADER


def test_a_csv_that_is_certainly_euc_jp_is_read_as_such(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes("メモ,industry,revenue\n卸売,wholesale,500000000\n".encode("euc-jp"))
    code, _, err = run("quote-batch", str(source), str(target))
    assert code == 0, err
    row = pacsv.read_csv(target).to_pylist()[0]
    assert (row["メモ"], row["monthly_premium"]) == ("卸売", 5280)


# 9. A flag given twice: the last value won silently.
def test_a_flag_given_twice_is_refused_like_a_duplicate_json_key() -> None:
    code, out, err = run(
        "quote", "--industry", "wholesale", "--revenue", "500000000", "--revenue", "80000000", "--lang", "en"
    )
    assert (code, out) == (2, "")
    assert "--revenue is given more than once (500000000, then 80000000)" in err


def test_the_shared_options_count_once_before_and_after_the_command() -> None:
    code, _, err = run("--lang", "en", "quote", "--industry", "wholesale", "--revenue", "1", "--lang", "ja")
    assert code == 2
    assert "--lang" in err


def test_an_option_meant_to_repeat_may() -> None:
    argv = ("quote", "--industry", "wholesale", "--revenue", "500000000", "--measure", "S01", "--measure", "S02")
    code, out, err = run(*argv, "--json")
    assert code == 0, err
    assert json.loads(out)["inputs"]["measures"] == ["S01", "S02"]


# 10. --lang en was ignored for argument errors.
def test_an_argument_error_speaks_the_language_asked_for() -> None:
    code, _, err = run("quote", "--lang", "en", "--frobnicate")
    assert code == 2
    assert "There is no option --frobnicate" in err
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", err)
    code, _, err = run("quote", "--lang", "ja", "--frobnicate")
    assert "というオプションはありません" in err
    assert "unrecognized" not in err


def test_an_argument_error_with_json_is_json() -> None:
    code, out, err = run("quote", "--json", "--lang", "en", "--revenue")
    assert (code, out) == (2, "")
    (error,) = errors_of(err)
    assert (error["field"], error["code"]) == ("revenue", "E_OPTION_NO_VALUE")
    assert error["message"] == "--revenue needs a value."


# ======================================================================= classes of poor answers


# ------------------------------------------------------------------------------- safe output

ESCAPES = "\x1b[2J\x1b]0;owned\x07\u009b31m\u202e"


def test_untrusted_text_reaches_the_terminal_with_its_escapes_neutralised(tmp_path: Path) -> None:
    claim = tmp_path / "claim.json"
    document = json.loads(CLAIM.read_text(encoding="utf-8"))
    document["costs"][0]["id"] = "c1" + ESCAPES
    claim.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run("claim", "calculate", str(claim), "--lang", "en")
    assert code == 0, err
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e]", out)
    assert "c1\\u001b[2J" in out  # shown, but inert
    code, out, _ = run("claim", "calculate", str(claim), "--json")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e]", out)
    assert json.loads(out)["lines"][0]["id"] == "c1" + ESCAPES  # the same data for a JSON reader


def test_an_error_naming_an_untrusted_value_neutralises_it() -> None:
    code, _, err = run("quote", "--industry", ESCAPES, "--revenue", "1", "--lang", "en")
    assert code == 2
    assert "\x1b" not in err and "\u009b" not in err and "\u202e" not in err
    assert "\\u001b[2J" in err


def test_a_csv_cell_a_spreadsheet_would_run_is_written_neutralised(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    cells = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "@SUM(A1)", "-5", "+1,000", "plain"]
    rows = "".join(f'"{c.replace(chr(34), chr(34) * 2)}",wholesale,500000000\n' for c in cells)
    source.write_text("note,industry,revenue\n" + rows, encoding="utf-8")
    code, _, err = run("quote-batch", str(source), str(target))
    assert code == 0, err
    written = [r["note"] for r in pacsv.read_csv(target, convert_options=pacsv.ConvertOptions(
        column_types={"note": pa.string()})).to_pylist()]  # fmt: skip
    assert written == [
        '\'=HYPERLINK("http://x","y")',
        "'+1+cmd|' /C calc'!A0",
        "'@SUM(A1)",
        "-5",
        "+1,000",
        "plain",
    ]
    parquet = tmp_path / "out.parquet"
    assert run("quote-batch", str(source), str(parquet))[0] == 0
    assert pq.read_table(parquet).column("note").to_pylist() == cells  # data stays data outside spreadsheets


def test_a_column_csv_cannot_hold_passes_through_as_json_text(tmp_path: Path) -> None:
    source, target = tmp_path / "in.parquet", tmp_path / "out.csv"
    meta = pa.array([{"branch": "大阪", "code": 7}])
    pq.write_table(pa.table({"industry": ["wholesale"], "revenue": [500_000_000], "meta": meta}), source)
    code, _, err = run("quote-batch", str(source), str(target))
    assert code == 0, err
    row = pacsv.read_csv(target).to_pylist()[0]
    assert json.loads(row["meta"]) == {"branch": "大阪", "code": 7}
    assert row["monthly_premium"] == 5280


# ---------------------------------------------------------------- messages a person can act on


def test_rows_are_numbered_as_the_spreadsheet_shows_them(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("industry,revenue\nwholesale,1\nbakery,1\n", encoding="utf-8")
    code, _, err = run("quote-batch", str(source), str(tmp_path / "out.csv"), "--lang", "ja")
    assert code == 2
    assert err.startswith("mamori: 3行目: ")  # the header is row 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("industry;revenue\nwholesale;1\n", "semicolon-separated"),
        ("industry\trevenue\nwholesale\t1\n", "tab-separated"),
        ("業種,年間売上高\nwholesale,1\n", "English name industry"),
        ("industry,revenue\n", "has a header but no rows"),
    ],
)
def test_a_table_in_the_wrong_shape_says_what_to_do(tmp_path: Path, text: str, words: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    code, out, err = run("quote-batch", str(source), str(tmp_path / "out.csv"), "--lang", "en")
    assert (code, out) == (2, "")
    assert words in err


def test_a_utf16_csv_is_named_as_such(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("industry,revenue\nwholesale,1\n", encoding="utf-16")
    code, _, err = run("quote-batch", str(source), str(tmp_path / "out.csv"), "--lang", "en")
    assert code == 2
    assert "UTF-16" in err


def test_a_named_pipe_is_not_called_missing(tmp_path: Path) -> None:
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)
    code, _, err = run("quote-batch", str(fifo), str(tmp_path / "out.csv"), "--lang", "en")
    assert code == 2
    assert "named pipe" in err
    assert "does not exist" not in err


def test_a_book_with_a_header_and_no_rows_says_so(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text(BOOK.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    code, _, err = run("portfolio", "simulate", str(book), str(MODEL), "--years", "10", "--lang", "en")
    assert code == 2
    assert "has a header but no rows" in err


def test_a_truncated_json_lines_line_is_named_once(tmp_path: Path) -> None:
    line = json.dumps(json.loads(CLAIM.read_text(encoding="utf-8")))
    batch = tmp_path / "claims.jsonl"
    batch.write_text(f"{line}\n{line}\n{line[:80]}\n", encoding="utf-8")
    code, _, err = run("claim", "calculate", str(batch), "--lang", "en")
    assert code == 2
    assert err == (
        "mamori: row 3: The JSON ends too early (column 80): a closing bracket or quote is missing, "
        "or the file is cut short.\n"
    )


def test_numbers_in_messages_have_separators() -> None:
    code, _, err = run("portfolio", "simulate", str(BOOK), str(MODEL), "--years", "0", "--lang", "en")
    assert code == 2
    assert "between 1 and 10,000,000" in err


def test_a_number_sent_as_a_string_is_shown_with_its_quotes(monkeypatch: pytest.MonkeyPatch) -> None:
    document = b'{"preset": 1, "records": [{"categories": ["name"], "persons": "8000"}]}'
    code, _, err = run("estimate", "-", "--lang", "en", stdin=document, monkeypatch=monkeypatch)
    assert code == 2
    assert '(got "8000")' in err


# ---------------------------------------------------------------------------------------- values


def test_a_flag_given_nan_is_refused_not_taken_as_absent() -> None:
    code, _, err = run(
        "quote", "--industry", "wholesale", "--revenue", "500000000", "--overseas-share", "NaN", "--lang", "en"
    )
    assert code == 2
    assert "--overseas-share has no value (got NaN)" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("quote", "--industry", "wholesale", "--revenue", "5e8"),
        ("quote", "--industry", "wholesale", "--revenue", "500000000", "--overseas-share", "1e1"),
        ("portfolio", "simulate", str(BOOK), str(MODEL), "--years", "1e3"),
    ],
)
def test_a_number_written_with_an_exponent_is_refused_everywhere(argv: tuple[str, ...]) -> None:
    code, out, err = run(*argv, "--lang", "en")
    assert (code, out) == (2, "")
    assert "must be a" in err


def test_a_json_whole_number_written_with_an_exponent_is_refused_as_in_a_claim(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    document = b'{"preset": 1, "business": {"revenue": 5e8}}'
    code, _, err = run("estimate", "-", "--lang", "en", stdin=document, monkeypatch=monkeypatch)
    assert code == 2
    assert "business.revenue" in err and "whole number" in err
    claim = tmp_path / "claim.json"
    claim.write_text(CLAIM.read_text(encoding="utf-8").replace('"amount": 5000000', '"amount": 5e6'))
    code, _, err = run("claim", "calculate", str(claim), "--lang", "en")
    assert code == 2
    assert "whole number" in err


def test_a_float32_of_12_3_is_read_as_12_3(tmp_path: Path) -> None:
    single, double = tmp_path / "single.parquet", tmp_path / "double.parquet"
    base = {"industry": ["wholesale"], "revenue": [500_000_000], "start": ["2026-04-01"]}
    pq.write_table(pa.table({**base, "overseas_share": pa.array([12.3], pa.float32())}), single)
    pq.write_table(pa.table({**base, "overseas_share": pa.array([12.3], pa.float64())}), double)
    for source in (single, double):
        code, _, err = run("quote-batch", str(source), str(tmp_path / f"{source.stem}-out.parquet"))
        assert code == 0, err
    premiums = [pq.read_table(tmp_path / f"{s}-out.parquet").column("monthly_premium").to_pylist() for s in ("single", "double")]  # fmt: skip
    assert premiums[0] == premiums[1]


def test_an_output_that_is_a_link_to_a_file_writes_the_file(tmp_path: Path) -> None:
    source, real, link = tmp_path / "in.csv", tmp_path / "real.csv", tmp_path / "link.csv"
    source.write_text("industry,revenue\nwholesale,500000000\n", encoding="utf-8")
    real.write_text("old\n", encoding="utf-8")
    link.symlink_to(real)
    code, _, err = run("quote-batch", str(source), str(link))
    assert code == 0, err
    assert link.is_symlink()
    assert pacsv.read_csv(real).column("monthly_premium").to_pylist()[0] is not None


def test_an_output_that_is_a_dangling_link_is_refused(tmp_path: Path) -> None:
    source, link = tmp_path / "in.csv", tmp_path / "link.csv"
    source.write_text("industry,revenue\nwholesale,500000000\n", encoding="utf-8")
    link.symlink_to(tmp_path / "nowhere.csv")
    code, _, err = run("quote-batch", str(source), str(link), "--lang", "en")
    assert code == 2
    assert "symbolic link" in err
    assert not (tmp_path / "nowhere.csv").exists()


def test_a_policy_id_given_twice_is_refused(tmp_path: Path) -> None:
    lines = BOOK.read_text(encoding="utf-8").splitlines()
    book = tmp_path / "book.csv"
    book.write_text("\n".join([lines[0], lines[1], lines[2], lines[1]]) + "\n", encoding="utf-8")
    code, _, err = run("portfolio", "simulate", str(book), str(MODEL), "--years", "10", "--lang", "en")
    assert code == 2
    assert "row 4: policy_id SC-2026-00001 appears more than once (first in row 2)" in err


# ---------------------------------------------------------------------- a terminal without UTF-8


def test_a_terminal_that_cannot_show_japanese_gets_english_not_escapes() -> None:
    done = subprocess.run(
        [*MAMORI, "quote", "--industry", "wholesale", "--revenue", "500000000"],
        capture_output=True,
        env={**ENV, "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"\\u" not in done.stdout
    assert b"Monthly premium" in done.stdout
    done = subprocess.run(
        [*MAMORI, "quote", "--industry", "bakery", "--revenue", "1"],
        capture_output=True,
        env={**ENV, "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert done.returncode == 2
    assert b"\\u" not in done.stderr
    assert b"industry" in done.stderr and b"is not allowed" in done.stderr


def test_the_command_line_loads_numpy_and_pyarrow_only_for_the_commands_that_use_them(tmp_path: Path) -> None:
    # Every run of ``mamori`` pays for what its imports load; a claim or the help needs neither.
    doc = (Path(__file__).parents[1] / "data" / "interface_claim_example.json").read_bytes()
    (tmp_path / "claims.jsonl").write_bytes(json.dumps(json.loads(doc)).encode() + b"\n")
    script = (
        "import io, sys\n"
        "from mamori import cli\n"
        "code = cli.main(sys.argv[1:], stdout=io.StringIO())\n"
        "print(code, 'numpy' in sys.modules, 'pyarrow' in sys.modules)\n"
    )
    runs = {
        "claim": ["claim", "calculate", str(tmp_path / "claims.jsonl"), "--json"],
        "quote": ["quote", "--industry", "wholesale", "--revenue", "100000000", "--json"],
    }
    seen = {
        name: subprocess.run(
            [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True, timeout=120
        ).stdout.split()
        for name, argv in runs.items()
    }
    assert seen["claim"] == ["0", "False", "False"]
    assert seen["quote"][1] == "True"  # rating is vectorised: the quote loads numpy, and that is expected
