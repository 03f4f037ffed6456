"""Rating a whole table (``quote-batch``): read the input columns, rate each version's rows, add the answer.

No file is read or written here (that is :mod:`mamori.io.tables`); this turns an Arrow table of risks
into the same table with ``status``, one ``<payment>_premium`` column per payment method
(``monthly_premium``, ``annual_premium``), ``reason_codes`` and ``product_version`` added.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from mamori.catalog import Catalog
from mamori.errors import FieldError, InvalidInput
from mamori.rating import columns, eligibility, inputs, vectorised

__all__ = ["TableSummary", "output_columns", "rate_table", "unknown_columns"]

#: Answer columns besides the premiums; an input column of the same name is replaced on re-rating.
ANSWER_COLUMNS: Final = ("status", "reason_codes", "product_version")


@dataclass
class TableSummary:
    rows: int
    quoted: int = 0
    referred: int = 0
    declined: int = 0
    exact_rows: int = 0  # rows on a rounding boundary, decided by the exact engine
    versions: dict[str, int] = field(default_factory=dict)


def output_columns(catalog: Catalog) -> tuple[str, ...]:
    premiums = {f"{code}_premium": None for v in catalog.versions() for code in v.rating.payments}
    return (ANSWER_COLUMNS[0], *premiums, *ANSWER_COLUMNS[1:])


def unknown_columns(names: list[str], catalog: Catalog) -> list[FieldError]:
    """A column that is not an input but looks like a misspelt one (``liabilty_limit``) is refused;
    other columns (a customer number, notes) pass through to the output unchanged."""
    known = [*inputs.FIELDS, *output_columns(catalog)]
    found = []
    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if close:
            found.append(
                FieldError(name, "E_COLUMN_UNKNOWN", {"value": name, "suggestion": close[0], "allowed": known})
            )
    return found


def _labels(index: npt.NDArray[np.int32], labels: list[str]) -> pa.Array:
    """A text column with few distinct values, dictionary-encoded (Parquet keeps it so; CSV writes text)."""
    return pa.DictionaryArray.from_arrays(pa.array(index, type=pa.int32()), pa.array(labels or [""], type=pa.string()))


def rate_table(table: pa.Table, *, catalog: Catalog, today: dt.date) -> tuple[pa.Table, TableSummary]:
    """Validate every row (InvalidInput lists every problem), then rate each version's rows."""
    problems = unknown_columns(table.column_names, catalog)
    if problems:
        raise InvalidInput(problems)
    groups = columns.read_columns(table, catalog=catalog, today=today)
    n = table.num_rows
    summary = TableSummary(rows=n)
    outputs = output_columns(catalog)
    status = np.zeros(n, dtype=np.int32)
    premiums = {name: np.zeros(n, dtype=np.int64) for name in outputs if name.endswith("_premium")}
    reason_index = np.zeros(n, dtype=np.int32)
    reason_labels: list[str] = []
    version_index = np.zeros(n, dtype=np.int32)
    version_labels: list[str] = []
    for group in groups:
        result = vectorised.rate_columns(group)
        rows = group.rows
        status[rows] = result.status
        for code, amounts in result.premiums.items():
            premiums[f"{code}_premium"][rows] = amounts
        distinct, inverse = np.unique(result.reasons, return_inverse=True)
        labels = [";".join(c for j, c in enumerate(result.reason_codes) if int(bits) >> j & 1) for bits in distinct]
        ids = np.array([_intern(reason_labels, label) for label in labels], dtype=np.int32)
        reason_index[rows] = ids[inverse.reshape(-1)]
        version_index[rows] = _intern(version_labels, group.version.version)
        summary.exact_rows += result.exact_rows
        summary.versions[group.version.version] = len(group)
    quoted = status == vectorised.QUOTED
    summary.quoted = int(quoted.sum())
    summary.referred = int((status == vectorised.REFERRED).sum())
    summary.declined = int((status == vectorised.DECLINED).sum())

    out = table.drop_columns([c for c in outputs if c in table.column_names])
    out = out.append_column("status", _labels(status, list(eligibility.DECISIONS)))
    for name, amounts in premiums.items():
        out = out.append_column(name, pa.array(amounts, mask=~quoted, type=pa.int64()))
    out = out.append_column("reason_codes", _labels(reason_index, reason_labels))
    return out.append_column("product_version", _labels(version_index, version_labels)), summary


def _intern(labels: list[str], label: str) -> int:
    if label not in labels:
        labels.append(label)
    return labels.index(label)
