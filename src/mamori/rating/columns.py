"""Quote inputs read from table columns (``quote-batch``), with the field rules of :mod:`inputs`.

Each row is routed to the version in force on its own start date and read with that version's rules.
A typed column (integers, floats, dates, booleans) is checked in bulk with the rule's ``read_array``
(the same bounds as ``read``); any other column is read with ``read``, once per distinct value. A
default that depends on other fields is computed once per distinct combination of them. Problems are
reported as the scalar path reports them, with the row number: the first row of each (field, code)
and how many more rows share it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from mamori.catalog import Catalog, ProductVersion
from mamori.errors import FieldError, InvalidInput
from mamori.rating import inputs, values
from mamori.rating.inputs import (
    MISSING,
    BooleanRule,
    ChoiceRule,
    DateRule,
    FieldRule,
    IntegerRule,
    MeasuresRule,
    PercentRule,
    Risk,
)
from mamori.rating.values import Failure, MeasureProblem

__all__ = ["ColumnRisks", "FailureLog", "read_columns"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.intp]
#: Digits only: such a text is exactly its integer (the common case of a CSV column, read in bulk).
_PLAIN_DIGITS: Final = r"^[0-9]{1,15}$"
#: Where each kind of problem stands among one row's problems (as the scalar path lists them).
_RANK: Final = {
    **{name: i for i, name in enumerate(inputs.FIELDS)},
    **{rule.code: len(inputs.FIELDS) + i for i, rule in enumerate(inputs.ROW_RULES)},
}


@dataclass
class _Entry:
    field: str
    code: str
    rows: Rows  # table row indices, ascending
    make: Callable[[int], FieldError]  # the error of a table row

    @property
    def rank(self) -> int:
        return _RANK.get(self.code, _RANK.get(self.field, 0))


@dataclass
class FailureLog:
    """Problems found in a table: which rows break which rule, and the error of each row."""

    entries: list[_Entry] = field(default_factory=list)

    def add(self, field_name: str, code: str, rows: Rows, make: Callable[[int], FieldError]) -> None:
        if rows.size:
            self.entries.append(_Entry(field_name, code, np.sort(rows), make))

    def at(self, row: int) -> list[FieldError]:
        """Every problem of one row (table index), in the order the scalar path gives them."""
        found = [e for e in self.entries if np.any(e.rows == row)]
        return [e.make(row) for e in sorted(found, key=lambda e: e.rank)]

    def to_errors(self) -> list[FieldError]:
        """The first row of each (field, code), with the count of further rows, in row order."""
        grouped: dict[tuple[str, str], list[_Entry]] = {}
        for e in self.entries:
            grouped.setdefault((e.field, e.code), []).append(e)
        firsts = []
        for entries in grouped.values():
            first_entry = min(entries, key=lambda e: int(e.rows[0]))
            count = sum(int(e.rows.size) for e in entries)
            firsts.append((int(first_entry.rows[0]), first_entry.rank, first_entry, count))
        out = []
        for first, _, e, count in sorted(firsts, key=lambda t: (t[0], t[1])):
            err = e.make(first)
            out.append(FieldError(err.field, err.code, err.params, row=first + 1, more=count - 1))
        return out


@dataclass
class _Read:
    """One column read for a group of rows: values (typed), given (not null) and failed rows."""

    values: npt.NDArray[Any]
    given: BoolArray
    failed: BoolArray
    items: list[Any] | None = None  # for measures: the item tuple of each row


@dataclass
class _Starts:
    """The start date of every table row, and the rows whose start is invalid (read with the latest version)."""

    days: npt.NDArray[np.datetime64]
    failed: BoolArray


@dataclass
class _Group:
    """What the fields of one version's rows have read so far (rules and defaults look here)."""

    rows: Rows
    log: FailureLog
    view: dict[str, Any] = field(default_factory=dict)
    failed: dict[str, BoolArray] = field(default_factory=dict)


