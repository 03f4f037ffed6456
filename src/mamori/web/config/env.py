"""Numbers from the environment (``MAMORI_…``), read as every number of Mamori is read, within bounds.

A value that is not a whole number, or outside the bounds of its setting, stops the start with
:class:`BadSetting`, which carries the one input error (the variable, the code, the bounds: the command
line prints it in the reader's language) instead of a ``ValueError`` traceback or a server that starts
with a limit that cannot work (a body limit of 0, a login window of minus one second).
"""

from __future__ import annotations

import os
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

from mamori.errors import FieldError
from mamori.rating import values

__all__ = ["BadSetting", "integer", "rate", "seconds"]


class BadSetting(ImproperlyConfigured):
    """An environment variable's value cannot be used; ``error`` names it and what it may be."""

    def __init__(self, error: FieldError) -> None:
        super().__init__(error.message("en"))  # what a server started without the command line shows
        self.error = error


def _given(name: str) -> str:
    """The variable's value without surrounding blanks; empty when unset (the setting keeps its default)."""
    return os.environ.get(name, "").strip()


def integer(name: str, default: int, *, minimum: int, maximum: int) -> int:
    """The whole number in ``name`` (``default`` when unset or empty), from ``minimum`` to ``maximum``."""
    given = _given(name)
    if not given:
        return default
    read = values.read_integer(given)
    if isinstance(read, values.Failure):
        raise BadSetting(FieldError(name, str(read), {"value": given}))
    if not minimum <= read <= maximum:
        raise BadSetting(FieldError(name, "E_RANGE", {"value": given, "minimum": minimum, "maximum": maximum}))
    return read


def seconds(name: str, default: float, *, minimum: float, maximum: float) -> float:
    """A duration in seconds (a decimal number allowed: ``2.5``) in ``name``, within the bounds."""
    given = _given(name)
    if not given:
        return default
    try:
        read = Decimal(given)
    except ArithmeticError:
        raise BadSetting(FieldError(name, "E_NUMBER", {"value": given})) from None
    if not read.is_finite() or not Decimal(str(minimum)) <= read <= Decimal(str(maximum)):
        raise BadSetting(FieldError(name, "E_RANGE", {"value": given, "minimum": minimum, "maximum": maximum}))
    return float(read)


#: The bounds of a throttle rule ``requests/seconds`` (MAMORI_THROTTLE_<NAME>).
RATE_REQUESTS = (1, 1_000_000_000)
RATE_SECONDS = (1, 7 * 86_400)


def rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A throttle rule in ``name``: ``requests/seconds`` (``60/600``: 60 requests in 10 minutes)."""
    given = _given(name)
    if not given:
        return default
    requests, slash, period = given.partition("/")
    n = values.read_integer(requests.strip())
    s = values.read_integer(period.strip())
    if not slash or isinstance(n, values.Failure) or isinstance(s, values.Failure):
        raise BadSetting(FieldError(name, "E_THROTTLE_RULE", {"value": given}))
    for read, (low, high) in ((n, RATE_REQUESTS), (s, RATE_SECONDS)):
        if not low <= read <= high:
            raise BadSetting(FieldError(name, "E_RANGE", {"value": read, "minimum": low, "maximum": high}))
    return n, s
