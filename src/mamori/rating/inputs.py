"""Quote inputs (product.md §1–2): the fields, their rules and defaults, read into a :class:`Risk`.

This module is the one definition of what a valid quote input is. Each field has a rule object
holding its data (bounds, allowed values, default) with two evaluators side by side: ``read`` for one
value (the CLI, the API) and ``read_array`` for a typed column (``quote-batch``); a column of texts
is read value by value with ``read``. Rules across fields (:data:`ROW_RULES`) are written once with
operators that work on a value and on a numpy array alike. A property test checks that random raw
rows, invalid ones included, get the same errors on both paths.

Missing fields take the reference conditions of the version in force (product.md §2.1); nothing is
decided here (see :mod:`mamori.rating.eligibility`).
"""

from __future__ import annotations

import abc
import datetime as dt
import difflib
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from mamori import calendar, money
from mamori.catalog import Catalog, NoProductInForce, ProductVersion, RatingTables
from mamori.errors import FieldError, InvalidInput
from mamori.rating import values
from mamori.rating.values import Failure, MeasureProblem

__all__ = [
    "ENTITY_TYPES",
    "FIELDS",
    "ROW_RULES",
    "STORED_SCHEMA",
    "FieldRule",
    "Risk",
    "RowRule",
    "field_rules",
    "parse_risk",
    "unknown_field_error",
]

ENTITY_TYPES: Final = ("corporation", "sole_proprietor")
#: Every input of a quote, in the order errors are reported (the CLI's long options in snake_case).
FIELDS: Final = (
    "industry", "revenue", "liability_limit", "expense_limit", "deductible", "security_measures",
    "measures", "payment", "overseas_share", "north_america_share", "bi_limit", "pd_rider", "start",
    "term_months", "entity", "new_business",
)  # fmt: skip
#: The largest magnitude a column keeps exactly as int64; beyond it a value is outside every bound.
_CLIP: Final = 2**62

