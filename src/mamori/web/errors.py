"""Errors of the web layer's services, answered the same way by pages and by the API.

Input errors are the core's :class:`mamori.errors.InvalidInput` (422); these add the other answers of
interfaces.md §2: a state that does not allow the action (409), what the caller may not see (404, whether
or not it exists) and an action the caller's role may not take (403).
"""

from __future__ import annotations

from typing import Any

from mamori.errors import FieldError


class NotFound(Exception):
    """Nothing the caller may see answers to this (404)."""


class Forbidden(Exception):
    """The caller may see this but not do that (403)."""

    def __init__(self, code: str = "E_FORBIDDEN", **params: Any) -> None:
        self.error = FieldError("$", code, params)
        super().__init__(code)


class Conflict(Exception):
    """The object's state does not allow the action (409), with the error of the one model."""

    def __init__(self, field: str, code: str, **params: Any) -> None:
        self.error = FieldError(field, code, params)
        super().__init__(f"{field}: {code}")
