"""Strict JSON input: one document, or JSON Lines (one document per line).

JSON as the standards say and nothing more: a key given twice in one object is refused (most parsers,
pydantic's included, silently keep the last one, so a corrected amount written below the original
would change what is paid), ``NaN`` and ``Infinity`` are refused, the text must be UTF-8 (a leading
byte-order mark is tolerated). Every problem is an :class:`~mamori.errors.InvalidInput` whose
:class:`~mamori.errors.FieldError` names the line and column, or the path of the duplicated key, with
a catalogued ja/en message; the parser's own English never reaches a user (it is kept in ``params``).

The check costs one parse by jiter (the parser pydantic itself uses); a schema then validates the same
bytes in its compiled JSON mode (:mod:`mamori.claims.document`).

Output: :func:`dumps` is the one JSON encoder of machine output (the command line's answers and errors).
Strict (no NaN or Infinity: a non-finite number is a bug upstream and raises), never failing on an integer
beyond 64 bits (written exactly, as JSON allows), and safe on a terminal: besides the control characters
JSON always escapes, C1 controls and bidirectional overrides are written as ``\\uXXXX`` escapes — the same
data for a JSON reader, inert for a terminal.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

import jiter
import orjson

from mamori.errors import FieldError, InvalidInput, Problem

__all__ = [
    "BOM",
    "ROOT",
    "JsonInput",
    "check",
    "dumps",
    "dumps_bytes",
    "encode",
    "is_complete_value",
    "loads",
    "problems",
    "read_input",
]

#: The field of a problem of the whole document (not of one of its keys).
ROOT: Final = "$"
BOM: Final = b"\xef\xbb\xbf"
_POSITION: Final = re.compile(r"^(?P<problem>.*) at line (?P<line>\d+) column (?P<column>\d+)$", re.DOTALL)
_DUPLICATE: Final = re.compile(r'^Detected duplicate key "(?P<key>.*)"$', re.DOTALL)
_NOT_A_NUMBER: Final = re.compile(rb"-?(?:NaN|Infinity)")


def loads(data: bytes) -> Any:
    """Parse one JSON document strictly into Python values; InvalidInput listing what is wrong."""
    try:
        return jiter.from_json(data.removeprefix(BOM), allow_inf_nan=False, catch_duplicate_keys=True)
    except ValueError as exc:
        raise InvalidInput(problems(data, str(exc))) from None


def check(data: bytes) -> None:
    """Refuse what a lenient parser would accept (duplicate keys, NaN, Infinity) and malformed JSON."""
    loads(data)


def encode(value: Any) -> bytes:
    """Strict JSON text of a value built in Python (a mapping a caller parsed itself): JSON types only,
    no NaN or Infinity; InvalidInput otherwise."""
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError) as exc:
        raise InvalidInput([FieldError(ROOT, "E_JSON_VALUE", {"value": str(exc)})]) from None


#: Characters a terminal may act on that JSON encoders leave as they are: C1 controls (U+0080–U+009F,
#: ``\\u009b`` is a CSI) and the bidirectional overrides and isolates that reorder what is shown.
_TERMINAL_UNSAFE: Final = re.compile("[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps(value: Any, *, pretty: bool = False, ascii_only: bool = False) -> str:
    """The JSON text of ``value`` (see the module's notes): strict, exact for any integer, terminal-safe."""
    try:
        if ascii_only:
            raise TypeError  # the standard library escapes every non-ASCII character
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0).decode()
    except TypeError:  # an integer beyond 64 bits (or ASCII asked for): the standard library writes it exactly
        text = json.dumps(
            value,
            ensure_ascii=ascii_only,
            allow_nan=False,
            indent=2 if pretty else None,
            separators=None if pretty else (",", ":"),
            default=_refuse,
        )
    return _TERMINAL_UNSAFE.sub(_escape, text)


def dumps_bytes(value: Any, *, pretty: bool = False, ascii_only: bool = False) -> bytes:
    """:func:`dumps` as UTF-8 bytes."""
    return dumps(value, pretty=pretty, ascii_only=ascii_only).encode()


def _refuse(value: Any) -> Any:
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def is_complete_value(line: bytes) -> bool:
    """Whether ``line`` is one complete JSON value on its own (how a JSON Lines file is recognised)."""
    try:
        jiter.from_json(line.removeprefix(BOM), allow_inf_nan=False)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------ problems