BoolArray = npt.NDArray[np.bool_]
#: (code, rows) of a column's values that break a rule.
ColumnFailures = list[tuple[str, BoolArray]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Risk:
    """A validated risk to rate. Money is integer yen; shares are percentages (0..100) as given."""

    industry: str
    revenue: int
    liability_limit: int
    expense_limit: int
    deductible: int
    measures_declared: int
    measures: tuple[str, ...] | None  # the items, when declared item by item
    payment: str
    overseas_pct: Decimal
    north_america_pct: Decimal
    bi_limit: int
    pd_rider: bool
    start: dt.date
    term_months: int
    entity: str
    new_business: bool

    def to_dict(self) -> dict[str, Any]:
        """The inputs as the API and the CLI name them (re-rating this gives the same quote)."""
        return {
            "industry": self.industry,
            "revenue": self.revenue,
            "liability_limit": self.liability_limit,
            "expense_limit": self.expense_limit,
            "deductible": self.deductible,
            "security_measures": self.measures_declared,
            "measures": list(self.measures) if self.measures is not None else None,
            "payment": self.payment,
            "overseas_share": str(self.overseas_pct),
            "north_america_share": str(self.north_america_pct),
            "bi_limit": self.bi_limit,
            "pd_rider": self.pd_rider,
            "start": self.start.isoformat(),
            "term_months": self.term_months,
            "entity": self.entity,
            "new_business": self.new_business,
        }

    def as_inputs(self) -> dict[str, Any]:
        """Raw inputs that re-rate to this risk: the security measures given one way only — the items when
        they were declared item by item, else their count (the one place this choice is made)."""
        out = self.to_dict()
        out.pop("security_measures" if self.measures is not None else "measures")
        return out

    def to_stored(self) -> dict[str, Any]:
        """The risk as a record keeps it (JSON), with the version of this layout (:data:`STORED_SCHEMA`)."""
        return {"schema": STORED_SCHEMA, **self.to_dict()}

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Risk:
        """A risk read back from :meth:`to_stored` (a record written before the layout had a version is
        layout 1: the same keys). Raises ValueError for a layout this code does not know."""
        schema = data.get("schema", 1)
        if schema != STORED_SCHEMA:
            raise ValueError(f"stored risk layout {schema!r} is not known (this code reads {STORED_SCHEMA})")
        measures = data.get("measures")
        return cls(
            industry=str(data["industry"]),
            revenue=int(data["revenue"]),
            liability_limit=int(data["liability_limit"]),
            expense_limit=int(data["expense_limit"]),
            deductible=int(data["deductible"]),
            measures_declared=len(measures) if measures is not None else int(data["security_measures"]),
            measures=tuple(measures) if measures is not None else None,
            payment=str(data["payment"]),
            overseas_pct=Decimal(str(data["overseas_share"])),
            north_america_pct=Decimal(str(data["north_america_share"])),
            bi_limit=int(data["bi_limit"]),
            pd_rider=bool(data["pd_rider"]),
            start=dt.date.fromisoformat(str(data["start"])),
            term_months=int(data["term_months"]),
            entity=str(data["entity"]),
            new_business=bool(data["new_business"]),
        )


#: The version of the stored layout of a :class:`Risk` (:meth:`Risk.to_stored`).
STORED_SCHEMA: Final = 1


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: The default of a required field.
MISSING: Final = _Missing()
#: What the rules see: parsed values by field, and ``given:<field>`` for whether the user gave it.
View = Mapping[str, Any]


# ------------------------------------------------------------------------------------------ field rules


class FieldRule(abc.ABC):
    """One field: how a value is read, what its failures say, and its default when absent."""

    #: Fields whose values the default depends on (the column path computes it once per combination).
    depends: tuple[str, ...] = ()

    def __init__(self, name: str) -> None:
        self.name = name

    @abc.abstractmethod
    def read(self, value: Any) -> Any:
        """The value, or a :class:`Failure` (or :class:`MeasureProblem`) naming the broken rule."""

    @abc.abstractmethod
    def limits(self) -> dict[str, Any]:
        """What is allowed, for messages: ``allowed`` or ``minimum``/``maximum``."""

    def default(self, view: View) -> Any:
        """The value when the field is absent; :data:`MISSING` when the field is required."""
        return MISSING

    def error(self, failure: Any, value: Any) -> FieldError:
        return FieldError(self.name, str(failure), {"value": value, **self.limits()})

    def missing_error(self) -> FieldError:
        return FieldError(self.name, "E_REQUIRED", self.limits())


class IntegerRule(FieldRule):
    """A whole number: within ``minimum..maximum``, or one of ``allowed`` (limits, deductible, term)."""

    def __init__(  # noqa: PLR0913 - a rule's data: each bound and message code is a keyword of its own
        self,
        name: str,
        *,
        minimum: int = -money.MAX_YEN,
        maximum: int = money.MAX_YEN,
        below: str = "E_RANGE",
        above: str = "E_RANGE",
        allowed: Sequence[int] | None = None,
        not_allowed: str = "E_CHOICE",
        default: int | Callable[[View], Any] | _Missing = MISSING,
        depends: tuple[str, ...] = (),
    ) -> None:
        super().__init__(name)
        self.depends = depends
        self.minimum, self.maximum, self.below, self.above = minimum, maximum, below, above
        self.allowed = tuple(allowed) if allowed is not None else None
        self.not_allowed = not_allowed
        self._default = default

    def limits(self) -> dict[str, Any]:
        if self.allowed is not None:
            return {"allowed": list(self.allowed)}
        return {"minimum": self.minimum, "maximum": self.maximum}

    def default(self, view: View) -> Any:
        return self._default(view) if callable(self._default) else self._default

    def check(self, number: int) -> int | Failure:
        if self.allowed is not None:
            return number if number in self.allowed else Failure(self.not_allowed)
        if number < self.minimum:
            return Failure(self.below)
        if number > self.maximum:
            return Failure(self.above)
        return number

    def read(self, value: Any) -> int | Failure:
        number = values.read_integer(value)
        return number if isinstance(number, Failure) else self.check(number)

    def read_array(self, numbers: npt.NDArray[np.int64]) -> ColumnFailures:
        """The same checks as :meth:`check` on a column of integers."""
        if self.allowed is not None:
            return [(self.not_allowed, ~np.isin(numbers, np.asarray(self.allowed, dtype=np.int64)))]
        return [(self.below, numbers < self.minimum), (self.above, numbers > self.maximum)]

    @staticmethod
    def integers_of_floats(floats: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.int64], BoolArray]:
        """Whole numbers of a float column, and the rows that are not whole (as :func:`values.read_integer`)."""
        whole = np.isfinite(floats) & (np.floor(floats) == floats)
        clipped = np.clip(np.where(whole, floats, 0.0), -_CLIP, _CLIP)
        return clipped.astype(np.int64), ~whole


