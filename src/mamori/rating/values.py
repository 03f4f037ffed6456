"""How one input value is read: the single definition of every value rule of a quote.

Each ``read_*`` function takes one raw value as a user gave it (a CLI string, a JSON value, a table
cell) and returns the value or the code of the rule it breaks. The scalar path calls them per field;
the column path (:mod:`mamori.rating.columns`) calls them per distinct value of a column, and its fast
paths for typed columns are derived from the same bounds (and property-tested against these).

Strings are read the way a Japanese user types them: NFKC-normalised (full-width ``５，０００`` is
``5,000``), thousands separators only in groups of three (``500,00`` is refused, never read as 50,000),
an optional ``円`` or ``%``; amounts also with the units 万 and 億 (``8,000万円``, ``1億``);
``2026/4/1`` is a date like ``2026-04-01``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from mamori import calendar, money
from mamori.errors import FieldError, InvalidInput

__all__ = [
    "FALSE_WORDS",
    "MAX_PERCENT_DECIMALS",
    "NULL_WORDS",
    "TRUE_WORDS",
    "Failure",
    "MeasureProblem",
    "is_null",
    "normalise",
    "read_boolean",
    "read_choice",
    "read_date",
    "read_integer",
    "read_measures",
    "read_percent",
    "read_yen",
]

#: Cell texts that mean "no value" (compared after NFKC, trimming and lower-casing): the template with
#: every column that spreadsheets and databases write. An absent value takes the field's default.
NULL_WORDS: Final = frozenset({"", "null", "none", "nan", "n/a", "na", "#n/a", "-"})
TRUE_WORDS: Final = frozenset({"true", "1", "yes", "y", "on", "はい", "あり", "有"})
FALSE_WORDS: Final = frozenset({"false", "0", "no", "n", "off", "いいえ", "なし", "無"})
#: A percentage may have at most this many decimal places: beyond it the input is a computation
#: artefact (33.333333333333336), and every path compares such values exactly.
MAX_PERCENT_DECIMALS: Final = 4
_INTEGER: Final = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3}){1,9}|\d{1,3}(?:_\d{3}){1,9}|\d{1,30})円?$")
#: An amount written with the Japanese myriad units: ``8,000万円``, ``8000万``, ``1億2,000万``, ``1億`` (at
#: least one unit; below a unit at most 9,999 of the next; separators only in groups of three).
_GROUP: Final = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
_MYRIAD: Final = re.compile(rf"^(?P<sign>[+-]?)(?:(?P<oku>{_GROUP})億)?(?:(?P<man>{_GROUP})万)?(?P<rest>{_GROUP})?円?$")
_DECIMAL_TEXT: Final = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_SLASH_DATE: Final = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_MEASURE_SPLIT: Final = re.compile(r"[\s,;、]+")


class Failure(str):
    """The code of a broken rule (``E_INTEGER``…), returned instead of a value."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class MeasureProblem:
    """Security-measure ids that break a rule: unknown ids (E_CHOICE) or duplicates (E_MEASURE_DUPLICATE)."""

    code: Failure
    ids: tuple[str, ...]


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def is_null(value: Any) -> bool:
    """No value: None, a float NaN, or a text of :data:`NULL_WORDS`."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return normalise(value).lower() in NULL_WORDS
    return False


def _whole(value: float | Decimal) -> int | Failure:
    finite = math.isfinite(value) if isinstance(value, float) else value.is_finite()
    if not finite or value != int(value):
        return Failure("E_INTEGER")
    return int(value)


def _myriad(text: str) -> int | Failure:
    """``8,000万円`` is 80,000,000; ``1億`` is 100,000,000 (E_INTEGER when a part is out of its place)."""
    found = _MYRIAD.match(text)
    if found is None or (found["oku"] is None and found["man"] is None):
        return Failure("E_INTEGER")
    oku, man, rest = (int((found[k] or "0").replace(",", "")) for k in ("oku", "man", "rest"))
    if len(text) > 40 or rest > 9_999 or (found["oku"] is not None and man > 9_999):
        return Failure("E_INTEGER")
    amount = oku * 100_000_000 + man * 10_000 + rest
    return -amount if found["sign"] == "-" else amount


def _whole_text(value: str) -> int | Failure:
    text = normalise(value)
    if not _INTEGER.match(text):
        return _myriad(text) if ("万" in text or "億" in text) else Failure("E_INTEGER")
    return int(text.removesuffix("円").replace(",", "").replace("_", ""))


def read_integer(value: Any) -> int | Failure:
    """A whole number (E_INTEGER); the field's rule checks its range or allowed values."""
    if isinstance(value, bool):
        return Failure("E_INTEGER")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return _whole(value)
    if isinstance(value, str):
        return _whole_text(value)
    return Failure("E_INTEGER")


