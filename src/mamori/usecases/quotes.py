"""Use cases of rating: one quote, or a whole table on the vectorised path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mamori.catalog import Catalog, ProductVersion
from mamori.io import tables
from mamori.rating import batch, engine, inputs

__all__ = ["published_table", "quote", "rate_table"]


def quote(
    catalog: Catalog,
    raw: Mapping[str, Any],
    *,
    today: dt.date | None = None,
    version: ProductVersion | None = None,
) -> engine.Quote:
    """Validate and rate one risk (InvalidInput lists every problem). ``version``: rate with this one
    (a policy's own) instead of the version in force on the start date."""
    chosen, risk = inputs.parse_risk(raw, catalog=catalog, today=today, version=version)
    return engine.rate(chosen, risk)


def rate_table(
    catalog: Catalog,
    source: Path,
    target: Path,
    *,
    today: dt.date | None = None,
    encoding: str = "auto",
) -> batch.TableSummary:
    """Rate every row of a CSV or Parquet file into ``target``; nothing is written unless every row is valid."""
    tables.check_target(target)
    table = tables.read_table(source, encoding=encoding)
    tables.check_english_names(table.column_names, inputs.FIELDS)
    tables.check_types(table, [c for c in table.column_names if c in inputs.FIELDS])
    with tables.rows_as_in_file(source):
        rated, summary = batch.rate_table(table, catalog=catalog, today=today or catalog.latest().today())
    tables.write_table(rated, target)
    return summary


def published_table(catalog: Catalog, *, today: dt.date | None = None) -> tuple[ProductVersion, list[dict[str, Any]]]:
    """The product page's premium table, re-rated: monthly premiums of the published classes at the two
    anchor revenues under the reference conditions (the rows and columns come from the product data)."""
    today = today or catalog.latest().today()
    version = catalog.in_force(max(today, catalog.earliest_start()))
    r = version.rating
    start = max(today, version.effective_from).isoformat()
    rows = []
    for industry in r.published_classes:
        row: dict[str, Any] = {"industry": industry}
        for revenue in (r.reference_revenue, r.upper_anchor_revenue):
            row[str(revenue)] = quote(
                catalog, {"industry": industry, "revenue": revenue, "start": start}
            ).monthly_premium
        rows.append(row)
    return version, rows