class PercentRule(FieldRule):
    """A percentage 0..100 with at most four decimals (overseas shares)."""

    def read(self, value: Any) -> Decimal | Failure:
        return values.read_percent(value)

    def limits(self) -> dict[str, Any]:
        return {"minimum": 0, "maximum": 100, "places": values.MAX_PERCENT_DECIMALS}

    def default(self, view: View) -> Any:
        return Decimal(0)

    def read_array(self, floats: npt.NDArray[np.float64]) -> ColumnFailures:
        """The checks of :func:`values.read_percent` on a float column (NaN is a null, handled before)."""
        finite = np.isfinite(floats)
        in_range = finite & (floats >= 0) & (floats <= 100)
        scale = 10.0**values.MAX_PERCENT_DECIMALS
        with np.errstate(invalid="ignore"):
            # x has at most 4 decimals exactly when it is the double nearest to k/10^4 for the k nearest x·10^4.
            exact = np.rint(floats * scale) / scale == floats
        return [("E_NUMBER", ~finite), ("E_RANGE", finite & ~in_range), ("E_DECIMALS", in_range & ~exact)]


class BooleanRule(FieldRule):
    def read(self, value: Any) -> bool | Failure:
        return values.read_boolean(value)

    def limits(self) -> dict[str, Any]:
        return {"allowed": ["true", "false"]}

    def default(self, view: View) -> Any:
        return False

    def read_array(self, numbers: npt.NDArray[np.float64]) -> ColumnFailures:
        """A numeric column: 0 and 1 only."""
        return [("E_BOOLEAN", ~np.isin(numbers, (0.0, 1.0)))]


class ChoiceRule(FieldRule):
    def __init__(self, name: str, allowed: Sequence[str], default: str | _Missing = MISSING) -> None:
        super().__init__(name)
        self.allowed = tuple(allowed)
        self._default = default

    def read(self, value: Any) -> str | Failure:
        return values.read_choice(value, self.allowed)

    def limits(self) -> dict[str, Any]:
        return {"allowed": list(self.allowed)}

    def default(self, view: View) -> Any:
        return self._default


class DateRule(FieldRule):
    def __init__(self, name: str, default: dt.date) -> None:
        super().__init__(name)
        self._default = default

    def read(self, value: Any) -> dt.date | Failure:
        return values.read_date(value)

    def limits(self) -> dict[str, Any]:
        return {"minimum": calendar.EARLIEST_DATE.isoformat(), "maximum": calendar.LATEST_DATE.isoformat()}

    def default(self, view: View) -> Any:
        return self._default

    def read_array(self, days: npt.NDArray[np.datetime64]) -> ColumnFailures:
        earliest = np.datetime64(calendar.EARLIEST_DATE, "D")
        latest = np.datetime64(calendar.LATEST_DATE, "D")
        return [("E_DATE_RANGE", (days < earliest) | (days > latest))]


class MeasuresRule(FieldRule):
    def __init__(self, name: str, allowed: Sequence[str]) -> None:
        super().__init__(name)
        self.allowed = tuple(allowed)

    def read(self, value: Any) -> tuple[str, ...] | MeasureProblem:
        return values.read_measures(value, self.allowed)

    def limits(self) -> dict[str, Any]:
        return {"allowed": list(self.allowed)}

    def default(self, view: View) -> Any:
        return None

    def error(self, failure: Any, value: Any) -> FieldError:
        if isinstance(failure, MeasureProblem):
            return FieldError(self.name, str(failure.code), {"value": ", ".join(failure.ids), **self.limits()})
        return super().error(failure, value)


