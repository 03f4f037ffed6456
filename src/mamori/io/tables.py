"""Tables in and out: CSV or Parquet read safely, written atomically.

Reading: the format comes from the extension; a CSV's text encoding is UTF-8 (with or without BOM) or
Shift_JIS/cp932 (what Excel writes in Japan), detected or named with ``encoding``; every CSV cell is
read as text, so the caller's rules read ``500,000,000`` and ``NULL`` exactly as they read a CLI value.
Duplicate column names and nested Parquet types (except lists of text) are refused with a message.

Writing: into a new file in the target's folder (created with the umask's permissions), renamed over
the target only when complete; on any failure the target is untouched and the partial file removed.
A target that cannot be written (missing folder, a folder, no permission, a full disk) is an input
error naming the path, found before any work where possible.
"""

from __future__ import annotations

import codecs
import errno
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from mamori.errors import FieldError, InvalidInput

__all__ = ["ENCODINGS", "FORMATS", "check_target", "read_table", "write_table"]

FORMATS: Final = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
#: Encodings a CSV may be read with (``--encoding``); ``auto`` tries UTF-8, then cp932.
ENCODINGS: Final = ("auto", "utf-8", "utf-8-sig", "cp932", "shift_jis", "euc-jp")
_SNIFF: Final = 1 << 20


def _error(field: str, code: str, **params: object) -> InvalidInput:
    return InvalidInput([FieldError(field, code, params)])


def format_of(path: Path, field: str) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise _error(field, "E_FORMAT", path=str(path), allowed=list(FORMATS))
    return fmt


# ------------------------------------------------------------------------------------------ reading


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


def detect_encoding(path: Path) -> str:
    """UTF-8 (a BOM is dropped) when every byte is valid UTF-8, else cp932 (Shift_JIS); else an input error."""
    with path.open("rb") as fh:
        if fh.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    for encoding in ("utf-8", "cp932"):
        if _decodes(path, encoding):
            return encoding
    raise _error("IN", "E_ENCODING", path=str(path), allowed=list(ENCODINGS))


def read_table(path: Path, *, encoding: str = "auto", field: str = "IN") -> pa.Table:
    """Read a CSV (every cell as text) or a Parquet file; refuse duplicate names and unreadable types."""
    fmt = format_of(path, field)
    if not path.is_file():
        problem = "is a folder" if path.is_dir() else "does not exist"
        raise _error(field, "E_FILE", path=str(path), problem=problem)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
        else:
            table = _read_csv(path, encoding, field)
    except (OSError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _error(field, "E_FILE", path=str(path), problem=str(exc).splitlines()[0]) from None
    _check_names(table.column_names)
    return table


def _read_csv(path: Path, encoding: str, field: str) -> pa.Table:
    import pyarrow.csv as pacsv

    if encoding not in ENCODINGS:
        raise _error("encoding", "E_CHOICE", value=encoding, allowed=list(ENCODINGS))
    if encoding == "auto":
        encoding = detect_encoding(path)
    elif not _decodes(path, encoding):
        raise _error(field, "E_ENCODING", path=str(path), allowed=list(ENCODINGS))
    with path.open("rb") as fh:
        names = _header_names(fh.readline(), encoding)
    # Every column as text, nothing turned into a null: the caller's rules read each cell as typed.
    options = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    return pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding=encoding), convert_options=options)


def _header_names(first_line: bytes, encoding: str) -> list[str]:
    import csv
    import io

    text = first_line.decode(encoding).lstrip("\ufeff")
    return next(csv.reader(io.StringIO(text)), [])


def _check_names(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _error(name, "E_COLUMN_DUPLICATE", value=name)
        seen.add(name)


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


READABLE_TYPES: Final = ["integer", "float", "decimal", "boolean", "text", "date", "timestamp", "list of text"]


def check_types(table: pa.Table, columns: Sequence[str]) -> None:
    """Refuse a column of ``columns`` whose type the rules cannot read (a struct, a map, nested lists)."""
    for name in columns:
        if name in table.column_names and not readable(table.schema.field(name).type):
            raise _error(
                name, "E_COLUMN_TYPE", value=name, type=str(table.schema.field(name).type), allowed=READABLE_TYPES
            )


# ------------------------------------------------------------------------------------------ writing


def check_target(path: Path, *, field: str = "OUT") -> None:
    """Refuse a target that cannot be written before any work is done; nothing is created."""
    format_of(path, field)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise _error(field, "E_OUTPUT", path=str(path), problem="is a folder")
    if not parent.is_dir():
        raise _error(field, "E_OUTPUT", path=str(path), problem=f"the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise _error(field, "E_OUTPUT", path=str(path), problem="permission denied")


def _writable_for_csv(table: pa.Table) -> pa.Table:
    """CSV holds text: dictionary columns as their values, lists as text joined by commas."""
    columns = []
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            columns.append(pc.cast(column, kind.value_type))
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            columns.append(pc.binary_join(pc.cast(column, pa.list_(pa.string())), ","))
        else:
            columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def write_table(table: pa.Table, path: Path, *, field: str = "OUT") -> None:
    """Write atomically: a new file in the same folder, renamed over ``path`` only when complete."""
    fmt = format_of(path, field)
    check_target(path, field=field)
    parent = path.parent if str(path.parent) else Path(".")
    tmp = parent / f".{path.name}.{secrets.token_hex(6)}.part"
    try:
        # O_EXCL: never an existing file; mode 0o666 so that the umask decides the permissions.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as sink:
            if fmt == "parquet":
                import pyarrow.parquet as pq

                pq.write_table(table, sink)
            else:
                import pyarrow.csv as pacsv

                pacsv.write_csv(_writable_for_csv(table), sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(tmp, path)
    except (OSError, pa.ArrowException) as exc:
        tmp.unlink(missing_ok=True)
        raise _error(field, "E_OUTPUT", path=str(path), problem=_problem(exc)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _problem(exc: BaseException) -> str:
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return "the disk is full (or the file size limit was reached)"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "No space left" in text or "File too large" in text:
        return "the disk is full (or the file size limit was reached)"
    return text
