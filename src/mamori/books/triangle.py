"""Claims triangles (``product.md`` §8.2, ``interfaces.md`` §1.7): accident period × development age.

An origin is an accident period (a calendar quarter ``2026Q1`` or year ``2026``); age ``k`` (1, 2, …) ends
with the ``k``-th period from the start of the origin, age 1 ending with the origin itself; the value is the
cumulative paid or incurred as known at the end of that age, for the ages that have ended by the valuation
date. A triangle read from a file is checked here: every age of an origin from 1 to its latest is present
once, an age is a whole number ≥ 1, a value is a finite number — otherwise :class:`InvalidInput` naming the
field, its row and what is allowed. Origins are labels sorted as text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from mamori.books.claims import ClaimRecords
from mamori.books.premium import day
from mamori.errors import FieldError, InvalidInput

__all__ = ["BASES", "PERIODS", "Triangle", "from_claims", "from_long", "from_wide", "period_bounds", "period_of"]

PERIODS: Final = ("quarter", "year")
BASES: Final = ("paid", "incurred")
_MAX_AGE: Final = 1000


@dataclass(frozen=True, slots=True)
class Triangle:
    """``values[i][k]`` is origin ``origins[i]`` at age ``k + 1``; each row is as long as its known ages."""

    origins: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]

    @property
    def ages(self) -> int:
        return max((len(r) for r in self.values), default=0)

    def matrix(self) -> npt.NDArray[np.float64]:
        """The triangle as an origins × ages array, NaN where an age is not known."""
        out = np.full((len(self.origins), self.ages), np.nan)
        for i, row in enumerate(self.values):
            out[i, : len(row)] = row
        return out

    def long(self) -> list[dict[str, Any]]:
        """The long form: one ``{"origin", "age", "value"}`` per known cell (integers stay integers)."""
        return [
            {"origin": o, "age": k + 1, "value": int(v) if float(v).is_integer() else v}
            for o, row in zip(self.origins, self.values, strict=True)
            for k, v in enumerate(row)
        ]


# ------------------------------------------------------------------------------------------ periods


def period_of(date: dt.date, period: str) -> str:
    return f"{date.year}" if period == "year" else f"{date.year}Q{(date.month - 1) // 3 + 1}"


def _index(date: dt.date, period: str) -> int:
    return date.year if period == "year" else date.year * 4 + (date.month - 1) // 3


def _label(index: int, period: str) -> str:
    return f"{index}" if period == "year" else f"{index // 4}Q{index % 4 + 1}"


def _last_day(index: int, period: str) -> dt.date:
    if period == "year":
        return dt.date(index, 12, 31)
    year, q = divmod(index, 4)
    following = dt.date(year + (q == 3), (q * 3 + 3) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_bounds(label: str, period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a period label."""
    if period == "year":
        year = int(label)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    year, q = int(label[:4]), int(label[5:])
    first = dt.date(year, 3 * q - 2, 1)
    return first, _last_day(year * 4 + q - 1, period)


def from_claims(records: ClaimRecords, *, as_of: dt.date, basis: str, period: str) -> Triangle:
    """The triangle of the claims' paid or incurred, valued at the end of ``as_of``; origins from the first
    accident period to the last whose age 1 has ended (a period without claims is a row of zeros)."""
    if not records.claims:
        return Triangle((), ())
    accidents = [dt.date(1970, 1, 1) + dt.timedelta(days=int(a)) for a in records.accident]
    index = np.asarray([_index(a, period) for a in accidents], dtype=np.int64)
    first, last = int(index.min()), _index(as_of, period)
    if _last_day(last, period) > as_of:
        last -= 1  # the current period's age 1 has not ended
    origins, values = [], []
    known: dict[int, npt.NDArray[np.int64]] = {}  # period → each claim's paid or incurred at its end
    for age_end in range(first, last + 1):
        position = records.at(day(_last_day(age_end, period)))
        known[age_end] = position.paid if basis == "paid" else position.incurred
    for origin in range(first, last + 1):
        mine = index == origin
        row = [float(known[age_end][mine].sum()) for age_end in range(origin, last + 1)]
        origins.append(_label(origin, period))
        values.append(tuple(row))
    return Triangle(tuple(origins), tuple(values))