@dataclass(frozen=True)
class FieldRules:
    """Every field rule of one product version, by field name (in :data:`FIELDS` order)."""

    version: ProductVersion
    rules: Mapping[str, FieldRule]


@functools.lru_cache(maxsize=64)
def field_rules(version: ProductVersion, today: dt.date) -> FieldRules:
    """The rules of every field under ``version`` (options, industries, measures and term are its data)."""
    r = version.rating
    option = {
        table: IntegerRule(f"{table}_limit" if table != "deductible" else "deductible",
                           allowed=r.allowed_amounts(table), default=r.default_amount(table))
        for table in ("liability", "deductible", "bi")
    }  # fmt: skip
    rules: list[FieldRule] = [
        ChoiceRule("industry", tuple(r.industries)),
        IntegerRule("revenue", minimum=1, below="E_REVENUE_POSITIVE"),
        option["liability"],
        IntegerRule(
            "expense_limit",
            allowed=r.allowed_amounts("expense"),
            default=_expense_default(r),
            depends=("liability_limit",),
        ),
        option["deductible"],
        IntegerRule("security_measures", minimum=0, maximum=len(r.measures), default=r.measure_reference_count),
        MeasuresRule("measures", r.measure_ids),
        ChoiceRule("payment", r.payment_codes, default=r.payment_codes[0]),
        PercentRule("overseas_share"),
        PercentRule("north_america_share"),
        option["bi"],
        BooleanRule("pd_rider"),
        DateRule("start", today),
        IntegerRule("term_months", allowed=(version.term.months,), not_allowed="E_TERM", default=version.term.months),
        ChoiceRule("entity", ENTITY_TYPES, default=ENTITY_TYPES[0]),
        BooleanRule("new_business"),
    ]
    by_name = {rule.name: rule for rule in rules}
    assert tuple(by_name) == FIELDS  # noqa: S101 - the rule list is FIELDS, in order
    return FieldRules(version, by_name)


def _expense_default(r: RatingTables) -> Callable[[View], Any]:
    """Only the liability limit given: the largest expense option not above it (interfaces.md §1.1)."""

    def default(view: View) -> Any:
        liability = view["liability_limit"]
        if view["given:liability_limit"] and not isinstance(liability, Failure):
            return r.default_expense_for(int(liability))
        return r.expense_default

    return default


# ------------------------------------------------------------------------------------------ row rules


@dataclass(frozen=True)
class RowRule:
    """A rule across fields: ``broken(view)`` holds for a value or row-wise for arrays."""

    field: str
    code: str
    needs: tuple[str, ...]
    broken: Callable[[View], Any]
    params: Callable[[View, RatingTables], dict[str, Any]]


def _fitting_expense(view: View, r: RatingTables) -> dict[str, Any]:
    liability = int(view["liability_limit"])
    return {
        "value": int(view["expense_limit"]),
        "liability": liability,
        "allowed": [a for a in r.allowed_amounts("expense") if a <= liability],
    }


def _pct(value: Any) -> str:
    # A share as the user wrote it: Decimal (scalar path) or float (a column) → the same digits.
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return f"{number.normalize():f}"


ROW_RULES: Final = (
    RowRule(
        "expense_limit",
        "E_EXPENSE_ABOVE_LIABILITY",
        ("expense_limit", "liability_limit"),
        lambda v: v["expense_limit"] > v["liability_limit"],
        _fitting_expense,
    ),
    RowRule(
        "measures",
        "E_MEASURES_BOTH",
        ("measures", "security_measures"),
        lambda v: v["given:measures"] & v["given:security_measures"],
        lambda v, r: {},
    ),
    RowRule(
        "north_america_share",
        "E_NA_ABOVE_OVERSEAS",
        ("north_america_share", "overseas_share"),
        lambda v: v["north_america_share"] > v["overseas_share"],
        lambda v, r: {"value": _pct(v["north_america_share"]), "overseas": _pct(v["overseas_share"])},
    ),
)


# ------------------------------------------------------------------------------------------ scalar path


