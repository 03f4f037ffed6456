"""``mamori quote-batch IN OUT``: rate every row of a CSV or Parquet file on the vectorised path.

Columns are named like the CLI's long options with ``_`` (interfaces.md §1.2); a missing column or an
empty cell takes the default, as ``mamori quote`` does. Other columns pass through unchanged. Every
row is validated before any is rated; on an invalid row nothing is written (the output is written to
a temporary file in OUT's folder and moved into place only when complete).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from mamori import i18n, rating_batch, risk
from mamori import product as product_mod
from mamori.errors import FieldError, InvalidInput

__all__ = ["BatchSummary", "quote_batch"]

OUTPUT_COLUMNS: Final = ("status", "monthly_premium", "annual_premium", "reason_codes", "product_version")
_FORMATS: Final = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass
class BatchSummary:
    rows: int
    quoted: int
    referred: int
    declined: int
    fallback_rows: int
    versions: dict[str, int] = field(default_factory=dict)


class _RowErrors:
    """The first invalid row of each (field, code), with the count of rows sharing that problem."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], tuple[int, FieldError, int]] = {}

    def add(self, rows: npt.NDArray[np.intp], make: Callable[[int], FieldError]) -> None:
        if rows.size == 0:
            return
        first = int(rows[0])
        err = make(first)
        key = (err.field, err.code)
        if key in self.found:
            row, prev, count = self.found[key]
            self.found[key] = (min(row, first), prev if row <= first else err, count + int(rows.size))
        else:
            self.found[key] = (first, err, int(rows.size))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        errors = []
        for row, err, count in sorted(self.found.values(), key=lambda t: t[0]):
            errors.append(_BatchFieldError(err.field, err.code, err.params, row=row + 1, more=count - 1))
        raise InvalidInput(errors)


@dataclass(frozen=True, slots=True)
class _BatchFieldError(FieldError):
    row: int = 0
    more: int = 0

    def message(self, lang: i18n.Lang) -> str:
        text = i18n.message("E_BATCH_ROW", lang, row=self.row, message=FieldError.message(self, lang))
        if self.more:
            text += " " + i18n.message("E_BATCH_MORE", lang, count=self.more)
        return text

    def to_dict(self, lang: i18n.Lang) -> dict[str, Any]:
        return {**FieldError.to_dict(self, lang), "row": self.row, "more_rows": self.more}


# ------------------------------------------------------------------------------------------ reading


def _format_of(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput([FieldError("format", "E_FORMAT", {"path": str(path), "allowed": list(_FORMATS)})])
    return fmt


def _read(path: Path) -> pa.Table:
    fmt = _format_of(path)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path)
        import pyarrow.csv as pacsv

        # An empty cell is a missing value (the default applies), as an absent option is on the CLI.
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    except (OSError, pa.ArrowInvalid) as exc:
        raise InvalidInput([FieldError("IN", "E_FILE", {"path": str(path), "problem": str(exc)})]) from None


