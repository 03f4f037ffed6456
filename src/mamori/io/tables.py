"""Tables in and out: CSV or Parquet read safely, written atomically.

Reading: the format comes from the extension; a CSV's text encoding is UTF-8 (with or without BOM),
Shift_JIS/cp932 (what Excel writes in Japan) or EUC-JP, detected only when certain — bytes that read as both
Shift_JIS and EUC-JP are refused, naming ``--encoding`` — or named with ``encoding``; a UTF-16 file, a tab- or
semicolon-separated one and a row with too many or too few cells are refused with what to do. Every CSV cell
is read as text, so the caller's rules read ``500,000,000`` and ``NULL`` exactly as they read a CLI value.
Parquet values are made readable for those rules: a ``float32`` 12.3 is 12.3 (not 12.300000190734863), a
timestamp in nanoseconds is cut to microseconds, a date beyond what Python represents (year 10000) becomes
its text, which the date rule refuses. Duplicate column names and nested types (except lists of text) are
refused with a message. A table with a header and no rows is refused as such.

Writing (:func:`write_table`): through :mod:`mamori.io.outputs` — checked before any work, a new file renamed
over the target only when complete, nothing left on failure. A CSV is written for spreadsheets: a text cell
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return first) is
written with a leading ``'`` (:func:`neutralise_formula`); numbers stay numbers. Columns CSV cannot hold
(a struct, a map, nested lists) are written as JSON text.

Row numbers in messages (:func:`rows_as_in_file`) are the rows as the file shows them: a CSV's header is
row 1, so its first data row is row 2; a Parquet file's first row is row 1.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import io
import json
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Final

import pyarrow as pa
import pyarrow.compute as pc

from mamori import i18n
from mamori.errors import FieldError, InvalidInput, Problem
from mamori.io import outputs
from mamori.io.outputs import ENCODINGS

__all__ = [
    "ENCODINGS",
    "FORMATS",
    "check_english_names",
    "check_target",
    "check_types",
    "neutralise_formula",
    "read_table",
    "rows_as_in_file",
    "write_into",
    "write_table",
]

FORMATS: Final = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
#: Encodings a CSV may be read with (``--encoding``); ``auto`` tries UTF-8, then Shift_JIS and EUC-JP.
_SNIFF: Final = 1 << 20
#: A CSV cell a spreadsheet would run as a formula starts with one of these.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
#: A number as a spreadsheet shows it (``-5``, ``+1.5``, ``-1,000``): not a formula, left as it is.
_NUMBER: Final = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?%?$")


def _error(field: str, code: str, **params: object) -> InvalidInput:
    return InvalidInput([FieldError(field, code, params)])


def _unreadable(field: str, path: Path, problem: Problem) -> InvalidInput:
    return _error(field, "E_FILE", path=str(path), problem=problem)


def format_of(path: Path, field: str) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise _error(field, "E_FORMAT", path=str(path), allowed=list(FORMATS))
    return fmt


# ------------------------------------------------------------------------------------------ reading


def _check_readable(path: Path, field: str) -> None:
    """A regular, non-empty file; otherwise what it is (missing, a folder, a named pipe, a dangling link)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        dangling = path.is_symlink()
        target = str(path.readlink()) if dangling else ""
        problem = Problem("P_DANGLING_LINK", {"target": target}) if dangling else Problem("P_NOT_FOUND")
        raise _unreadable(field, path, problem) from None
    except OSError as exc:
        raise _unreadable(field, path, Problem.of_os_error(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise _unreadable(field, path, Problem("P_IS_FOLDER"))
    if stat.S_ISFIFO(info.st_mode):
        raise _unreadable(field, path, Problem("P_FIFO"))
    if not stat.S_ISREG(info.st_mode):
        raise _unreadable(field, path, Problem("P_SPECIAL"))
    if info.st_size == 0:
        raise _unreadable(field, path, Problem("P_EMPTY_FILE"))


def _decodes(path: Path, encoding: str) -> bool:
    """Every byte of the file is valid text in ``encoding`` (read in blocks)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as fh:
            while block := fh.read(_SNIFF):
                decoder.decode(block, final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _is_utf16(head: bytes) -> bool:
    """A UTF-16 byte-order mark, or the zero bytes that UTF-16 puts in every ASCII character."""
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[:200].count(b"\x00") > 4


def detect_encoding(path: Path, field: str = "IN") -> str:
    """UTF-8 (a BOM is dropped) when every byte is valid UTF-8; else Shift_JIS (cp932) or EUC-JP when the file
    is valid in exactly one of them; else an input error naming ``--encoding``."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _is_utf16(head):
        raise _error(field, "E_ENCODING_UTF16", path=str(path))
    if _decodes(path, "utf-8"):
        return "utf-8"
    fits = [encoding for encoding in ("cp932", "euc-jp") if _decodes(path, encoding)]
    if len(fits) == 1:
        return fits[0]
    code = "E_ENCODING_AMBIGUOUS" if fits else "E_ENCODING"
    raise _error(field, code, path=str(path), allowed=list(ENCODINGS))


def read_table(path: Path, *, encoding: str = "auto", field: str = "IN") -> pa.Table:
    """Read a CSV (every cell as text) or a Parquet file; refuse duplicate names and unreadable types."""
    fmt = format_of(path, field)
    _check_readable(path, field)
    try:
        table = _read_parquet(path, field) if fmt == "parquet" else _read_csv(path, encoding, field)
    except OSError as exc:
        raise _unreadable(field, path, Problem.of_os_error(exc)) from None
    _check_names(table.column_names)
    if table.num_rows == 0:
        raise _error(field, "E_TABLE_EMPTY", path=str(path))
    return _readable_values(table)


def _read_parquet(path: Path, field: str) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        text = str(exc)
        if "magic bytes" in text or "file size is 0" in text:
            raise _unreadable(field, path, Problem("P_NOT_PARQUET")) from None
        raise _unreadable(field, path, Problem("P_PARQUET", {"detail": text.splitlines()[0]})) from None


def _read_csv(path: Path, encoding: str, field: str) -> pa.Table:
    import pyarrow.csv as pacsv

    if encoding not in ENCODINGS:
        raise _error("encoding", "E_CHOICE", value=encoding, allowed=list(ENCODINGS))
    if encoding == "auto":
        encoding = detect_encoding(path, field)
    elif not _decodes(path, encoding):
        raise _error(field, "E_ENCODING", path=str(path), allowed=list(ENCODINGS))
    with path.open("rb") as fh:
        first = fh.readline().decode(encoding).lstrip("\ufeff")
    names = _header_names(first)
    if len(names) <= 1:
        for separator, code in (("\t", "E_DELIMITER_TAB"), (";", "E_DELIMITER_SEMICOLON")):
            if separator in first:
                raise _error(field, code, path=str(path))
    # Every column as text, nothing turned into a null: the caller's rules read each cell as typed.
    options = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        return pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding=encoding), convert_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _csv_problem(path, encoding, field, str(exc)) from None


def _csv_problem(path: Path, encoding: str, field: str, detail: str) -> InvalidInput:
    """The row whose cells do not match the header (as the file shows it), else what the reader said."""
    with path.open(encoding=encoding, newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows, [])
        for number, row in enumerate(rows, start=2):
            if row and len(row) != len(header):
                return _error(field, "E_CSV_CELLS", row=number, count=len(row), columns=len(header))
    return _unreadable(field, path, Problem("P_CSV", {"detail": detail.splitlines()[0]}))


def _header_names(first_line: str) -> list[str]:
    return next(csv.reader(io.StringIO(first_line)), [])


def _check_names(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _error(name, "E_COLUMN_DUPLICATE", value=name)
        seen.add(name)


def _readable_values(table: pa.Table) -> pa.Table:
    """Parquet values the rules can read exactly (see the module's notes); CSV columns are text already."""
    for i, column_field in enumerate(table.schema):
        kind = column_field.type
        column = table.column(i)
        if pa.types.is_float32(kind) or pa.types.is_float16(kind):
            # The shortest text of the single-precision value, read back as a double: 12.3 stays 12.3.
            column = pc.cast(pc.cast(column, pa.string()), pa.float64())
        elif pa.types.is_timestamp(kind) and kind.unit == "ns":
            column = pc.cast(column, pa.timestamp("us", kind.tz), safe=False)
        if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
            column = _dates_python_can_hold(column)
        if column is not table.column(i):
            table = table.set_column(i, column_field.name, column)
    return table


def _dates_python_can_hold(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A date column with a year outside 1..9999 becomes its ISO text (then refused by the date rule)."""
    years = pc.year(column)
    outside = pc.or_(pc.less(years, 1), pc.greater(years, 9999))
    if not pc.any(outside).as_py():
        return column
    stamps = column if pa.types.is_timestamp(column.type) else pc.cast(column, pa.timestamp("s"))
    text_format = "%Y-%m-%d" if pa.types.is_date(column.type) else "%Y-%m-%dT%H:%M:%S"
    return pc.strftime(stamps, format=text_format)


#: Column types a caller's rules can read (a list of texts is a list of measures, say).
def readable(kind: pa.DataType) -> bool:
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return bool(pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type))
    if pa.types.is_dictionary(kind):
        return readable(kind.value_type)
    return bool(
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_date(kind)
        or pa.types.is_timestamp(kind)
        or pa.types.is_null(kind)
    )


#: The types a rule reads, as a reader knows them (``[problems]`` P_TYPE_*: 整数, text, …).
READABLE_TYPES: Final = tuple(
    Problem(f"P_TYPE_{kind}")
    for kind in ("INTEGER", "FLOAT", "DECIMAL", "BOOLEAN", "TEXT", "DATE", "TIMESTAMP", "TEXT_LIST")
)


def check_types(table: pa.Table, columns: Sequence[str]) -> None:
    """Refuse a column of ``columns`` whose type the rules cannot read (a struct, a map, nested lists)."""
    for name in columns:
        if name in table.column_names and not readable(table.schema.field(name).type):
            raise _error(
                name, "E_COLUMN_TYPE", value=name, type=str(table.schema.field(name).type), allowed=list(READABLE_TYPES)
            )


def _squashed(text: str) -> str:
    return re.sub(r"[\s（）()]", "", unicodedata.normalize("NFKC", text))


def check_english_names(names: Sequence[str], known: Sequence[str]) -> None:
    """Refuse a column named with the Japanese label of a known column (``業種`` for ``industry``), naming
    the English name to use: columns are named like the command's options."""
    labels = {_squashed(i18n.label(name, "ja")): name for name in known if i18n.label(name, "ja") != name}
    found = []
    for name in names:
        english = labels.get(_squashed(name))
        if english is not None and name not in known:
            found.append(FieldError(name, "E_COLUMN_JAPANESE", {"value": name, "suggestion": english}))
    if found:
        raise InvalidInput(found)


@contextlib.contextmanager
def rows_as_in_file(path: Path) -> Iterator[None]:
    """Inside, an InvalidInput's rows (first data row = 1) are renumbered as the file shows them: a CSV's
    header is row 1, so its data rows start at 2."""
    try:
        yield
    except InvalidInput as exc:
        if FORMATS.get(path.suffix.lower()) != "csv" or all(e.row is None for e in exc.errors):
            raise
        shifted = [e if e.row is None else _one_down(e) for e in exc.errors]
        raise InvalidInput(shifted) from None


def _one_down(error: FieldError) -> FieldError:
    """The error with its row (and a ``first_row`` it refers to) one further down: below the header."""
    params = dict(error.params)
    if isinstance(params.get("first_row"), int):
        params["first_row"] += 1
    return dataclasses.replace(error, row=(error.row or 0) + 1, params=params)


# ------------------------------------------------------------------------------------------ writing


def check_target(path: Path, *, field: str = "OUT") -> None:
    """Refuse a target that cannot be written before any work is done; nothing is created."""
    format_of(path, field)
    outputs.check_file(path, field=field)


def neutralise_formula(text: str) -> str:
    """A text cell as a spreadsheet will not run it: ``'`` before a leading ``=``, ``+``, ``-``, ``@``, tab or
    carriage return (OWASP's advice for CSV injection); a number (``-5``, ``+1,000``) stays as it is."""
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def _as_json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.hex()
    return json.dumps(value, ensure_ascii=False, default=str)


def _text_column(column: pa.ChunkedArray) -> pa.Array:
    values = column.to_pylist()
    return pa.array([None if v is None else neutralise_formula(v) for v in values], type=pa.string())


def _writable_for_csv(table: pa.Table) -> pa.Table:
    """CSV holds text: dictionary columns as their values, lists as text joined by commas, nested values as
    JSON text; text cells neutralised for spreadsheets."""
    columns = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = pc.cast(column, kind.value_type)  # noqa: PLW2901 - the column, made writable
            kind = column.type
        if (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and readable(kind):
            column = pc.binary_join(pc.cast(column, pa.list_(pa.string())), ",")  # noqa: PLW2901
            kind = column.type
        if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            columns.append(pa.array([_as_json_text(v) for v in column.to_pylist()], type=pa.string()))
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            formulas = pc.starts_with(column, _FORMULA_START[0])
            for start in _FORMULA_START[1:]:
                formulas = pc.or_(formulas, pc.starts_with(column, start))
            columns.append(_text_column(column) if pc.any(formulas).as_py() else column)
        else:
            columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _writer(table: pa.Table, fmt: str) -> Callable[[IO[bytes]], None]:
    """What writes ``table`` as ``fmt`` to a binary file; a failed write is the OSError it is."""

    def write(sink: IO[bytes]) -> None:
        try:
            if fmt == "parquet":
                import pyarrow.parquet as pq

                pq.write_table(table, sink)
            else:
                import pyarrow.csv as pacsv

                pacsv.write_csv(_writable_for_csv(table), sink)
        except pa.ArrowException as exc:
            if isinstance(exc, OSError):
                raise
            raise OSError(_arrow_errno(exc), str(exc)) from None

    return write


def write_table(table: pa.Table, path: Path, *, field: str = "OUT") -> None:
    """Write atomically: a new file in the same folder, renamed over ``path`` only when complete."""
    outputs.write_file(path, _writer(table, format_of(path, field)), field=field)


def write_into(folder: outputs.FolderWriter, name: str, table: pa.Table) -> str:
    """Write ``table`` as the file ``name`` (CSV or Parquet by its extension) of a run's output folder."""
    return folder.write(name, _writer(table, format_of(Path(name), folder.field)))


def _arrow_errno(exc: BaseException) -> int:
    """Arrow reports a failed write as its own error: the errno its text names (a full disk, mostly)."""
    import errno

    text = str(exc)
    if "No space left" in text or "File too large" in text:
        return errno.ENOSPC
    if "Permission denied" in text:
        return errno.EACCES
    return errno.EIO
