"""Dates and instants of the product: months added the Japanese way, policy periods, the dates accepted.

Policies start and end at a time of day in the product's time zone (16:00 JST for sme-cyber: the product
data says which); a term of N months ends on the same calendar date N months later, clipped to the
month's last day (29 February + 12 months → 28 February). Every date a user can enter is bounded so
that a term end, a deadline or an indemnity period computed from it can never leave the calendar.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from typing import Final

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "add_months",
    "at_time",
    "parse_utc_offset",
    "today_in",
]

#: The earliest date accepted in any input (a retroactive date or an accident may precede a policy).
EARLIEST_DATE: Final = dt.date(1900, 1, 1)
#: The latest date accepted in any input: a year of term, 60 days of deadlines and 6 months of
#: indemnity after it still fit in the calendar (which ends on 9999-12-31).
LATEST_DATE: Final = dt.date(9998, 12, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month ``months`` later, clipped to the month's last day (29 Feb + 12 → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def at_time(day: dt.date, time_of_day: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The instant at ``time_of_day`` on ``day`` in ``tz`` (an aware date-time)."""
    return dt.datetime.combine(day, time_of_day, tzinfo=tz)


def today_in(tz: dt.tzinfo, now: dt.datetime | None = None) -> dt.date:
    """Today's date in ``tz`` (the date a user in that zone would write)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()


def parse_utc_offset(text: str) -> dt.timezone:
    """A fixed UTC offset written ``+09:00``; ValueError otherwise."""
    parsed = dt.datetime.strptime(text, "%z").tzinfo
    if not isinstance(parsed, dt.timezone):  # pragma: no cover - %z always yields a fixed offset
        raise ValueError(f"not a UTC offset: {text!r}")
    return parsed