def _write(table: pa.Table, path: Path) -> None:
    """Write atomically: a temporary file in the same folder, renamed into place when complete."""
    fmt = _format_of(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or Path("."))
    os.close(fd)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, tmp)
        else:
            import pyarrow.csv as pacsv

            strings = [pc.cast(c, pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns]
            pacsv.write_csv(pa.Table.from_arrays(strings, names=table.column_names), tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------------------ columns


def _then(parse: Callable[[Any], Any], convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse`` then ``convert`` the result, passing a :class:`FieldError` through."""

    def run(value: Any) -> Any:
        parsed = parse(value)
        return parsed if isinstance(parsed, FieldError) else convert(parsed)

    return run


class _Columns:
    """Typed, validated numpy views of the input columns, with nulls reported for defaulting."""

    def __init__(self, table: pa.Table, errors: _RowErrors) -> None:
        self.table = table
        self.n = table.num_rows
        self.errors = errors

    def has(self, name: str) -> bool:
        return name in self.table.column_names

    def array(self, name: str) -> pa.Array:
        column = self.table.column(name)
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)

    def nulls(self, name: str) -> npt.NDArray[np.bool_]:
        if not self.has(name):
            return np.ones(self.n, dtype=np.bool_)
        arr = self.array(name)
        if arr.null_count == 0:
            return np.zeros(self.n, dtype=np.bool_)
        return np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_)

    def by_unique(self, name: str, parse: Callable[[Any], Any], dtype: Any) -> npt.NDArray[Any]:
        """Parse each distinct value once with ``parse`` (the scalar path's own field parser).

        ``parse`` returns the value or a :class:`FieldError`; rows holding a bad value are reported.
        """
        encoded = pc.dictionary_encode(self.array(name))
        parsed = [parse(v) for v in encoded.dictionary.to_pylist()]
        if not parsed:  # every cell is null
            return np.zeros(self.n, dtype=dtype)
        bad = np.array([isinstance(v, FieldError) for v in parsed], dtype=np.bool_)
        table = np.asarray(
            [v if not isinstance(v, FieldError) else np.zeros((), dtype=dtype) for v in parsed], dtype=dtype
        )
        indices = np.asarray(encoded.indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.intp)
        if bad.any():
            rows = np.flatnonzero(bad[indices] & ~self.nulls(name))
            self.errors.add(rows, lambda r: parsed[indices[r]])
        return table[indices]

    def _via(self, name: str, method: str, *args: Any) -> Callable[[Any], Any]:
        """A scalar :class:`risk.FieldParser` method as a one-value parser."""

        def parse(value: Any) -> Any:
            parser = risk.FieldParser()
            result = getattr(parser, method)({name: value}, name, *args)
            return parser.errors[0] if parser.errors else result

        return parse

    def integers(self, name: str, default: int | npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        if not self.has(name):
            return np.broadcast_to(np.asarray(default, dtype=np.int64), (self.n,)).copy()
        arr = self.array(name)
        kind = arr.type
        nulls = self.nulls(name)
        if pa.types.is_integer(kind):
            values = np.asarray(arr.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
        elif pa.types.is_floating(kind) or pa.types.is_decimal(kind):
            floats = np.asarray(pc.cast(arr, pa.float64()).fill_null(0).to_numpy(zero_copy_only=False))
            bad = ~nulls & ~(np.isfinite(floats) & (floats == np.floor(floats)))
            self.errors.add(np.flatnonzero(bad), lambda r: FieldError(name, "E_INTEGER", {"value": floats[r]}))
            values = np.where(bad, 0, floats).astype(np.int64)
        else:
            values = self.by_unique(name, self._via(name, "integer"), np.int64)
        return np.where(nulls, default, values).astype(np.int64)

    def percents(self, name: str) -> npt.NDArray[np.float64]:
        if not self.has(name):
            return np.zeros(self.n)
        arr = self.array(name)
        nulls = self.nulls(name)
        if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
            values = np.asarray(pc.cast(arr, pa.float64()).fill_null(0).to_numpy(zero_copy_only=False))
            finite = np.isfinite(values)
            self.errors.add(
                np.flatnonzero(~nulls & ~finite), lambda r: FieldError(name, "E_NUMBER", {"value": values[r]})
            )
            out_of_range = ~nulls & finite & ((values < 0) | (values > 100))
            self.errors.add(
                np.flatnonzero(out_of_range),
                lambda r: FieldError(name, "E_RANGE", {"value": values[r], "minimum": 0, "maximum": 100}),
            )
        else:
            parse = self._via(name, "percent")
            values = self.by_unique(name, _then(parse, float), np.float64)
        return np.where(nulls | ~np.isfinite(values), 0.0, values)

    def booleans(self, name: str) -> npt.NDArray[np.bool_]:
        if not self.has(name):
            return np.zeros(self.n, dtype=np.bool_)
        arr = self.array(name)
        if pa.types.is_boolean(arr.type):
            return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_)
        values = self.by_unique(name, self._via(name, "boolean"), np.bool_)
        return np.where(self.nulls(name), False, values)

    def choices(self, name: str, allowed: Sequence[Any], default: Any) -> npt.NDArray[np.int64]:
        """Index into ``allowed`` of each row's value."""
        fallback = allowed.index(default) if default in allowed else 0
        if not self.has(name):
            return np.full(self.n, fallback, dtype=np.int64)
        parse = self._via(name, "choice", tuple(allowed), default)
        position = {a: i for i, a in enumerate(allowed)}
        values = self.by_unique(name, _then(parse, position.__getitem__), np.int64)
        return np.where(self.nulls(name), fallback, values).astype(np.int64)

    def measure_counts(self, name: str, allowed: tuple[str, ...]) -> npt.NDArray[np.int64]:
        parse = self._via(name, "measure_list", allowed)
        return self.by_unique(name, _then(parse, len), np.int64)

    def dates(self, name: str, default: dt.date) -> npt.NDArray[np.datetime64]:
        fallback = np.datetime64(default, "D")
        if not self.has(name):
            return np.full(self.n, fallback, dtype="datetime64[D]")
        arr = self.array(name)
        nulls = self.nulls(name)
        if pa.types.is_date(arr.type):
            days = np.asarray(pc.cast(arr, pa.date32()).fill_null(0).to_numpy(zero_copy_only=False))
            values = days.astype("datetime64[D]")
        else:

            def parse(v: Any) -> Any:
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                    return np.datetime64(v, "D")
                try:
                    return np.datetime64(dt.date.fromisoformat(str(v).strip()), "D")
                except ValueError:
                    return FieldError(name, "E_DATE", {"value": v})

            values = self.by_unique(name, parse, "datetime64[D]")
        return np.where(nulls, fallback, values).astype("datetime64[D]")


# ------------------------------------------------------------------------------------------ rating


def _error_of(field: str, code: str, **params: Any) -> Callable[[int], FieldError]:
    """The error of row ``r``: array params are read at ``r``, others as given."""

    def make(r: int) -> FieldError:
        values: dict[str, Any] = {}
        for key, param in params.items():
            if isinstance(param, np.ndarray):
                values[key] = param[r].item() if param.dtype != object else param[r]
            else:
                values[key] = param
        return FieldError(field, code, values)

    return make


def _check_allowed(
    errors: _RowErrors,
    name: str,
    values: npt.NDArray[np.int64],
    allowed: Sequence[int],
    rows: npt.NDArray[np.intp],
) -> None:
    bad = rows[~np.isin(values[rows], np.asarray(allowed, dtype=np.int64))]
    errors.add(bad, lambda r: FieldError(name, "E_CHOICE", {"value": int(values[r]), "allowed": list(allowed)}))


def _measures_count(cols: _Columns, product: product_mod.Product, errors: _RowErrors) -> npt.NDArray[np.int64]:
    counts = cols.integers("security_measures", product.measure_reference_count)
    total = len(product.measures)
    if cols.has("security_measures"):
        rows = np.flatnonzero(~cols.nulls("security_measures") & ((counts < 0) | (counts > total)))
        errors.add(
            rows,
            lambda r: FieldError(
                "security_measures", "E_RANGE", {"value": int(counts[r]), "minimum": 0, "maximum": total}
            ),
        )
    if cols.has("measures"):
        listed = cols.measure_counts("measures", product.measure_ids)
        has_list = ~cols.nulls("measures")
        both = np.flatnonzero(has_list & ~cols.nulls("security_measures"))
        errors.add(both, lambda _r: FieldError("measures", "E_MEASURES_BOTH"))
        counts = np.where(has_list, listed, counts)
    return counts


def quote_batch(source: Path, target: Path, *, today: dt.date | None = None) -> BatchSummary:
    """Rate every row of ``source`` and write ``target``. Raises :class:`InvalidInput`; writes nothing then."""
    table = _read(source)
    errors = _RowErrors()
    cols = _Columns(table, errors)
    n = table.num_rows
    today = today or risk.jst_today()

    start = cols.dates("start", today)
    versions = product_mod.available_versions()
    effective = np.array([np.datetime64(p.effective_from, "D") for p in versions])
    version_index = np.searchsorted(effective, start, side="right") - 1
    before = np.flatnonzero(version_index < 0)
    earliest = versions[0].effective_from.isoformat()
    errors.add(
        before,
        lambda r: FieldError(
            "start",
            "E_NO_PRODUCT",
            {"value": str(start[r]), "earliest": earliest, "allowed": f">= {earliest}"},
        ),
    )
    version_index = np.maximum(version_index, 0)

    product = versions[-1]  # column-level checks use the latest version; per-version checks below
    industries = list(product.industries)
    industry = cols.choices("industry", industries, None) if cols.has("industry") else np.zeros(n, dtype=np.int64)
    missing_industry = np.flatnonzero(cols.nulls("industry"))
    errors.add(missing_industry, lambda _r: FieldError("industry", "E_REQUIRED", {"allowed": industries}))

    revenue = cols.integers("revenue", 0)
    revenue_null = cols.nulls("revenue")
    errors.add(np.flatnonzero(revenue_null), lambda _r: FieldError("revenue", "E_REQUIRED"))
    errors.add(
        np.flatnonzero(~revenue_null & (revenue <= 0)),
        lambda r: FieldError("revenue", "E_REVENUE_POSITIVE", {"value": int(revenue[r])}),
    )
    cols.choices("payment", risk.PAYMENTS, "monthly")
    cols.choices("entity", risk.ENTITY_TYPES, "corporation")
    term = cols.integers("term_months", product.term_months)
    overseas = cols.percents("overseas_share")
    north_america = cols.percents("north_america_share")
    errors.add(
        np.flatnonzero(north_america > overseas),
        lambda r: FieldError(
            "north_america_share", "E_NA_ABOVE_OVERSEAS", {"value": north_america[r], "overseas": overseas[r]}
        ),
    )
    pd_rider = cols.booleans("pd_rider")
    cols.booleans("new_business")

    status = np.zeros(n, dtype=np.int8)
    monthly = np.zeros(n, dtype=np.int64)
    annual = np.zeros(n, dtype=np.int64)
    reason_index = np.zeros(n, dtype=np.int32)  # into reason_labels
    reason_labels: list[str] = []
    version_index_out = np.zeros(n, dtype=np.int32)  # into version_labels
    version_labels: list[str] = []
    summary = BatchSummary(rows=n, quoted=0, referred=0, declined=0, fallback_rows=0)
    plans: list[tuple[product_mod.Product, npt.NDArray[np.intp], rating_batch.BatchRisks]] = []
    for vi, prod in enumerate(versions):
        rows = np.flatnonzero(version_index == vi) if len(versions) > 1 else np.arange(n)
        if rows.size == 0:
            continue
        liability = cols.integers("liability_limit", prod.liability_default)
        _check_allowed(errors, "liability_limit", liability, prod.allowed_amounts("liability"), rows)
        expense_default: int | npt.NDArray[np.int64] = prod.expense_default
        if cols.has("liability_limit"):
            # Only the liability limit given: the largest expense option not above it (interfaces.md §1.1).
            options = prod.allowed_amounts("liability")
            defaults = np.array([prod.default_expense_for(a) for a in options], dtype=np.int64)
            position = np.clip(np.searchsorted(np.asarray(options), liability), 0, len(options) - 1)
            expense_default = np.where(cols.nulls("liability_limit"), prod.expense_default, defaults[position])
        expense = cols.integers("expense_limit", expense_default)
        _check_allowed(errors, "expense_limit", expense, prod.allowed_amounts("expense"), rows)
        above = rows[(expense[rows] > liability[rows]) & np.isin(expense[rows], prod.allowed_amounts("expense"))]
        fitting = {a: [e for e in prod.allowed_amounts("expense") if e <= a] for a in prod.allowed_amounts("liability")}
        allowed_expense = np.empty(n, dtype=object)
        allowed_expense[above] = [fitting.get(int(a), []) for a in liability[above]]
        errors.add(
            above,
            _error_of(
                "expense_limit",
                "E_EXPENSE_ABOVE_LIABILITY",
                value=expense,
                liability=liability,
                allowed=allowed_expense,
            ),
        )
        deductible = cols.integers("deductible", prod.deductible_default)
        _check_allowed(errors, "deductible", deductible, prod.allowed_amounts("deductible"), rows)
        bi_limit = cols.integers("bi_limit", prod.bi_default)
        _check_allowed(errors, "bi_limit", bi_limit, prod.allowed_amounts("bi"), rows)
        bad_term = rows[term[rows] != prod.term_months]
        errors.add(bad_term, _error_of("term_months", "E_TERM", value=term, allowed=[prod.term_months]))
        measures = _measures_count(cols, prod, errors)
        plans.append(
            (
                prod,
                rows,
                rating_batch.BatchRisks(
                    industry=industry[rows],
                    revenue=revenue[rows],
                    liability_limit=liability[rows],
                    expense_limit=expense[rows],
                    deductible=deductible[rows],
                    measures_declared=measures[rows],
                    overseas_pct=overseas[rows],
                    north_america_pct=north_america[rows],
                    bi_limit=bi_limit[rows],
                    pd_rider=pd_rider[rows],
                    start=start[rows],
                ),
            )
        )
    errors.raise_if_any()

    for prod, rows, risks in plans:
        result = rating_batch.rate_arrays(prod, risks)
        status[rows] = result.status
        monthly[rows] = result.monthly
        annual[rows] = result.annual
        unique_bits, inverse = np.unique(result.reasons, return_inverse=True)
        labels = [";".join(c for j, c in enumerate(result.reason_codes) if int(b) >> j & 1) for b in unique_bits]
        label_ids = np.array([_intern(reason_labels, label) for label in labels], dtype=np.int32)
        reason_index[rows] = label_ids[inverse.reshape(-1)]
        version_index_out[rows] = _intern(version_labels, prod.version)
        summary.fallback_rows += result.fallback_rows
        summary.versions[prod.version] = int(rows.size)

    quoted = status == rating_batch.QUOTED
    summary.quoted = int(quoted.sum())
    summary.referred = int((status == rating_batch.REFERRED).sum())
    summary.declined = int((status == rating_batch.DECLINED).sum())

    out = table.drop_columns([c for c in OUTPUT_COLUMNS if c in table.column_names])
    out = out.append_column("status", _labels(status.astype(np.int32), list(rating_batch.STATUS_NAMES)))
    out = out.append_column("monthly_premium", pa.array(monthly, mask=~quoted, type=pa.int64()))
    out = out.append_column("annual_premium", pa.array(annual, mask=~quoted, type=pa.int64()))
    out = out.append_column("reason_codes", _labels(reason_index, reason_labels))
    out = out.append_column("product_version", _labels(version_index_out, version_labels))
    _write(out, target)
    return summary


def _intern(labels: list[str], label: str) -> int:
    if label not in labels:
        labels.append(label)
    return labels.index(label)


def _labels(index: npt.NDArray[np.int32], labels: list[str]) -> pa.Array:
    """A string column with few distinct values, dictionary-encoded (Parquet keeps it so; CSV writes text)."""
    return pa.DictionaryArray.from_arrays(pa.array(index, type=pa.int32()), pa.array(labels or [""], type=pa.string()))