def problems(data: bytes, message: str) -> list[FieldError]:
    """The problems of ``data``, which the parser refused with ``message`` (the error path only)."""
    text = data.removeprefix(BOM)
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(data) - len(text))
        return [FieldError(ROOT, "E_JSON_ENCODING", {"position": offset + 1, "problem": str(exc)})]
    if not text.strip():
        return [FieldError(ROOT, "E_JSON_EMPTY", {})]
    where = _POSITION.match(message)
    problem = where["problem"] if where else message
    if _DUPLICATE.match(problem):
        found = _duplicates(text)
        if found:
            return found
    line, column = (int(where["line"]), int(where["column"])) if where else (0, 0)
    column = _char_column(text, line, column)
    params: dict[str, Any] = {"line": line, "column": column, "problem": problem}
    if where:
        params["at"] = Problem("P_POSITION", {"line": line, "column": column})
    duplicate = _DUPLICATE.match(problem)
    if duplicate:  # the standard library could not find it again (another syntax error came first)
        return [FieldError(duplicate["key"], "E_DUPLICATE_KEY", params)]
    if problem.startswith("EOF while parsing"):
        code = "E_JSON_EOF"
    elif problem.startswith("trailing characters"):
        code = "E_JSON_TRAILING"
    elif problem in ("expected value", "invalid number") and _at_not_a_number(text, line, column):
        code = "E_JSON_NAN"
    else:
        code = "E_JSON_SYNTAX"
    return [FieldError(ROOT, code, params)]


def _line_of(text: bytes, line: int) -> bytes:
    lines = text.split(b"\n")
    return lines[line - 1] if 0 < line <= len(lines) else b""


def _char_column(text: bytes, line: int, column: int) -> int:
    """The parser counts bytes; a reader counts characters (a Japanese character is three bytes)."""
    before = _line_of(text, line)[: max(column - 1, 0)]
    return len(before.decode("utf-8", "replace")) + 1


def _at_not_a_number(text: bytes, line: int, column: int) -> bool:
    row = _line_of(text, line)
    # "NaN" is reported at its first byte, "-Infinity" at the "I" after the minus sign.
    return any(_NOT_A_NUMBER.match(row, start) for start in (column - 1, column - 2) if start >= 0)


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys given more than once, and the values they replaced (a
    duplicate may hide another one deeper down)."""

    __slots__ = ("duplicates", "replaced")

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.duplicates: list[str] = []
        self.replaced: list[tuple[str, Any]] = []
        for key, value in pairs:
            if key in self:
                if key not in self.duplicates:
                    self.duplicates.append(key)
                self.replaced.append((key, self[key]))
            self[key] = value


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def _duplicates(text: bytes) -> list[FieldError]:
    """Every key given twice, by its path (``costs[1].amount``); the error path only."""
    try:
        tree = json.loads(text, object_pairs_hook=_Object, parse_constant=_refuse_constant)
    except ValueError:
        return []
    found: list[FieldError] = []
    stack: list[tuple[str, Any]] = [("", tree)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, _Object):
            found.extend(FieldError(_join(path, key), "E_DUPLICATE_KEY", {"key": key}) for key in node.duplicates)
            children = [*node.replaced, *node.items()]
            stack.extend((_join(path, key), value) for key, value in reversed(children))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", value) for i, value in reversed(list(enumerate(node))))
    return found


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ------------------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class JsonInput:
    """What a file holds: one JSON ``document``, or JSON Lines ``lines`` (each line, blank lines included,
    so that enumerating them from 1 gives the line numbers)."""

    document: bytes | None = None
    lines: Iterator[bytes] | None = None


def read_input(stream: IO[bytes], *, lines: bool | None = None) -> JsonInput:
    """Read one JSON document, or recognise JSON Lines and return its lines lazily.

    ``lines=True`` (a ``.jsonl`` name) reads JSON Lines; ``None`` recognises them: the first non-blank
    line is a complete JSON value and another non-blank line follows. A document written over several
    lines (pretty-printed) is one document. Only the first lines are read here; the rest stream.
    """
    if lines:
        return JsonInput(lines=_strip_bom(iter(stream)))
    if lines is False:
        return JsonInput(document=stream.read())
    head: list[bytes] = []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    if not head or not is_complete_value(head[-1]):
        return JsonInput(document=b"".join(head) + stream.read())
    for line in stream:
        head.append(line)
        if line.strip():
            return JsonInput(lines=_strip_bom(itertools.chain(head, stream)))
    return JsonInput(document=b"".join(head))


def _strip_bom(lines: Iterator[bytes]) -> Iterator[bytes]:
    first = next(lines, None)
    if first is None:
        return
    yield first.removeprefix(BOM)
    yield from lines