@dataclass
class ColumnRisks:
    """Validated columns of the rows of one version."""

    version: ProductVersion
    rows: Rows  # table row indices
    columns: dict[str, npt.NDArray[Any]]  # field → values; choices as indices into ``allowed[field]``
    allowed: dict[str, tuple[str, ...]]
    measure_items: list[Any]

    def __len__(self) -> int:
        return int(self.rows.size)

    def risk(self, i: int) -> Risk:
        """Row ``i`` of this group as a :class:`Risk`, for the exact scalar engine."""
        view: dict[str, Any] = {}
        for name, column in self.columns.items():
            value = column[i]
            if name in self.allowed:
                view[name] = self.allowed[name][int(value)]
            elif name == "start":
                view[name] = np.datetime64(value, "D").astype(dt.date)
            else:
                view[name] = value.item() if isinstance(value, np.generic) else value
        view["measures"] = self.measure_items[i]
        return inputs.risk_of(view)


def _as_array(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def _valid(arr: pa.Array) -> BoolArray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=np.bool_)
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)


def _typed(rule: FieldRule, arr: pa.Array) -> tuple[npt.NDArray[Any], BoolArray, list[tuple[str, BoolArray]]] | None:
    """A typed column checked in bulk with the rule's ``read_array``; None when it is read value by value."""
    kind = arr.type
    given = _valid(arr)
    numeric = pa.types.is_integer(kind) or pa.types.is_floating(kind)
    if isinstance(rule, IntegerRule) and numeric:
        if pa.types.is_integer(kind):
            raw = arr.fill_null(0).to_numpy(zero_copy_only=False)
            ints = np.minimum(raw, 2**62).astype(np.int64) if raw.dtype == np.uint64 else raw.astype(np.int64)
            not_whole = np.zeros(len(arr), dtype=np.bool_)
        else:
            floats = np.asarray(arr.fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)
            given &= ~np.isnan(floats)  # NaN is a null, as the scalar path reads it
            ints, not_whole = IntegerRule.integers_of_floats(floats)
        failures = [("E_INTEGER", not_whole & given)]
        failures += [(code, mask & given & ~not_whole) for code, mask in rule.read_array(ints)]
        return ints, given, failures
    if isinstance(rule, PercentRule | BooleanRule) and numeric:
        floats = np.asarray(pc.cast(arr, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False))
        given &= ~np.isnan(floats)
        return floats, given, [(code, mask & given) for code, mask in rule.read_array(floats)]
    if isinstance(rule, BooleanRule) and pa.types.is_boolean(kind):
        return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_), given, []
    if isinstance(rule, DateRule) and pa.types.is_date(kind):
        days = np.asarray(pc.cast(arr, pa.date32()).fill_null(0).to_numpy(zero_copy_only=False)).astype("datetime64[D]")
        return days, given, [(code, mask & given) for code, mask in rule.read_array(days)]
    return None


def _distinct(arr: pa.Array) -> tuple[list[Any], npt.NDArray[np.intp]]:
    """The distinct values of a column (as Python values) and the index of each row's value."""
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        seen: dict[Any, int] = {}
        uniques: list[Any] = []
        index = np.zeros(len(arr), dtype=np.intp)
        for i, item in enumerate(arr.to_pylist()):
            key = tuple(item) if isinstance(item, list) else item
            if key not in seen:
                seen[key] = len(uniques)
                uniques.append(item)
            index[i] = seen[key]
        return uniques, index
    encoded = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
    index = np.asarray(encoded.indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.intp)
    return encoded.dictionary.to_pylist(), index


