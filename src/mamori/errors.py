"""The one input-error model of Mamori: quotes, tables, claim documents, the CLI and the REST API's 422.

Every problem is a :class:`FieldError`: the field (a name such as ``revenue`` or a document path such
as ``costs[2].amount``), a code of the message catalogue (``messages/*.toml``), the parameters that
fill its Japanese and English texts (the value given, the values allowed, …) and, for a table, the row.
:class:`InvalidInput` carries every problem found; nothing is decided or written when it is raised.
``to_dict`` is one entry of ``{"errors": [...]}``, the body of the API's 422 (interfaces.md §2).

What went wrong with a file, a folder or a stream (not found, a folder, the disk full, not a Parquet file)
is a :class:`Problem`: a code of the catalogue's ``[problems]`` and its parameters, worded in the reader's
language when the message is made, so that no library's or system's English reaches a Japanese message.
Numbers in messages are shown with thousands separators; a string from a JSON document is shown with its
quotes (:class:`JsonString`), so that ``"8000"`` is not mistaken for the number 8000.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from mamori import i18n

__all__ = [
    "Denied",
    "FieldError",
    "InvalidInput",
    "JsonString",
    "NotVisible",
    "Problem",
    "Refused",
    "from_json",
    "json_safe",
    "listed",
    "shown",
]

_DIGITS: Final = re.compile(r"^-?\d{1,30}$")
#: A value shown in a message is cut to this many characters (a pasted document must not flood it).
SHOWN_MAX: Final = 60


#: Parameters that are never given thousands separators (a value as written, a position, a code).
_PLAIN: Final = frozenset({"value", "line", "column", "position", "row", "errno", "year", "version", "code"})


class JsonString(str):
    """A string read from a JSON document: shown with its quotes (``"8000"`` is text, not a number)."""

    __slots__ = ()


#: Problems of a value's type: a JSON string given there is shown with its quotes.
_TYPE_CODES: Final = frozenset({"E_INTEGER", "E_NUMBER", "E_BOOLEAN", "E_OBJECT", "E_LIST", "E_DATE", "E_DATETIME"})


def from_json(code: str | None, value: Any) -> Any:
    """A value read from a JSON document, for the params of error ``code``: a string where another type is
    expected is shown with its quotes (``"8000"``), so the reader sees that it was sent as text."""
    if isinstance(value, str) and code in _TYPE_CODES:
        return JsonString(value)
    return value


def shown(value: Any) -> str:
    """A value as a user wrote it: strings as they are (with quotes when from JSON), other values as JSON."""
    if isinstance(value, JsonString):
        text = json.dumps(str(value), ensure_ascii=False)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, Decimal | dt.date | dt.datetime):
        text = str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=True)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


def json_safe(value: Any) -> Any:
    """``value`` made of JSON types only (numbers beyond float range and dates become strings)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)  # a date, a Decimal, a Problem (its English text)


class _Blank(dict[str, Any]):
    """Template values: a part a message leaves out (no suggestion, no allowed list) is blank."""

    def __missing__(self, key: str) -> str:
        return ""


class _Grouped(int):
    """An integer shown with thousands separators, unless its template asks for another format."""

    def __format__(self, spec: str) -> str:
        return int.__format__(self, spec or ",")

    def __str__(self) -> str:
        return f"{self:,}"


def listed(items: Iterable[Any], lang: i18n.Lang) -> str:
    """Values as a list in a message; numbers with separators, so items are parted by 「、」 or "; " when an
    item holds a comma (``0; 100,000; 300,000``), else by ", "."""
    texts = [item.text(lang) if isinstance(item, Problem) else str(_number("allowed", item)) for item in items]
    if not any("," in text for text in texts):
        return ", ".join(texts)
    return ("、" if lang == "ja" else "; ").join(texts)


def _number(key: str, value: Any) -> Any:
    """An integer parameter with thousands separators (``10,000,000``), except positions and values."""
    if isinstance(value, int) and not isinstance(value, bool) and key not in _PLAIN:
        return _Grouped(value)
    return value


