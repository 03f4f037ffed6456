"""The safe streams of every command (:mod:`mamori.cli.streams`) and where commands write
(:mod:`mamori.io.outputs`): terminal escapes neutralised, failures of the streams and of the disk handled
once for every command."""

from __future__ import annotations

import errno
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from mamori.cli import streams
from mamori.errors import InvalidInput
from mamori.io import jsonio, outputs, tables


class Failing(io.StringIO):
    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    def write(self, text: str) -> int:
        raise OSError(self.code, os.strerror(self.code))


# ----------------------------------------------------------------------------- neutralising


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain 日本語\tand tabs\n", "plain 日本語\tand tabs\n"),
        ("\x1b[31mred\x1b[0m", "\\u001b[31mred\\u001b[0m"),
        ("title\x1b]0;owned\x07", "title\\u001b]0;owned\\u0007"),
        ("csi\u009b2J", "csi\\u009b2J"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("back\rspace\x08", "back\\u000dspace\\u0008"),
    ],
)
def test_text_for_a_terminal_is_neutralised_and_the_bytes_path_agrees(text: str, shown: str) -> None:
    assert streams.neutralise(text) == shown
    assert streams.neutralise_bytes(text.encode()) == shown.encode()


def test_neutralised_json_is_still_the_same_json() -> None:
    value = {"id": "c1\x1b[2J\u009b\u202e\x7f"}
    text = streams.neutralise(jsonio.dumps(value))
    assert json.loads(text) == value


def test_the_json_encoder_writes_any_integer_exactly_and_never_a_raw_c1_control() -> None:
    document = {"value": 2**64, "id": "\u009bx\u202e", "ja": "日本"}
    for ascii_only in (False, True):
        text = jsonio.dumps(document, ascii_only=ascii_only)
        assert json.loads(text) == document
        assert "\u009b" not in text and "\u202e" not in text
    assert jsonio.dumps({"ja": "日本"}) == '{"ja":"日本"}'


# ----------------------------------------------------------------------------------- output


def test_standard_output_that_fails_ends_the_run_with_the_problem() -> None:
    out = streams.Output(Failing(errno.ENOSPC), name="stdout", required=True)
    with pytest.raises(streams.OutputFailed) as caught:
        out.write("answer\n")
    assert caught.value.problem.code == "P_DISK_FULL"


def test_a_closed_standard_output_is_a_failure_not_an_attribute_error() -> None:
    out = streams.Output(None, name="stdout", required=True)
    with pytest.raises(streams.OutputFailed) as caught:
        out.write("answer\n")
    assert caught.value.problem.code == "P_CLOSED"


def test_standard_error_that_fails_is_ignored() -> None:
    err = streams.Output(Failing(errno.EBADF), name="stderr", required=False)
    err.write("mamori: a problem\n")
    err.write("mamori: another\n")
    err.flush()
    assert err.failed is not None


def test_a_progress_bar_may_return_the_carriage_but_text_may_not() -> None:
    sink = io.StringIO()
    err = streams.Output(sink, name="stderr", required=False)
    err.write_control("\r")
    err.write("50%\r")
    assert sink.getvalue() == "\r50%\\u000d"


def test_a_terminal_without_japanese_is_known_and_shows_look_alikes() -> None:
    raw = io.BytesIO()
    ascii_terminal = io.TextIOWrapper(raw, encoding="ascii")
    assert not streams.can_show_japanese(ascii_terminal)
    assert streams.can_show_japanese(io.TextIOWrapper(io.BytesIO(), encoding="cp932"))
    out = streams.Output(ascii_terminal, name="stdout", required=True)
    out.write("2026-04-01 – 2027-04-01 × 3…\n")
    out.flush()
    assert raw.getvalue() == b"2026-04-01 - 2027-04-01 x 3...\n"


# ------------------------------------------------------------------------------------ input


def test_a_dash_with_standard_input_closed_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InvalidInput) as caught:
        streams.read_bytes("-", field="FILE")
    assert caught.value.errors[0].code == "E_STDIN_CLOSED"


def test_a_file_that_cannot_be_read_names_the_problem_in_each_language(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        streams.read_bytes(str(tmp_path), field="FILE")
    error = caught.value.errors[0]
    assert error.message("en") == f"Cannot read the file {tmp_path}: is a folder"
    assert error.message("ja") == f"ファイル {tmp_path} を読み込めません: ファイルではなくフォルダーです"


def test_a_failure_while_reading_is_an_input_error() -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError(errno.EIO, "Input/output error")

    reader: Any = streams._Reading(Broken(), "FILE", "claims.jsonl")
    with pytest.raises(InvalidInput) as caught:
        reader.read()
    assert caught.value.errors[0].params["problem"].code == "P_IO"


# ---------------------------------------------------------------------------------- outputs


def test_a_folder_is_checked_by_making_it_and_nothing_is_left(tmp_path: Path) -> None:
    target = tmp_path / "new"
    assert outputs.check_folder(target) == target
    assert not target.exists()


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: (p / "file").write_text("x"), "P_FILE_NOT_FOLDER"),
        (lambda p: (p / "file").symlink_to(p / "nowhere" / "deeper"), "P_DANGLING_LINK"),
    ],
)
def test_a_folder_that_cannot_be_one_is_refused_with_its_problem(tmp_path: Path, make: Any, code: str) -> None:
    make(tmp_path)
    with pytest.raises(InvalidInput) as caught:
        outputs.check_folder(tmp_path / "file", field="out")
    assert caught.value.errors[0].params["problem"].code == code


def test_a_folder_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        outputs.check_folder(tmp_path / "no" / "out")
    assert caught.value.errors[0].params["problem"].code == "P_FOLDER_MISSING"


def test_the_files_of_a_run_are_all_written_or_none_and_a_new_folder_goes_with_them(tmp_path: Path) -> None:
    out = tmp_path / "out"

    def full(sink: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def run() -> None:
        with outputs.FolderWriter(out) as folder:
            folder.write_bytes("a.json", b"{}")
            folder.write("b.png", full)

    with pytest.raises(InvalidInput):
        run()
    assert not out.exists()
    with outputs.FolderWriter(out) as folder:
        folder.write_bytes("a.json", b"{}")
        assert sorted(p.name for p in out.iterdir())[0].startswith(".a.json.")  # not in place before the end
    assert sorted(p.name for p in out.iterdir()) == ["a.json"]


def test_an_existing_folder_keeps_what_it_held_when_a_run_fails(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")

    def run() -> None:
        with outputs.FolderWriter(tmp_path) as folder:
            folder.write_bytes("a.json", b"{}")
            raise RuntimeError("the run stopped")

    with pytest.raises(RuntimeError):
        run()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_cell_a_spreadsheet_would_run_is_neutralised_and_a_number_is_not() -> None:
    assert [
        tables.neutralise_formula(c) for c in ["=1+1", "+A1", "-cmd", "@x", "\tx", "-5", "+1,000", "-1.5e3", "a"]
    ] == [
        "'=1+1",
        "'+A1",
        "'-cmd",
        "'@x",
        "'\tx",
        "-5",
        "+1,000",
        "-1.5e3",
        "a",
    ]