def _read_column(rule: FieldRule, arr: pa.Array, rows: Rows, log: FailureLog) -> _Read:
    """Read one column of one version's rows; problems go to ``log`` with table row numbers."""
    typed = None
    if isinstance(rule, IntegerRule) and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_DIGITS), True)
        if pc.all(plain).as_py():  # only digits (or empty cells): exactly their integers, read in bulk
            typed = _typed(rule, pc.cast(pc.if_else(pc.equal(arr, ""), None, arr), pa.int64()))
    typed = typed or _typed(rule, arr)
    failed = np.zeros(len(arr), dtype=np.bool_)
    if typed is not None:
        column, given, failures = typed
        for code, mask in failures:
            hit = np.flatnonzero(mask)
            failed[hit] = True
            log.add(rule.name, code, rows[hit], _row_error(rule, arr, rows, functools.partial(_same, Failure(code))))
        return _Read(column, given, failed)

    uniques, index = _distinct(arr)
    results = [None if values.is_null(raw) else rule.read(raw) for raw in uniques]
    null_unique = np.array([r is None for r in results] + [True], dtype=np.bool_)
    given = _valid(arr) & ~null_unique[index] if uniques else np.zeros(len(arr), dtype=np.bool_)
    bad_by_code: dict[str, list[int]] = {}
    for u, res in enumerate(results):
        if isinstance(res, Failure | MeasureProblem):
            bad_by_code.setdefault(str(res.code) if isinstance(res, MeasureProblem) else str(res), []).append(u)
    for code, bad in bad_by_code.items():
        hit = np.flatnonzero(np.isin(index, bad) & given)
        failed[hit] = True
        log.add(rule.name, code, rows[hit], _row_error(rule, arr, rows, functools.partial(_result_at, results, index)))
    ok = [r if not isinstance(r, Failure | MeasureProblem) else None for r in results]
    if isinstance(rule, MeasuresRule):
        items = [ok[index[i]] if given[i] else None for i in range(len(arr))]
        counts = np.array([len(t) if isinstance(t, tuple) else 0 for t in items], dtype=np.int64)
        return _Read(counts, given, failed, items)
    if isinstance(rule, ChoiceRule):
        position = {a: i for i, a in enumerate(rule.allowed)}
        codes = np.array([position.get(r, 0) if isinstance(r, str) else 0 for r in ok] + [0], dtype=np.int64)
        return _Read(codes[index], given, failed)
    column = np.array([_plain(r, rule) for r in ok] + [_plain(None, rule)])
    return _Read(column[index], given, failed)


def _same(failure: Failure, _: int) -> Failure:
    return failure


def _result_at(results: list[Any], index: npt.NDArray[np.intp], i: int) -> Any:
    return results[index[i]]


def _plain(value: Any, rule: FieldRule) -> Any:
    """A read value as a column element (percentages as floats: at most four decimals, exact)."""
    if value is None:
        return {DateRule: np.datetime64("2000-01-01", "D"), BooleanRule: False, PercentRule: 0.0}.get(type(rule), 0)
    if isinstance(rule, DateRule):
        return np.datetime64(value, "D")
    return float(value) if isinstance(rule, PercentRule) else value


def _row_error(
    rule: FieldRule, arr: pa.Array, rows: Rows, failure_at: Callable[[int], Any]
) -> Callable[[int], FieldError]:
    """The error of a table row: the rule's message for the value in that cell."""

    def make(row: int) -> FieldError:
        i = int(np.searchsorted(rows, row))
        return rule.error(failure_at(i), arr[i].as_py())

    return make


def read_columns(
    table: pa.Table, *, catalog: Catalog, today: dt.date, log: FailureLog | None = None
) -> list[ColumnRisks]:
    """Validate the input columns of ``table``: one :class:`ColumnRisks` per version that has rows.

    Raises :class:`InvalidInput` with every problem (first row of each, with counts). A caller that
    passes ``log`` gets the problems there instead, row by row (tests compare them with the scalar path).
    """
    own_log = log is None
    log = FailureLog() if log is None else log
    n = table.num_rows
    present = {name: _as_array(table.column(name)) for name in inputs.FIELDS if name in table.column_names}
    versions = catalog.versions()
    all_rows = np.arange(n, dtype=np.intp)
    # The start date of each row chooses its version (a row with a bad start is read with the latest).
    if "start" in present:
        start = _read_column(inputs.DateRule("start", today), present["start"], all_rows, log)
        starts = np.where(start.given, start.values.astype("datetime64[D]"), np.datetime64(today, "D"))
        start_failed = start.failed
    else:
        starts = np.full(n, np.datetime64(today, "D"), dtype="datetime64[D]")
        start_failed = np.zeros(n, dtype=np.bool_)
    effective = np.array([np.datetime64(v.effective_from, "D") for v in versions])
    version_index = np.searchsorted(effective, starts, side="right") - 1
    before = ~start_failed & (version_index < 0)
    earliest = versions[0].effective_from.isoformat()
    log.add(
        "start",
        "E_NO_PRODUCT",
        np.flatnonzero(before),
        lambda r: FieldError(
            "start", "E_NO_PRODUCT", {"value": str(starts[r]), "earliest": earliest, "allowed": [f">= {earliest}"]}
        ),
    )
    version_index = np.where(start_failed | before, len(versions) - 1, version_index)

    groups = []
    every_start = _Starts(starts, start_failed | before)
    for vi, version in enumerate(versions):
        rows = np.flatnonzero(version_index == vi) if len(versions) > 1 else all_rows
        if rows.size:
            groups.append(_read_group(version, _Group(rows, log), present, every_start, today))
    if own_log and log.entries:
        raise InvalidInput(log.to_errors())
    return groups