def unknown_field_error(name: str, known: Sequence[str], *, code: str = "E_UNKNOWN_FIELD") -> FieldError:
    """An unknown field (or column), with the closest known name as a suggestion."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return FieldError(name, code, {"value": name, "allowed": list(known), "suggestion": close[0] if close else ""})


def choose_version(
    raw_start: Any, catalog: Catalog, today: dt.date, version: ProductVersion | None
) -> tuple[ProductVersion, dt.date | None, list[FieldError]]:
    """The version that rates the risk (the caller's, else the one in force on the start date)."""
    errors: list[FieldError] = []
    start: dt.date | None = today
    if not values.is_null(raw_start):
        rule = DateRule("start", today)
        read = rule.read(raw_start)
        if isinstance(read, Failure):
            errors.append(rule.error(read, raw_start))
            start = None
        else:
            start = read
    if version is not None:
        return version, start, errors
    if start is not None:
        try:
            return catalog.in_force(start), start, errors
        except NoProductInForce as exc:
            earliest = exc.earliest.isoformat() if exc.earliest else "-"
            errors.append(
                FieldError(
                    "start",
                    "E_NO_PRODUCT",
                    {"value": start.isoformat(), "earliest": earliest, "allowed": [f">= {earliest}"]},
                )
            )
            start = None
    # Validate the rest against the latest version, so that every other problem is reported too.
    return catalog.latest(), start, errors


def parse_risk(
    raw: Mapping[str, Any],
    *,
    catalog: Catalog,
    today: dt.date | None = None,
    version: ProductVersion | None = None,
) -> tuple[ProductVersion, Risk]:
    """Validate raw inputs (the CLI's and the API's names in snake_case) into a version and a :class:`Risk`.

    ``version`` rates with a given version (a policy's own); else the start date chooses the version
    in force. Missing fields take the reference conditions; ``today`` defaults to today where the
    product is sold. Raises :class:`InvalidInput` listing every problem.
    """
    errors = [unknown_field_error(name, FIELDS) for name in raw if name not in FIELDS]
    today = today or catalog.latest().today()
    chosen, start, start_errors = choose_version(raw.get("start"), catalog, today, version)
    rules = field_rules(chosen, today).rules

    view: dict[str, Any] = {}
    failed: set[str] = set()
    for name, rule in rules.items():
        value = raw.get(name)
        given = not values.is_null(value)
        view[f"given:{name}"] = given
        if name == "start":
            errors.extend(start_errors)
            view[name] = start
            if start is None:
                failed.add(name)
            continue
        if not given:
            default = rule.default(view)
            if default is MISSING:
                errors.append(rule.missing_error())
                failed.add(name)
            view[name] = default
            continue
        read = rule.read(value)
        if isinstance(read, Failure | MeasureProblem):
            errors.append(rule.error(read, value))
            failed.add(name)
        view[name] = read
    for row_rule in ROW_RULES:
        if failed.isdisjoint(row_rule.needs) and row_rule.broken(view):
            errors.append(FieldError(row_rule.field, row_rule.code, row_rule.params(view, chosen.rating)))
    if errors:
        raise InvalidInput(errors)
    return chosen, risk_of(view)


def risk_of(view: View) -> Risk:
    """A :class:`Risk` from validated values (both paths build it here)."""
    measures = view["measures"]
    return Risk(
        industry=view["industry"],
        revenue=int(view["revenue"]),
        liability_limit=int(view["liability_limit"]),
        expense_limit=int(view["expense_limit"]),
        deductible=int(view["deductible"]),
        measures_declared=len(measures) if measures is not None else int(view["security_measures"]),
        measures=measures,
        payment=view["payment"],
        overseas_pct=_decimal(view["overseas_share"]),
        north_america_pct=_decimal(view["north_america_share"]),
        bi_limit=int(view["bi_limit"]),
        pd_rider=bool(view["pd_rider"]),
        start=view["start"],
        term_months=int(view["term_months"]),
        entity=view["entity"],
        new_business=bool(view["new_business"]),
    )


def _decimal(value: Any) -> Decimal:
    # A column holds percentages as floats of at most four decimals: repr gives back the digits.
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))