# ------------------------------------------------------------------------------------------ reading


def _number(value: Any) -> float | None:
    """A finite number (text as a CLI value reads it, thousands separators allowed), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return float(number) if number.is_finite() else None


def _age(value: Any) -> int | None:
    number = _number(value)
    if number is None or not number.is_integer() or not 1 <= number <= _MAX_AGE:
        return None
    return int(number)


def from_long(rows: Iterable[Mapping[str, Any]], *, first_row: int = 2) -> Triangle:
    """A triangle from long-form rows ``origin``, ``age``, ``value`` (row numbers from ``first_row``)."""
    cells: dict[str, dict[int, float]] = {}
    errors: list[FieldError] = []
    for i, row in enumerate(rows, start=first_row):
        n = int(row.get("_row", i))
        origin = str(row.get("origin") if row.get("origin") is not None else "").strip()
        age, value = _age(row.get("age")), _number(row.get("value"))
        if not origin:
            errors.append(FieldError("origin", "E_REQUIRED", {}, row=n))
        if age is None:
            errors.append(
                FieldError("age", "E_TRIANGLE_AGE", {"value": row.get("age"), "minimum": 1, "maximum": _MAX_AGE}, row=n)
            )
        if value is None:
            errors.append(FieldError("value", "E_NUMBER", {"value": row.get("value")}, row=n))
        if not origin or age is None or value is None:
            continue
        if age in cells.setdefault(origin, {}):
            errors.append(FieldError("age", "E_TRIANGLE_DUPLICATE", {"origin": origin, "value": age}, row=n))
        cells[origin][age] = value
    return _checked(cells, errors)


def from_wide(header: Sequence[str], rows: Iterable[Sequence[Any]], *, first_row: int = 2) -> Triangle:
    """A triangle from the wide form: an ``origin`` column and one column per age (``1``, ``2``, …); an
    empty cell is an age not known (only after the latest known age)."""
    ages: list[int | None] = []
    errors: list[FieldError] = []
    for name in header:
        if name == "origin":
            ages.append(None)
            continue
        age = _age(name)
        if age is None:
            errors.append(FieldError("age", "E_TRIANGLE_AGE", {"value": name, "minimum": 1, "maximum": _MAX_AGE}))
        ages.append(age)
    if "origin" not in header:
        errors.append(FieldError("origin", "E_REQUIRED", {}))
    if errors:
        raise InvalidInput(errors)
    long_rows = []
    for n, row in enumerate(rows, start=first_row):
        cells = dict(zip(header, row, strict=False))
        for name, age in zip(header, ages, strict=True):
            if age is None or cells.get(name) in (None, ""):
                continue
            long_rows.append({"origin": cells.get("origin"), "age": age, "value": cells[name], "_row": n})
    return from_long(long_rows, first_row=first_row)


def _checked(cells: dict[str, dict[int, float]], errors: list[FieldError]) -> Triangle:
    for origin in sorted(cells):
        known = cells[origin]
        missing = [a for a in range(1, max(known) + 1) if a not in known]
        if missing:
            errors.append(
                FieldError("age", "E_TRIANGLE_HOLE", {"origin": origin, "value": missing[0], "latest": max(known)})
            )
    if not cells and not errors:
        errors.append(FieldError("value", "E_TRIANGLE_EMPTY", {}))
    if errors:
        raise InvalidInput(errors)
    origins = tuple(sorted(cells))
    return Triangle(origins, tuple(tuple(cells[o][a] for a in range(1, max(cells[o]) + 1)) for o in origins))