def _read_group(
    version: ProductVersion, group: _Group, present: dict[str, pa.Array], starts: _Starts, today: dt.date
) -> ColumnRisks:
    """Read every field for the rows of one version, then the rules across fields."""
    rows, view, failed = group.rows, group.view, group.failed
    m = rows.size
    subset = m != len(starts.days)
    allowed: dict[str, tuple[str, ...]] = {}
    items: list[Any] = [None] * m
    for name, rule in inputs.field_rules(version, today).rules.items():
        if name == "start":
            read = _Read(starts.days[rows] if subset else starts.days, np.ones(m, dtype=np.bool_), starts.failed[rows])
        elif name in present:
            arr = present[name].take(pa.array(rows)) if subset else present[name]
            read = _read_column(rule, arr, rows, group.log)
        else:
            read = _Read(np.full(m, _plain(None, rule)), np.zeros(m, dtype=np.bool_), np.zeros(m, dtype=np.bool_))
        view[f"given:{name}"] = read.given
        absent = ~read.given & ~read.failed
        if name != "start" and absent.any():
            read = _with_default(rule, read, absent, group)
        view[name] = read.values
        failed[name] = read.failed
        if isinstance(rule, ChoiceRule):
            allowed[name] = rule.allowed
        if read.items is not None:
            items = read.items
    for row_rule in inputs.ROW_RULES:
        ok = np.logical_and.reduce([~failed[needed] for needed in row_rule.needs])
        broken = np.flatnonzero(np.asarray(row_rule.broken(view), dtype=np.bool_) & ok)
        group.log.add(row_rule.field, row_rule.code, rows[broken], _rule_error(row_rule, version, view, rows))
    columns = {name: view[name] for name in inputs.FIELDS}
    columns["security_measures"] = np.where(view["given:measures"], columns["measures"], columns["security_measures"])
    return ColumnRisks(version, rows, columns, allowed, items)


def _rule_error(
    rule: inputs.RowRule, version: ProductVersion, view: dict[str, Any], rows: Rows
) -> Callable[[int], FieldError]:
    def make(row: int) -> FieldError:
        i = int(np.searchsorted(rows, row))
        at = {k: v[i] for k, v in view.items()}
        return FieldError(rule.field, rule.code, rule.params(at, version.rating))

    return make


def _with_default(rule: FieldRule, read: _Read, absent: BoolArray, group: _Group) -> _Read:
    """Absent cells take the rule's default, computed once per distinct combination of what it depends on."""
    view, failed, rows, log = group.view, group.failed, group.rows, group.log
    where_absent = np.flatnonzero(absent)
    # Each dependency of a row as one integer: its value, or -1 when not given, -2 when invalid.
    keys = [np.where(failed[d], -2, np.where(view[f"given:{d}"], view[d], -1))[where_absent] for d in rule.depends]
    if not keys:
        combos, which = np.zeros((1, 0), dtype=np.int64), np.zeros(where_absent.size, dtype=np.intp)
    elif len(keys) == 1:
        distinct, which = np.unique(keys[0], return_inverse=True)
        combos = distinct.reshape(-1, 1)
    else:
        combos, which = np.unique(np.stack(keys).T, axis=0, return_inverse=True)
    out = read.values.copy()
    failed_now = read.failed.copy()
    for c, combo in enumerate(combos):
        probe: dict[str, Any] = {}
        for dep, code in zip(rule.depends, combo, strict=False):
            probe[f"given:{dep}"] = bool(code != -1)
            probe[dep] = Failure("E_INVALID") if code == -2 else int(code)
        members = where_absent[which.reshape(-1) == c]
        default = rule.default(probe)
        if default is MISSING:
            log.add(rule.name, "E_REQUIRED", rows[members], lambda _r: rule.missing_error())
            failed_now[members] = True
        elif isinstance(rule, ChoiceRule):
            out[members] = rule.allowed.index(default)
        elif default is not None:
            out[members] = _plain(default, rule)
    return _Read(out, read.given, failed_now, read.items)
