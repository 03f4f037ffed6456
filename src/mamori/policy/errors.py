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
from mamori.transitions import E_ILLEGAL_TRANSITION, IllegalTransition, TransitionTableError

__all__ = [
    "E_ILLEGAL_TRANSITION",
    "BackdatedEffectiveDate",
    "EffectiveDateOutsideTerm",
    "IllegalTransition",
    "InvalidAmount",
    "InvalidDate",
    "NaiveDateTime",
    "TransitionTableError",
    "UnknownPaymentMethod",
]


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


class BackdatedEffectiveDate(InvalidInput):
    """A change or a cancellation requested on day ``r`` takes effect on ``r`` or later (product.md §5)."""

    code: Final = "E_BACKDATED"

    def __init__(self, *, effective_date: dt.date, requested_on: dt.date) -> None:
        self.effective_date = effective_date
        self.requested_on = requested_on
        super().__init__([FieldError("effective_date", self.code, {"value": effective_date, "minimum": requested_on})])


class BeforeCurrentTerms(InvalidInput):
    """A change or a cancellation takes effect on or after the date the policy's current terms took effect
    (its latest change): one dated before it would settle a premium the account never had."""

    code: Final = "E_BEFORE_CHANGE"

    def __init__(self, *, effective_date: dt.date, terms_from: dt.date) -> None:
        self.effective_date = effective_date
        self.terms_from = terms_from
        super().__init__([FieldError("effective_date", self.code, {"value": effective_date, "minimum": terms_from})])


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
