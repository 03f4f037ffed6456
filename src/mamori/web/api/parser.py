"""Request bodies read as strict JSON (a key given twice, NaN or Infinity is refused, never last-wins), and
bounded for every route at once: a NUL character in any key or string, or a number beyond what JSON
carries exactly between systems (I-JSON, RFC 7493: a magnitude above 2^53 − 1), is a 422 naming its
path — never a database error. The walk is linear in the document."""

from __future__ import annotations

from typing import Any, Final

from django.http import HttpRequest
from ninja.parser import Parser

from mamori.errors import FieldError, InvalidInput
from mamori.io import jsonio

#: The largest magnitude of a number in a request (I-JSON's exact integers): far above any yen amount.
NUMBER_MAX: Final = 2**53 - 1
#: At most this many problems are listed (a body full of them is answered quickly and briefly).
ERRORS_MAX: Final = 20


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]" if parent != "$" else f"[{key}]"
    return key if parent == "$" else f"{parent}.{key}"


def bounded_problems(document: Any) -> list[FieldError]:
    """NUL characters and out-of-range numbers anywhere in ``document`` (each with its path)."""
    errors: list[FieldError] = []
    stack: list[tuple[str, Any]] = [("$", document)]
    while stack and len(errors) < ERRORS_MAX:
        path, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                errors.append(FieldError(path, "E_NUL", {}))
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int | float):
            if not abs(value) <= NUMBER_MAX:
                errors.append(FieldError(path, "E_NUMBER_RANGE", {"value": value, "maximum": NUMBER_MAX}))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if "\x00" in key:
                    errors.append(FieldError(_path(path, key.replace("\x00", "\\u0000")), "E_NUL", {}))
                    continue
                stack.append((_path(path, key), item))
        elif isinstance(value, list):
            stack.extend((_path(path, i), item) for i, item in reversed(list(enumerate(value))))
    return errors


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        if not request.body:
            return {}
        document = jsonio.loads(request.body)
        errors = bounded_problems(document)
        if errors:
            raise InvalidInput(errors)
        return document
