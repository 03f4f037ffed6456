"""The one input-error model of Mamori: quotes, tables, claim documents, the CLI and the REST API's 422.

Every problem is a :class:`FieldError`: the field (a name such as ``revenue`` or a document path such
as ``costs[2].amount``), a code of the message catalogue (``messages/*.toml``), the parameters that
fill its Japanese and English texts (the value given, the values allowed, …) and, for a table, the row.
:class:`InvalidInput` carries every problem found; nothing is decided or written when it is raised.
``to_dict`` is one entry of ``{"errors": [...]}``, the body of the API's 422 (interfaces.md §2).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from mamori import i18n

__all__ = ["Denied", "FieldError", "InvalidInput", "NotVisible", "Refused", "json_safe", "shown"]

#: A value shown in a message is cut to this many characters (a pasted document must not flood it).
SHOWN_MAX: Final = 60


def shown(value: Any) -> str:
    """A value as a user wrote it: strings as they are, other values as JSON (``true``, ``null``)."""
    if isinstance(value, str):
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
    return str(value)


class _Blank(dict[str, Any]):
    """Template values: a part a message leaves out (no suggestion, no allowed list) is blank."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input: where, which rule (``code``), and the values that explain it."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    row: int | None = None  # 1-based data row of a table (the header is not counted)
    more: int = 0  # further rows of the same table with the same field and code

    def message(self, lang: i18n.Lang) -> str:
        params: dict[str, Any] = _Blank({k: v for k, v in self.params.items() if k not in ("field", "label")})
        allowed = params.get("allowed")
        if isinstance(allowed, list | tuple):
            params["allowed"] = ", ".join(str(a) for a in allowed)
        if allowed is not None:
            params["allowed_text"] = i18n.text("errors.allowed", lang, allowed=params["allowed"])
        if params.get("suggestion"):
            params["suggestion_text"] = i18n.text("errors.suggestion", lang, suggestion=params["suggestion"])
        if "value" in params:
            params["value"] = shown(params["value"])
        label = i18n.label(self.field, lang)
        if label == self.field:
            params["name"] = self.field
        else:
            params["name"] = f"{label}（{self.field}）" if lang == "ja" else f"{self.field} ({label})"
        params.update(field=self.field, label=label)
        text = i18n.template(self.code, lang).format_map(params)
        if self.row is not None:
            text = i18n.template("E_ROW", lang).format(row=self.row, message=text)
        if self.more:
            text += " " + i18n.template("E_MORE_ROWS", lang).format(count=self.more)
        return text

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

    def messages(self, lang: i18n.Lang) -> list[str]:
        return [e.message(lang) for e in self.errors]

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