#: errno → problem code: what a person can act on, in their language (the system's own text is English).
_OS_PROBLEMS: Final = {
    errno.ENOENT: "P_NOT_FOUND",
    errno.EACCES: "P_PERMISSION",
    errno.EPERM: "P_PERMISSION",
    errno.EROFS: "P_READ_ONLY",
    errno.ENOSPC: "P_DISK_FULL",
    errno.EDQUOT: "P_DISK_FULL",
    errno.EFBIG: "P_DISK_FULL",
    errno.EISDIR: "P_IS_FOLDER",
    errno.ENOTDIR: "P_NOT_A_FOLDER",
    errno.ELOOP: "P_LINK_LOOP",
    errno.ENAMETOOLONG: "P_NAME_TOO_LONG",
    errno.EEXIST: "P_EXISTS",
    errno.EBADF: "P_CLOSED",
    errno.EPIPE: "P_CLOSED",
    errno.EIO: "P_IO",
    errno.EINVAL: "P_INVALID_NAME",
    errno.ENXIO: "P_NO_DEVICE",
    errno.ENODEV: "P_NO_DEVICE",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a file, folder, stream or data file: a ``[problems]`` code of the catalogue and
    the values that fill its texts. ``detail`` is a library's own (English) words: shown in English only."""

    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def text(self, lang: i18n.Lang) -> str:
        template = i18n.problem_template(self.code, lang)
        if template is None:  # not catalogued: a free text (kept readable; a test refuses it in the code)
            return self.code
        params: dict[str, Any] = _Blank(
            {k: v.text(lang) if isinstance(v, Problem) else _number(k, v) for k, v in self.params.items()}
        )
        allowed = params.get("allowed")
        if isinstance(allowed, list | tuple):
            params["allowed"] = listed(allowed, lang)
        if "value" in params:
            params["value"] = literal(params["value"])
        return template.format_map(params)

    def __str__(self) -> str:
        return self.text("en")

    @classmethod
    def of_os_error(cls, exc: OSError) -> Problem:
        """The problem of a failed system call, by its errno (the system's text only as an English detail)."""
        code = _OS_PROBLEMS.get(exc.errno or 0)
        if code is not None:
            return cls(code)
        name = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        return cls("P_SYSTEM", {"errno": name, "detail": exc.strerror or str(exc)})


def literal(value: Any) -> str:
    """A value of a data file as written there: text in quotes, numbers and lists as they are."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return shown(value)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input: where, which rule (``code``), and the values that explain it."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    #: The row of a table as its file shows it (a CSV's header is row 1), or the line of a JSON Lines file.
    row: int | None = None
    more: int = 0  # further rows of the same table with the same field and code

    def message(self, lang: i18n.Lang, *, plain: bool = False) -> str:
        """The message in ``lang``. ``plain`` is for a customer's page: the field by its label only (never its
        internal name such as ``costs[0].amount``) and a whole-number value with thousands separators."""
        params: dict[str, Any] = _Blank(
            {k: _number(k, v) for k, v in self.params.items() if k not in ("field", "label")}
        )
        for key, value in self.params.items():
            if isinstance(value, Problem):
                params[key] = value.text(lang)
        allowed = params.get("allowed")
        if isinstance(allowed, list | tuple):
            params["allowed"] = listed(allowed, lang)
        if allowed is not None:
            params["allowed_text"] = i18n.text("errors.allowed", lang, allowed=params["allowed"])
        if params.get("suggestion"):
            params["suggestion_text"] = i18n.text("errors.suggestion", lang, suggestion=params["suggestion"])
        if "value" in params:
            params["value"] = self._value(params["value"], plain=plain)
        label = i18n.label(self.field, lang)
        params.update(name=self._name(label, lang, plain=plain), field=self.field, label=label)
        text = i18n.template(self.code, lang).format_map(params)
        if plain and text[:1].islower():
            text = text[:1].upper() + text[1:]
        if self.row is not None:
            text = i18n.template("E_ROW", lang).format(row=f"{self.row:,}", message=text)
        if self.more:
            text += " " + i18n.template("E_MORE_ROWS", lang).format(count=f"{self.more:,}")
        return text

    def _value(self, value: Any, *, plain: bool) -> str:
        """The value as given; for a customer a whole number with separators (13300000 → 13,300,000)."""
        raw = self.params.get("value")
        if plain and isinstance(raw, str) and _DIGITS.match(raw.strip()):
            raw = int(raw.strip())
        if plain and isinstance(raw, int) and not isinstance(raw, bool):
            return f"{raw:,}"
        return shown(value)

    def _name(self, label: str, lang: i18n.Lang, *, plain: bool) -> str:
        """The field as a message names it: its label and its name; for a customer the label only."""
        if plain:
            return label if label != self.field else i18n.text("errors.this_field", lang)
        if label == self.field:
            return self.field
        return f"{label}（{self.field}）" if lang == "ja" else f"{self.field} ({label})"

    def to_dict(self, lang: i18n.Lang) -> dict[str, Any]:
        """One entry of the 422 body: ``field``, ``code``, ``message``, ``allowed`` (when known), ``params``."""
        out: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.message(lang)}
        allowed = self.params.get("allowed")
        if allowed is not None:
            out["allowed"] = json_safe(list(allowed) if isinstance(allowed, list | tuple) else [allowed])
        out["params"] = json_safe({k: v for k, v in self.params.items() if k != "allowed"})
        if self.row is not None:
            out["row"] = self.row
            out["more_rows"] = self.more
        return out


class InvalidInput(ValueError):
    """The input cannot be used. Nothing was decided and nothing is written."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        if not self.errors:
            raise ValueError("InvalidInput needs at least one FieldError")
        super().__init__("; ".join(e.message("en") for e in self.errors))

    def messages(self, lang: i18n.Lang, *, plain: bool = False) -> list[str]:
        return [e.message(lang, plain=plain) for e in self.errors]

    def to_dict(self, lang: i18n.Lang) -> dict[str, Any]:
        """The body of the API's 422 and of ``--json`` errors on stderr: ``{"errors": [...]}``."""
        return {"errors": [e.to_dict(lang) for e in self.errors]}


class Refused(Exception):
    """The object's state (or a rule about what it already holds) does not allow the action: the API's 409.

    Nothing was decided and nothing is written. ``error`` is one :class:`FieldError` of the one model.
    """

    def __init__(self, field: str, code: str, **params: Any) -> None:
        self.error = FieldError(field, code, params)
        super().__init__(f"{field}: {code}")


class Denied(Exception):
    """The caller's role may never take this action, or a rule about who acts forbids it (the requester
    approving their own payment): the API's 403. Nothing was decided."""

    def __init__(self, code: str = "E_FORBIDDEN", **params: Any) -> None:
        self.error = FieldError("$", code, params)
        super().__init__(code)


class NotVisible(Exception):
    """Nothing the caller may see answers to this: the API's 404, whether or not it exists."""

    def __init__(self) -> None:
        self.error = FieldError("$", "E_NOT_FOUND")
        super().__init__("E_NOT_FOUND")
