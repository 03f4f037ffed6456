"""Use cases of the portfolio engine: simulate a book under a loss model, export a book to Oasis OED, and build
a book from the web application's policies.

- :func:`simulate` — ``mamori portfolio simulate BOOK MODEL`` (interfaces.md §1.6): the book read from a CSV
  or Parquet file, the model from a TOML file, the terms from the product version the model names; the
  answer, and with ``out`` the year loss table (Parquet), the EP curves and the loss by industry (PNG);
- :func:`simulate_book` — the same for a book already in memory (the web application's);
- :func:`load_treaty` — a reinsurance treaty (product.md §8.4) from a TOML file; :func:`shipped_treaties` —
  the sample treaties shipped with the package (``portfolio/treaties/``);
- :func:`book_from_records` — a book from plain records (one mapping per policy), checked field by field;
- :func:`export_oed` — the book as Oasis OED (the account file; a location file on request).

Every input is checked before anything is simulated or written; problems are one :class:`InvalidInput`
naming each field (or column and row) and the values allowed. A cell is read with the same value rules as a
quote (:mod:`mamori.rating.values`: ``500,000,000``, ``５億`` is not a number, ``はい``/``true``...).
The engine itself (numba, Dask, matplotlib) is imported only when a simulation runs.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mamori import money
from mamori.catalog import Catalog, ProductDataError, ProductVersion, UnknownVersion
from mamori.errors import FieldError, InvalidInput, Problem
from mamori.rating import values

if TYPE_CHECKING:
    import pyarrow as pa

    from mamori.portfolio.book import Book
    from mamori.portfolio.engine import YearTable
    from mamori.portfolio.model import Model
    from mamori.portfolio.runner import Cluster
    from mamori.portfolio.treaty import Treaty

__all__ = [
    "DEFAULT_MODEL",
    "MAX_YEARS",
    "OPTIONAL_COLUMNS",
    "Simulation",
    "book_from_records",
    "book_from_table",
    "export_oed",
    "load_model_for",
    "load_treaty",
    "read_book",
    "shipped_treaties",
    "simulate",
    "simulate_book",
]

#: The reference model shipped with the package (every value illustrative).
DEFAULT_MODEL: Final = Path(__file__).resolve().parent.parent / "portfolio" / "models" / "sme-cyber-2025.toml"
#: The sample reinsurance treaties shipped with the package (every value illustrative).
TREATIES: Final = Path(__file__).resolve().parent.parent / "portfolio" / "treaties"
#: At most this many simulated years in one run (10 million: the year loss table alone is 560 MB).
MAX_YEARS: Final = 10_000_000
#: Columns a book may add: the number of security measures declared, or the declared items themselves, and
#: the policy's start date (used by the OED export).
OPTIONAL_COLUMNS: Final = ("security_measures", "measures", "start_date")
YEAR_TABLE: Final = "year_loss_table.parquet"
EP_CURVE: Final = "ep_curve.png"
BY_INDUSTRY: Final = "loss_by_industry.png"
SUMMARY: Final = "summary.json"

Progress = Callable[[int, int], None]


# ------------------------------------------------------------------------------------------ the book


@dataclass
class _Problems:
    """Problems of a table, one entry per (field, code): its first row and how many rows share it."""

    found: dict[tuple[str, str], tuple[int, int, dict[str, Any]]] = field(default_factory=dict)

    def add(self, name: str, code: str, row: int, **params: Any) -> None:
        key = (name, code)
        first = self.found.get(key)
        self.found[key] = (row, 1, params) if first is None else (first[0], first[1] + 1, first[2])

    def errors(self, *, rows: bool) -> list[FieldError]:
        return [
            FieldError(name, code, params, row=row + 1 if rows else None, more=count - 1 if rows else 0)
            for (name, code), (row, count, params) in self.found.items()
        ]


def _integer(raw: list[Any], name: str, minimum: int, problems: _Problems) -> list[int]:
    """A column of whole yen (or counts) from minimum to MAX_YEN, read once per distinct value."""
    cache: dict[Any, int | values.Failure] = {}
    out = []
    for row, value in enumerate(raw):
        if values.is_null(value):
            problems.add(name, "E_REQUIRED", row)
            out.append(0)
            continue
        key = (type(value), value)
        read = cache.get(key)
        if read is None:
            read = cache[key] = values.read_integer(value)
        if isinstance(read, values.Failure):
            problems.add(name, str(read), row, value=value)
            out.append(0)
        elif not minimum <= read <= money.MAX_YEN:
            problems.add(name, "E_RANGE", row, value=value, minimum=minimum, maximum=money.MAX_YEN)
            out.append(0)
        else:
            out.append(read)
    return out


def _choice(raw: list[Any], name: str, allowed: Sequence[str], problems: _Problems) -> list[str]:
    out = []
    for row, value in enumerate(raw):
        read = values.read_choice(value, allowed) if not values.is_null(value) else values.Failure("E_REQUIRED")
        if isinstance(read, values.Failure):
            problems.add(name, str(read), row, value=value, allowed=list(allowed))
            out.append(allowed[0])
        else:
            out.append(read)
    return out


def _boolean(raw: list[Any], name: str, problems: _Problems) -> list[bool]:
    out = []
    for row, value in enumerate(raw):
        read = values.read_boolean(value) if not values.is_null(value) else values.Failure("E_REQUIRED")
        if isinstance(read, values.Failure):
            problems.add(name, str(read), row, value=value, allowed=["true", "false"])
            out.append(False)
        else:
            out.append(read)
    return out


def _ids(raw: list[Any], problems: _Problems) -> list[str]:
    """Policy ids, each given and given once (a policy counted twice would double its losses)."""
    out = []
    first: dict[str, int] = {}
    for row, value in enumerate(raw):
        text = "" if values.is_null(value) else values.normalise(str(value))
        if not text:
            problems.add("policy_id", "E_REQUIRED", row)
        elif text in first:
            problems.add("policy_id", "E_POLICY_ID_DUPLICATE", row, value=text, first_row=first[text] + 1)
        else:
            first[text] = row
        out.append(text)
    return out


def _measures(columns: Mapping[str, list[Any]], n: int, version: ProductVersion, problems: _Problems) -> list[int]:
    """Declared security measures per policy: a count, or the items; the product's reference count when absent."""
    rating = version.rating
    count = len(rating.measures)
    if "security_measures" in columns:
        return _measure_counts(columns["security_measures"], count, problems)
    if "measures" in columns:
        out = []
        for row, value in enumerate(columns["measures"]):
            read = () if values.is_null(value) else values.read_measures(value, rating.measure_ids)
            if isinstance(read, values.MeasureProblem):
                problems.add("measures", str(read.code), row, value=list(read.ids), allowed=list(rating.measure_ids))
                out.append(0)
            else:
                out.append(len(read))
        return out
    return [rating.measure_reference_count] * n


