"""Every class of bad input a hostile review tried on quotes and tables: refused with exit status 2 and a
message naming the field and what is allowed — or read correctly — never a traceback, never partial output."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from mamori import cli

MAMORI = [sys.executable, "-m", "mamori.cli"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def batch(tmp_path: Path, text: str, *extra: str, encoding: str = "utf-8") -> tuple[int, str, str, Path]:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(text.encode(encoding))
    code, out, err = run("quote-batch", str(source), str(target), "--lang", "en", *extra)
    return code, out, err, target


def assert_refused(code: int, out: str, target: Path) -> None:
    assert code == 2
    assert out == ""
    assert not target.exists()
    assert not list(target.parent.glob(".*.part"))


# ------------------------------------------------------------------------ cells and columns


def test_a_template_with_every_column_and_empty_or_null_like_cells_takes_the_defaults(tmp_path: Path) -> None:
    header = "industry,revenue,liability_limit,expense_limit,deductible,security_measures,measures,payment,overseas_share,north_america_share,bi_limit,pd_rider,start,term_months,entity,new_business"
    rows = [
        "wholesale,500000000,,,,,,,,,,,2026-04-01,,,",
        "wholesale,500000000,NULL,N/A,NaN,null,-,#N/A,,,NULL,,2026-04-01,NULL,,NULL",
    ]
    code, _, err, target = batch(tmp_path, "\n".join([header, *rows]) + "\n")
    assert code == 0, err
    assert [r["monthly_premium"] for r in pacsv.read_csv(target).to_pylist()] == [5280, 5280]


def test_a_parquet_column_that_is_entirely_null_takes_the_default(tmp_path: Path) -> None:
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(
        pa.table(
            {
                "industry": ["wholesale"],
                "revenue": [500_000_000],
                "start": ["2026-04-01"],
                "liability_limit": pa.array([None], type=pa.null()),
                "overseas_share": pa.array([float("nan")]),
            }
        ),
        source,
    )
    code, _, err = run("quote-batch", str(source), str(target))
    assert code == 0, err
    assert pq.read_table(target).column("monthly_premium").to_pylist() == [5280]


def test_a_required_cell_that_is_null_like_is_reported_as_missing(tmp_path: Path) -> None:
    code, out, err, target = batch(tmp_path, "industry,revenue\nwholesale,NULL\n")
    assert_refused(code, out, target)
    assert "row 2: revenue (annual revenue) is required" in err  # the row as the file shows it: header is row 1


def test_duplicate_column_names_are_refused(tmp_path: Path) -> None:
    code, out, err, target = batch(tmp_path, "industry,revenue,revenue\nwholesale,1,2\n")
    assert_refused(code, out, target)
    assert "revenue" in err
    assert "more than once" in err


def test_a_nested_parquet_column_is_refused_naming_its_type(tmp_path: Path) -> None:
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(pa.table({"industry": ["wholesale"], "revenue": [{"amount": 1, "unit": "yen"}]}), source)
    code, out, err = run("quote-batch", str(source), str(target), "--lang", "en")
    assert_refused(code, out, target)
    assert "revenue" in err
    assert "struct" in err


def test_a_parquet_list_of_measures_is_read_as_the_items(tmp_path: Path) -> None:
    source, target = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(
        pa.table(
            {
                "industry": ["wholesale", "wholesale"],
                "revenue": [500_000_000] * 2,
                "start": ["2026-04-01"] * 2,
                "measures": [["S01", "S02", "S03", "S04", "S05"], ["S01"]],
            }
        ),
        source,
    )
    assert run("quote-batch", str(source), str(target))[0] == 0
    assert pq.read_table(target).column("monthly_premium").to_pylist()[0] == 5280


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("99999999999999999999", "99999999999999999999"),  # beyond int64: shown as written, never wrapped
        ("1e400", "whole number"),  # beyond float range
        ("500,00", "whole number"),  # never read as 50,000
    ],
)
def test_a_number_beyond_range_or_misformatted_is_refused_as_written(tmp_path: Path, cell: str, words: str) -> None:
    code, out, err, target = batch(tmp_path, f'industry,revenue\nwholesale,"{cell}"\n')
    assert_refused(code, out, target)
    assert words in err
    assert "-" not in err.split("got")[-1]


def test_errors_in_json_mode_are_strict_json_even_for_infinite_values(tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"industry": ["wholesale"], "revenue": [float("inf")]}), source)
    code, _out, err = run("quote-batch", str(source), str(tmp_path / "out.parquet"), "--json")
    assert code == 2
    doc = json.loads(err.splitlines()[0], parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    assert doc["errors"][0]["field"] == "revenue"
    assert doc["errors"][0]["row"] == 1


def test_a_year_9999_start_is_refused_not_overflowed(tmp_path: Path) -> None:
    code, out, err, target = batch(tmp_path, "industry,revenue,start\nwholesale,1,9999-12-31\n")
    assert_refused(code, out, target)
    assert "1900-01-01" in err
    assert "9998-12-31" in err


def test_a_misspelt_column_is_named_with_the_closest_known_one(tmp_path: Path) -> None:
    code, out, err, target = batch(tmp_path, "industry,revenue,liabilty_limit\nwholesale,1,30000000\n")
    assert_refused(code, out, target)
    assert "liabilty_limit" in err
    assert "Did you mean liability_limit?" in err


def test_other_columns_pass_through(tmp_path: Path) -> None:
    code, _, err, target = batch(tmp_path, "customer_id,industry,revenue,notes\nC-1,wholesale,1,要確認\n")
    assert code == 0, err
    assert pacsv.read_csv(target).to_pylist()[0]["notes"] == "要確認"


# ------------------------------------------------------------------------------ encodings


def test_a_shift_jis_csv_from_excel_is_detected_and_read(tmp_path: Path) -> None:
    text = '業種メモ,industry,revenue,start\n卸売（本社）,wholesale,"500,000,000",2026/4/1\n'
    code, _, err, target = batch(tmp_path, text, encoding="cp932")
    assert code == 0, err
    row = pacsv.read_csv(target).to_pylist()[0]
    assert row["業種メモ"] == "卸売（本社）"
    assert row["monthly_premium"] == 5280


def test_the_encoding_can_be_named(tmp_path: Path) -> None:
    code, _, err, _ = batch(tmp_path, "industry,revenue\nwholesale,1\n", "--encoding", "cp932", encoding="cp932")
    assert code == 0, err


def test_a_file_in_no_known_encoding_is_refused_with_the_choices(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(b"industry,revenue\n\xff\xfe\xfa,1\n")
    code, out, err = run("quote-batch", str(source), str(target), "--lang", "en")
    assert_refused(code, out, target)
    assert "--encoding" in err
    assert "cp932" in err


def test_a_utf8_file_read_as_a_named_wrong_encoding_is_refused(tmp_path: Path) -> None:
    code, out, _err, target = batch(
        tmp_path, "industry,revenue,memo\nwholesale,1,\u2014\u301c\n", "--encoding", "euc-jp"
    )
    assert_refused(code, out, target)


# ------------------------------------------------------------------------------ the output


def test_an_output_in_a_missing_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("industry,revenue\nwholesale,1\n", encoding="utf-8")
    code, out, err = run("quote-batch", str(source), str(tmp_path / "nope" / "out.csv"), "--lang", "en")
    assert (code, out) == (2, "")
    assert "does not exist" in err


def test_an_output_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    source, folder = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("industry,revenue\nwholesale,1\n", encoding="utf-8")
    folder.mkdir()
    code, out, err = run("quote-batch", str(source), str(folder), "--lang", "en")
    assert (code, out) == (2, "")
    assert "is a folder" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere: see the full-disk test for a failed write")
def test_an_output_folder_without_write_permission_is_refused(tmp_path: Path) -> None:  # pragma: no cover
    source, locked = tmp_path / "in.csv", tmp_path / "locked"
    source.write_text("industry,revenue\nwholesale,1\n", encoding="utf-8")
    locked.mkdir(mode=0o500)
    code, _, err = run("quote-batch", str(source), str(locked / "out.csv"), "--lang", "en")
    assert code == 2
    assert "permission denied" in err


def test_a_full_disk_leaves_no_partial_file_and_an_existing_output_untouched(tmp_path: Path) -> None:
    # A file-size limit makes every write beyond 4 KiB fail with EFBIG, as a full disk fails with ENOSPC.
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = "".join(f"wholesale,{500_000_000 + i}\n" for i in range(2000))
    source.write_text("industry,revenue\n" + rows, encoding="utf-8")
    target.write_text("previous results\n", encoding="utf-8")
    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096));"
        "from mamori.cli import main; sys.exit(main())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "quote-batch", str(source), str(target), "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LANG": "en_US.UTF-8"},
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "disk is full" in done.stderr
    assert target.read_text(encoding="utf-8") == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_the_output_honours_the_umask(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("industry,revenue\nwholesale,1\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert run("quote-batch", str(source), str(target))[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


# ------------------------------------------------------------------------------ the terminal


def test_a_terminal_that_cannot_show_japanese_gets_escapes_not_a_traceback() -> None:
    done = subprocess.run(
        [*MAMORI, "quote", "--industry", "wholesale", "--revenue", "500000000", "--lang", "ja"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    assert b"5,280" in done.stdout


def test_json_on_a_non_utf8_terminal_is_ascii_escaped_and_parses() -> None:
    done = subprocess.run(
        [*MAMORI, "quote", "--industry", "crypto_assets", "--revenue", "1", "--json", "--lang", "ja"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout.decode("ascii"))
    assert "お引き受けできません" in doc["reasons"][0]["message"]


def test_an_error_on_a_non_utf8_terminal_is_readable() -> None:
    done = subprocess.run(
        [*MAMORI, "quote", "--industry", "bank", "--revenue", "1", "--lang", "ja"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        check=False,
    )
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"industry" in done.stderr


def test_options_may_come_before_the_command() -> None:
    code, out, _ = run("--json", "--lang", "en", "quote", "--industry", "utilities", "--revenue", "1")
    assert code == 0
    assert "underwriter" in json.loads(out)["reasons"][0]["message"]