def read_yen(field: str, value: Any, *, minimum: int = 0, nonzero: bool = False) -> int:
    """An amount of yen a person typed: a whole number from ``minimum`` to :data:`mamori.money.MAX_YEN`
    (``nonzero``: never 0). Raises :class:`InvalidInput` naming ``field`` (E_REQUIRED, E_INTEGER, E_RANGE)
    with the bounds — the one bound every amount of the application is checked against."""
    if is_null(value):
        raise InvalidInput([FieldError(field, "E_REQUIRED", {"minimum": minimum, "maximum": money.MAX_YEN})])
    read = read_integer(value)
    if isinstance(read, Failure):
        raise InvalidInput([FieldError(field, str(read), {"value": value})])
    if not minimum <= read <= money.MAX_YEN or (nonzero and read == 0):
        raise InvalidInput(
            [FieldError(field, "E_RANGE", {"value": value, "minimum": minimum, "maximum": money.MAX_YEN})]
        )
    return read


def _number(value: Any) -> Decimal | None:
    """A Decimal of a number a user wrote (a float by its shortest repr: 12.3 is 12.3), else None.

    Text is read as people write a number: digits with an optional decimal part (``12.5``, ``12.5%``), never
    an exponent (``1e1``) nor Python's extras (``1_0``, ``Infinity``) — as whole numbers are read."""
    try:
        if isinstance(value, bool):
            return None
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, int | Decimal):
            return Decimal(value)
        if isinstance(value, str):
            text = normalise(value).removesuffix("%").strip()
            return Decimal(text) if _DECIMAL_TEXT.match(text) else None
    except InvalidOperation:
        return None
    return None


def read_percent(value: Any) -> Decimal | Failure:
    """A percentage 0..100 with at most :data:`MAX_PERCENT_DECIMALS` decimals (E_NUMBER, E_RANGE, E_DECIMALS)."""
    number = _number(value)
    if number is None or not number.is_finite():
        return Failure("E_NUMBER")
    if not Decimal(0) <= number <= Decimal(100):
        return Failure("E_RANGE")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PERCENT_DECIMALS:
        return Failure("E_DECIMALS")
    return number


def read_boolean(value: Any) -> bool | Failure:
    """true/false, yes/no, 1/0, はい/いいえ (E_BOOLEAN)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, float) and value in (0.0, 1.0):
        return bool(value)
    if isinstance(value, str):
        text = normalise(value).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
    return Failure("E_BOOLEAN")


def read_choice(value: Any, allowed: Sequence[str]) -> str | Failure:
    """One of ``allowed`` (codes are lower-case; ``Wholesale`` is ``wholesale``) (E_CHOICE)."""
    if not isinstance(value, str):
        return Failure("E_CHOICE")
    text = normalise(value)
    if text in allowed:
        return text
    lowered = text.lower()
    return lowered if lowered in allowed else Failure("E_CHOICE")


def _date_text(value: str) -> dt.date | Failure:
    text = normalise(value)
    slash = _SLASH_DATE.match(text)
    try:
        if slash:
            return dt.date(int(slash[1]), int(slash[2]), int(slash[3]))
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            return dt.date.fromisoformat(text)
    except ValueError:
        return Failure("E_DATE")
    return Failure("E_DATE")


def _calendar_day(value: Any) -> dt.date | Failure:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None or value.time() != dt.time(0, 0):
            return Failure("E_DATE")  # a time of day or a zone: not the calendar date the user meant
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _date_text(value)
    return Failure("E_DATE")


def read_date(value: Any) -> dt.date | Failure:
    """A date ``YYYY-MM-DD`` (or ``YYYY/M/D``), from EARLIEST_DATE to LATEST_DATE (E_DATE, E_DATE_RANGE)."""
    day = _calendar_day(value)
    if isinstance(day, Failure):
        return day
    if not calendar.EARLIEST_DATE <= day <= calendar.LATEST_DATE:
        return Failure("E_DATE_RANGE")
    return day


#: At most this many unknown or repeated ids are named in a problem.
_PROBLEMS_SHOWN = 20


def read_measures(value: Any, allowed: Sequence[str]) -> tuple[str, ...] | MeasureProblem:
    """Security-measure item ids: a list, or a text separated by spaces, commas or semicolons.

    Returns the sorted ids, or the problem: unknown ids (E_CHOICE, reported first) or duplicates.
    """
    items: list[Any]
    if isinstance(value, str):
        items = [p for p in _MEASURE_SPLIT.split(normalise(value)) if p]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return MeasureProblem(Failure("E_CHOICE"), (str(value),))
    ids = [normalise(i).upper() if isinstance(i, str) else repr(i) for i in items]
    known = frozenset(allowed)
    # Linear in the list (a long list must not cost its square); each problem value named once, a few at most.
    unknown = list(dict.fromkeys(i for i in ids if i not in known))
    if unknown:
        return MeasureProblem(Failure("E_CHOICE"), tuple(unknown[:_PROBLEMS_SHOWN]))
    seen: set[str] = set()
    repeated: set[str] = set()
    for i in ids:
        (repeated if i in seen else seen).add(i)
    duplicated = sorted(repeated)[:_PROBLEMS_SHOWN]
    if duplicated:
        return MeasureProblem(Failure("E_MEASURE_DUPLICATE"), tuple(duplicated))
    return tuple(sorted(ids))