def _measure_counts(raw: list[Any], count: int, problems: _Problems) -> list[int]:
    read = _integer(raw, "security_measures", 0, problems)
    out = []
    for row, k in enumerate(read):
        if k > count:
            problems.add("security_measures", "E_RANGE", row, value=raw[row], minimum=0, maximum=count)
        out.append(min(k, count))
    return out


def _columns_problems(names: Iterable[str], known: Sequence[str]) -> list[FieldError]:
    """Required columns missing, and unknown columns that look like a misspelt one (``deductable``)."""
    from mamori.portfolio.book import REQUIRED_COLUMNS

    present = set(names)
    found = [
        FieldError(name, "E_COLUMN_MISSING", {"allowed": list(known)})
        for name in REQUIRED_COLUMNS
        if name not in present
    ]
    for name in present - set(known):
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if close:
            found.append(
                FieldError(name, "E_COLUMN_UNKNOWN", {"value": name, "suggestion": close[0], "allowed": list(known)})
            )
    return found


def _book(columns: Mapping[str, list[Any]], n: int, version: ProductVersion, *, rows: bool) -> Book:
    from mamori.portfolio.book import INTEGER_COLUMNS, REQUIRED_COLUMNS, Book

    known = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
    missing = _columns_problems(columns, known)
    if missing:
        raise InvalidInput(missing)
    if n == 0:
        raise InvalidInput([FieldError("policy_id", "E_REQUIRED", {})])
    problems = _Problems()
    industries = tuple(version.rating.industries)
    ids = _ids(columns["policy_id"], problems)
    industry = _choice(columns["industry"], "industry", industries, problems)
    integers = {
        name: _integer(columns[name], name, 1 if name == "revenue" else 0, problems) for name in INTEGER_COLUMNS
    }
    pd_rider = _boolean(columns["pd_rider"], "pd_rider", problems)
    measures = _measures(columns, n, version, problems)
    if problems.found:
        raise InvalidInput(problems.errors(rows=rows))
    return Book.of(
        policy_id=ids, industry=industry, industries=industries, columns=integers, pd_rider=pd_rider,
        security_measures=measures,
    )  # fmt: skip


