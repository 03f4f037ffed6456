"""The named errors of policy administration, each with a code.

Input problems are :class:`~mamori.errors.InvalidInput` (the API's 422) with a code of the message
catalogue; an action the policy's or the application's state does not allow is :class:`IllegalTransition`
(the API's 409). Nothing is decided or changed when either is raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

from mamori import money
from mamori.errors import FieldError, InvalidInput

__all__ = [
    "E_ILLEGAL_TRANSITION",
    "EffectiveDateOutsideTerm",
    "IllegalTransition",
    "InvalidAmount",
    "InvalidDate",
    "NaiveDateTime",
    "TransitionTableError",
    "UnknownPaymentMethod",
]

#: Code of an action the current state does not allow (the message is the web layer's 409).
E_ILLEGAL_TRANSITION: Final = "E_ILLEGAL_TRANSITION"


class EffectiveDateOutsideTerm(InvalidInput):
    """A change or a cancellation must take effect on a date ``d`` with start ≤ d < end (product.md §5)."""

    code: Final = "E_DATE_RANGE"

    def __init__(self, *, effective_date: dt.date, start_date: dt.date, end_date: dt.date) -> None:
        self.effective_date = effective_date
        self.start_date = start_date
        self.end_date = end_date
        last = end_date - dt.timedelta(days=1)
        params = {"value": effective_date, "minimum": start_date, "maximum": last}
        super().__init__([FieldError("effective_date", self.code, params)])


class InvalidDate(InvalidInput):
    """A date outside the calendar the product accepts (:data:`mamori.calendar.EARLIEST_DATE` …)."""

    code: Final = "E_DATE_RANGE"

    def __init__(self, *, field: str, value: dt.date, minimum: dt.date, maximum: dt.date) -> None:
        self.field = field
        self.value = value
        super().__init__([FieldError(field, self.code, {"value": value, "minimum": minimum, "maximum": maximum})])


class InvalidAmount(InvalidInput):
    """An amount of yen that is not a whole number from 0 to :data:`mamori.money.MAX_YEN`."""

    code: Final = "E_RANGE"

    def __init__(self, *, field: str, value: object) -> None:
        self.field = field
        self.value = value
        super().__init__([FieldError(field, self.code, {"value": value, "minimum": 0, "maximum": money.MAX_YEN})])


class NaiveDateTime(InvalidInput):
    """A date-time without a UTC offset: it names no instant."""

    code: Final = "E_DATETIME"

    def __init__(self, *, field: str, value: dt.datetime) -> None:
        self.field = field
        self.value = value
        super().__init__([FieldError(field, self.code, {"value": value})])


class UnknownPaymentMethod(InvalidInput):
    """A payment method the product version does not offer."""

    code: Final = "E_CHOICE"

    def __init__(self, *, value: str, allowed: Iterable[str]) -> None:
        self.value = value
        self.allowed = tuple(allowed)
        super().__init__([FieldError("payment", self.code, {"value": value, "allowed": list(self.allowed)})])


class IllegalTransition(Exception):
    """``action`` is not allowed from ``from_state``; nothing changed.

    ``to_state`` is where the action would have led (None for an action the table does not know);
    ``action`` is None when a move to ``to_state`` was asked and no action of the table leads there.
    ``allowed`` are the actions the table allows from ``from_state``.
    """

    code: Final = E_ILLEGAL_TRANSITION

    def __init__(self, *, from_state: str, to_state: str | None, action: str | None, allowed: Iterable[str]) -> None:
        self.from_state = from_state
        self.to_state = to_state
        self.action = action
        self.allowed = tuple(allowed)
        what = " ".join(part for part in (action, f"to {to_state}" if to_state is not None else None) if part)
        super().__init__(f"{self.code}: {what} is not allowed from {from_state} (allowed: {list(self.allowed)})")


class TransitionTableError(Exception):
    """A transition table that is not one: a (state, action) twice, or an action leading to two states."""