def book_from_table(table: pa.Table, version: ProductVersion) -> Book:
    """A book from a table (a column per field, a row per policy): InvalidInput with the rows at fault."""
    from mamori.io import tables
    from mamori.portfolio.book import REQUIRED_COLUMNS

    tables.check_english_names(table.column_names, [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
    tables.check_types(table, [c for c in table.column_names if c != "start_date"])
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    return _book(columns, table.num_rows, version, rows=True)


def book_from_records(records: Iterable[Mapping[str, Any]], version: ProductVersion) -> Book:
    """A book from plain records, e.g. the web application's in-force policies: one mapping per policy with
    ``policy_id``, ``industry``, ``revenue``, ``liability_limit``, ``expense_limit``, ``deductible``,
    ``bi_limit``, ``pd_rider``, ``annual_premium`` and, optionally, ``security_measures`` (a count) or
    ``measures`` (the declared item ids). Yen are integers; InvalidInput names the record (as a row) at fault.
    """
    rows = list(records)
    names = {key for record in rows for key in record}
    columns = {name: [record.get(name) for record in rows] for name in names}
    return _book(columns, len(rows), version, rows=True)


def read_book(path: Path, version: ProductVersion, *, field_name: str = "BOOK", encoding: str = "auto") -> Book:
    """A book from a CSV (UTF-8 or Shift_JIS) or Parquet file (rows in messages as the file shows them)."""
    from mamori.io import tables

    table = tables.read_table(path, encoding=encoding, field=field_name)
    with tables.rows_as_in_file(path):
        return book_from_table(table, version)


# ----------------------------------------------------------------------------------------- the model


def load_model_for(path: Path, catalog: Catalog, *, field_name: str = "MODEL") -> tuple[Model, ProductVersion]:
    """The model of a TOML file and the product version whose terms it simulates (the one it names, or the
    latest). A broken file is InvalidInput naming the file, the key and the problem."""
    from mamori.portfolio import model as model_mod

    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = Problem("P_IS_FOLDER") if path.is_dir() else Problem.of_os_error(exc)
        raise InvalidInput([FieldError(field_name, "E_FILE", {"path": str(path), "problem": problem})]) from None
    try:
        named = model_mod.model_version_of(data, str(path))
        version = catalog.get(named) if named is not None else catalog.latest()
        return model_mod.read_model(str(path), data, version), version
    except ProductDataError as exc:
        raise InvalidInput([exc.as_field_error(field_name)]) from None
    except UnknownVersion as exc:
        params = {"value": exc.version, "allowed": list(exc.known)}
        raise InvalidInput([FieldError("product_version", "E_CHOICE", params)]) from None


# ------------------------------------------------------------------------------------------ the treaty


def load_treaty(path: Path, *, field_name: str = "treaty") -> Treaty:
    """The reinsurance treaty of a TOML file (product.md §8.4). A broken file is InvalidInput of ``field_name``
    naming the file, the key, the problem and, where there is a list, the tables or keys allowed."""
    from mamori.portfolio import treaty as treaty_mod

    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = Problem("P_IS_FOLDER") if path.is_dir() else Problem.of_os_error(exc)
        raise InvalidInput([FieldError(field_name, "E_FILE", {"path": str(path), "problem": problem})]) from None
    try:
        return treaty_mod.read_treaty(str(path), data)
    except ProductDataError as exc:
        error = exc.as_field_error(field_name)
        if "allowed" in exc.params:
            error = FieldError(field_name, error.code, {**error.params, "allowed": exc.params["allowed"]})
        raise InvalidInput([error]) from None


def shipped_treaties() -> dict[str, Path]:
    """The sample treaties shipped with the package: name (the file's stem) → path, sorted by name."""
    return {path.stem: path for path in sorted(TREATIES.glob("*.toml"))}


# ------------------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class Simulation:
    """A run: its answer (interfaces.md §1.6, as a dict) and the files written (name → path)."""

    answer: dict[str, Any]
    outputs: dict[str, str]
    seconds: float


def _check_run(years: int, seed: int, cluster: Cluster) -> None:
    problems = []
    if not 1 <= years <= MAX_YEARS:
        problems.append(FieldError("years", "E_RANGE", {"value": years, "minimum": 1, "maximum": MAX_YEARS}))
    if not 0 <= seed < 2**63:
        problems.append(FieldError("seed", "E_RANGE", {"value": seed, "minimum": 0, "maximum": 2**63 - 1}))
    if cluster.workers is not None and not 0 <= cluster.workers <= 1024:
        problems.append(FieldError("workers", "E_RANGE", {"value": cluster.workers, "minimum": 0, "maximum": 1024}))
    if problems:
        raise InvalidInput(problems)


def simulate_book(  # noqa: PLR0913 - keyword-only: the run's settings
    book: Book,
    model: Model,
    version: ProductVersion,
    *,
    years: int,
    seed: int,
    cluster: Cluster,
    progress: Progress | None = None,
    treaty: Treaty | None = None,
) -> tuple[dict[str, Any], YearTable]:
    """Simulate a book in memory: the answer (a dict, interfaces.md §1.6) and the year loss table; with a
    treaty, the answer holds ``gross``, ``ceded`` and ``net`` figures too."""
    from mamori.portfolio import engine, metrics, runner

    _check_run(years, seed, cluster)
    plan = engine.prepare(model, book, version, treaty)
    table = runner.run(plan, years, seed, cluster, progress=progress)
    described = None if treaty is None else treaty.to_dict()
    return metrics.summarise(table, book, model, seed=seed, treaty=described).to_dict(), table


def simulate(  # noqa: PLR0913 - keyword-only: the options of `mamori portfolio simulate`
    catalog: Catalog,
    book_path: Path,
    model_path: Path | None,
    *,
    years: int,
    seed: int = 0,
    cluster: Cluster | None = None,
    out: Path | None = None,
    lang: str = "ja",
    progress: Progress | None = None,
    treaty_path: Path | None = None,
) -> Simulation:
    """``mamori portfolio simulate``: check every input, simulate, and write the outputs when ``out`` is given."""
    import time

    from mamori.io import outputs
    from mamori.portfolio.runner import Cluster

    cluster = cluster or Cluster()
    _check_run(years, seed, cluster)
    folder = None if out is None else outputs.check_folder(out, field="out")  # before any work
    model, version = load_model_for(model_path or DEFAULT_MODEL, catalog)
    book = read_book(book_path, version)
    treaty = None if treaty_path is None else load_treaty(treaty_path)
    started = time.perf_counter()
    answer, table = simulate_book(
        book, model, version, years=years, seed=seed, cluster=cluster, progress=progress, treaty=treaty
    )
    written = {} if folder is None else write_outputs(folder, answer, table, version, lang=lang)
    return Simulation(answer=answer, outputs=written, seconds=time.perf_counter() - started)


def year_table(table: YearTable) -> pa.Table:
    """The year loss table: a row per simulated year (``year`` from 1), integer yen and counts."""
    import numpy as np
    import pyarrow as pa

    columns = {"year": np.arange(1, table.years + 1, dtype=np.int64)}
    columns.update({name: getattr(table, name) for name in table.columns})
    return pa.table(columns)


def write_outputs(
    out: Path, answer: dict[str, Any], table: YearTable, version: ProductVersion, *, lang: str
) -> dict[str, str]:
    """The year loss table (Parquet), the EP curves and the loss by industry (PNG) and the answer (JSON):
    all of them, or none (a failure — the disk full — leaves nothing, and no folder this run created)."""
    from mamori.io import jsonio, outputs, tables
    from mamori.portfolio import plots

    names = {code: ic.name(lang) for code, ic in version.rating.industries.items()}
    files = {"year_loss_table": YEAR_TABLE, "ep_curve": EP_CURVE, "loss_by_industry": BY_INDUSTRY, "summary": SUMMARY}
    paths = {name: str(out / file) for name, file in files.items()}
    marks = {"aep": answer["aep"], "oep": answer["oep"]}
    with outputs.FolderWriter(out, field="out") as folder:
        tables.write_into(folder, YEAR_TABLE, year_table(table))
        net = (table.net_loss, table.net_occurrence) if table.reinsured else None
        folder.write_bytes(EP_CURVE, plots.ep_curve_png(table.loss, table.occurrence, marks, lang, net=net))
        folder.write_bytes(BY_INDUSTRY, plots.industry_png(answer["by_industry"], names, lang))
        folder.write_bytes(SUMMARY, jsonio.dumps_bytes({**answer, "outputs": paths}, pretty=True) + b"\n")
    return paths


# ------------------------------------------------------------------------------------------ OED


def _starts(table: pa.Table, start: dt.date | None, version: ProductVersion) -> list[dt.date]:
    """Each policy's start date: the ``start_date`` column, else ``start``, else today where the product is sold."""
    n = table.num_rows
    if "start_date" not in table.column_names:
        return [start or version.today()] * n
    problems = _Problems()
    found = []
    for row, value in enumerate(table.column("start_date").to_pylist()):
        read = values.read_date(value) if not values.is_null(value) else (start or version.today())
        if isinstance(read, values.Failure):
            problems.add("start_date", str(read), row, value=value)
            found.append(version.effective_from)
        else:
            found.append(read)
    if problems.found:
        raise InvalidInput(problems.errors(rows=True))
    return found


def export_oed(
    catalog: Catalog,
    book_path: Path,
    folder: Path,
    *,
    start: dt.date | None = None,
    version_name: str | None = None,
    with_location: bool = False,
) -> dict[str, str]:
    """The OED file of a book: ``account.csv`` in ``folder`` (OED v4 describes cyber cover in the account file
    alone, and Oasis's ``ods_tools check`` refuses location fields for cyber), and with ``with_location`` a
    ``location.csv`` too, one row per insured, for tools that expect one."""
    from mamori.io import tables
    from mamori.portfolio import oed

    try:
        version = catalog.get(version_name) if version_name else catalog.latest()
    except UnknownVersion as exc:
        raise InvalidInput(
            [FieldError("product_version", "E_CHOICE", {"value": exc.version, "allowed": list(exc.known)})]
        ) from None
    from mamori.io import outputs

    target = outputs.check_folder(folder, field="DIR")  # before any work
    table = tables.read_table(book_path, field="BOOK")
    with tables.rows_as_in_file(book_path):
        book = book_from_table(table, version)
        starts = _starts(table, start, version)
    paths = {"account": str(target / "account.csv")}
    with outputs.FolderWriter(target, field="DIR") as written:
        tables.write_into(written, "account.csv", oed.account_table(book, version, starts))
        if with_location:
            paths["location"] = tables.write_into(written, "location.csv", oed.location_table(book, version))
    return paths
