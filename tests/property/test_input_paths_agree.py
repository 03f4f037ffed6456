"""One definition of a valid quote input: the scalar path (CLI, API) and the column path (quote-batch)
give every random raw row — invalid ones included — the same errors, decision, reasons and yen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori import catalog as catalog_mod
from mamori.errors import InvalidInput
from mamori.rating import columns, engine, inputs, vectorised

CATALOG = catalog_mod.FolderCatalog()
VERSION = CATALOG.get("2025-04")
TODAY = dt.date(2026, 5, 1)
R = VERSION.rating

NULLS = st.sampled_from(["", "NULL", "N/A", "nan", " ", "-", "#N/A"])


def _ints(valid: list[int]) -> st.SearchStrategy[Any]:
    """Integers as typed values or texts a user writes, valid or not."""
    number = st.one_of(st.sampled_from(valid), st.integers(-(10**16), 10**16))
    return st.one_of(
        number,
        number.map(str),
        number.map(lambda n: f"{n:,}"),
        number.map(
            lambda n: f"{n:,}".replace(",", "，").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        ),
        number.map(lambda n: f"{n}円"),
        st.sampled_from(["500,00", "5e8", "1.5", "abc", "12,3456", "+100", "9" * 40, "1_000_000"]),
        st.floats(allow_nan=False, allow_infinity=True, width=64),
        NULLS,
    )


def _percents() -> st.SearchStrategy[Any]:
    number = st.decimals(min_value=-10, max_value=110, places=st.integers(0, 6).example() if False else 4)
    return st.one_of(
        st.sampled_from([0, 5, 12.5, 50, 50.0001, 100, 33.333333333333336, -1, 101]),
        number.map(str),
        number.map(lambda d: f"{d}%"),
        st.sampled_from(["abc", "inf", "NaN", "1e2", "１２．５"]),
        st.floats(min_value=-5, max_value=105, allow_nan=False, width=64),
        NULLS,
    )


def _dates() -> st.SearchStrategy[Any]:
    day = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
    near = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))
    return st.one_of(
        near.map(lambda d: d.isoformat()),
        near.map(lambda d: f"{d.year}/{d.month}/{d.day}"),
        day.map(lambda d: d.isoformat()),
        st.sampled_from(["2026-02-30", "2026-13-01", "tomorrow", "20260401"]),
        NULLS,
    )


def _choice(allowed: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(allowed),
        st.sampled_from(allowed).map(str.upper),
        st.sampled_from(["wholsale", "x", "1", "true"]),
        NULLS,
    )


def _bools() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.booleans(), st.sampled_from(["true", "false", "yes", "はい", "いいえ", "0", "1", "2", "maybe"]), NULLS
    )


def _measures() -> st.SearchStrategy[Any]:
    ids = st.lists(st.sampled_from([*R.measure_ids, "S11", "s01"]), max_size=5)
    return st.one_of(ids.map(",".join), ids.map(" ".join), NULLS)


FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "industry": _choice(tuple(R.industries)),
    "revenue": _ints([500_000_000, 3_000_000_000, 1, 0, 10_000_000_001]),
    "liability_limit": _ints(list(R.allowed_amounts("liability"))),
    "expense_limit": _ints(list(R.allowed_amounts("expense"))),
    "deductible": _ints(list(R.allowed_amounts("deductible"))),
    "security_measures": _ints(list(range(11))),
    "measures": _measures(),
    "payment": _choice(R.payment_codes),
    "overseas_share": _percents(),
    "north_america_share": _percents(),
    "bi_limit": _ints(list(R.allowed_amounts("bi"))),
    "pd_rider": _bools(),
    "start": _dates(),
    "term_months": _ints([12, 6, 24]),
    "entity": _choice(inputs.ENTITY_TYPES),
    "new_business": _bools(),
}


VALID_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "industry": st.sampled_from(tuple(R.industries)),
    "revenue": st.integers(1, 20_000_000_000),
    "liability_limit": st.sampled_from(R.allowed_amounts("liability")),
    "expense_limit": st.sampled_from(R.allowed_amounts("expense")),
    "deductible": st.sampled_from(R.allowed_amounts("deductible")),
    "security_measures": st.integers(0, 10),
    "measures": st.lists(st.sampled_from(R.measure_ids), unique=True).map(",".join),
    "payment": st.sampled_from(R.payment_codes),
    "overseas_share": st.decimals(min_value=0, max_value=100, places=2).map(str),
    "north_america_share": st.just("0"),
    "bi_limit": st.sampled_from(R.allowed_amounts("bi")),
    "pd_rider": st.booleans(),
    "start": st.dates(min_value=dt.date(2025, 4, 1), max_value=dt.date(2027, 3, 31)).map(dt.date.isoformat),
    "term_months": st.just(12),
    "entity": st.sampled_from(inputs.ENTITY_TYPES),
    "new_business": st.booleans(),
}


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    """A row of mostly valid values (so that decisions and yen are compared too) with invalid ones mixed in."""
    present = draw(st.sets(st.sampled_from(inputs.FIELDS)))
    out = {}
    for name in inputs.FIELDS:
        if name in present or name in ("industry", "revenue"):
            strategy = FIELD_VALUES[name] if draw(st.integers(0, 9)) == 0 else VALID_VALUES[name]
            out[name] = draw(strategy)
    if "measures" in out and "security_measures" in out and draw(st.booleans()):
        del out["security_measures"]
    return out


def _scalar(raw: dict[str, Any]) -> tuple[list[tuple[str, str, dict[str, Any]]], Any]:
    try:
        version, risk = inputs.parse_risk(raw, catalog=CATALOG, today=TODAY)
    except InvalidInput as exc:
        return [(e.field, e.code, dict(e.params)) for e in exc.errors], None
    quote = engine.rate(version, risk)
    return [], (
        quote.status,
        tuple(r.code for r in quote.reasons),
        dict(quote.premium.by_method) if quote.premium else None,
    )


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _table(raws: list[dict[str, Any]], *, typed: bool) -> pa.Table:
    """All cells as text (as a CSV is read), or each column as one type when its values allow it."""
    data: dict[str, pa.Array] = {}
    for name in inputs.FIELDS:
        cells = [raw.get(name) for raw in raws]
        if all(c is None for c in cells):
            if any(name in raw for raw in raws):
                data[name] = pa.array([None] * len(raws), type=pa.string())
            continue
        if typed:
            non_null = [c for c in cells if c is not None]
            for kind in (bool, int, float):
                if all(type(c) is kind for c in non_null):
                    data[name] = pa.array(cells, type={bool: pa.bool_(), int: pa.int64(), float: pa.float64()}[kind])
                    break
            else:
                data[name] = pa.array([None if c is None else _as_text(c) for c in cells], type=pa.string())
        else:
            data[name] = pa.array([_as_text(c) for c in cells], type=pa.string())
    return pa.table(data)


def _fits_typed(raw: dict[str, Any]) -> dict[str, Any]:
    # A typed int64 column holds only int64 values; larger ints go as text.
    return {
        k: (str(v) if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 2**63 else v) for k, v in raw.items()
    }


def _column_answers(table: pa.Table, n: int) -> tuple[list[list[tuple[str, str, dict[str, Any]]]], list[Any]]:
    log = columns.FailureLog()
    columns.read_columns(table, catalog=CATALOG, today=TODAY, log=log)
    errors = [[(e.field, e.code, dict(e.params)) for e in log.at(i)] for i in range(n)]
    answers: list[Any] = [None] * n
    valid = [i for i in range(n) if not errors[i]]
    if not valid:
        return errors, answers
    # The valid rows alone pass validation and are rated, as quote-batch rates a valid table.
    for group in columns.read_columns(table.take(valid), catalog=CATALOG, today=TODAY):
        result = vectorised.rate_columns(group)
        for local, row in enumerate(group.rows):
            status = ("quoted", "referred", "declined")[int(result.status[local])]
            codes = tuple(c for j, c in enumerate(result.reason_codes) if int(result.reasons[local]) >> j & 1)
            premium = {code: int(p[local]) for code, p in result.premiums.items()} if status == "quoted" else None
            answers[valid[int(row)]] = (status, codes, premium)
    return errors, answers


def _compare(raws: list[dict[str, Any]], *, typed: bool) -> tuple[int, int]:
    raws = [_fits_typed(raw) for raw in raws] if typed else [{k: _as_text(v) for k, v in raw.items()} for raw in raws]
    table = _table(raws, typed=typed)
    # Read the scalar path exactly what the table holds (a typed column may widen ints to floats).
    cells = table.to_pylist()
    errors, answers = _column_answers(table, len(raws))
    for i, cell_row in enumerate(cells):
        raw = {k: v for k, v in cell_row.items() if v is not None or k in raws[i]}
        scalar_errors, scalar_answer = _scalar(raw)
        assert errors[i] == scalar_errors, f"row {i}: {raw!r}"
        if not scalar_errors:
            assert answers[i] == scalar_answer, f"row {i}: {raw!r}"
    return len(raws), sum(1 for e in errors if not e)


@settings(max_examples=150)
@given(st.lists(rows(), min_size=1, max_size=12))
def test_random_rows_as_text_get_the_same_errors_and_answers_on_both_paths(raws: list[dict[str, Any]]) -> None:
    _compare(raws, typed=False)


@settings(max_examples=150)
@given(st.lists(rows(), min_size=1, max_size=12))
def test_random_rows_in_typed_columns_get_the_same_errors_and_answers_on_both_paths(raws: list[dict[str, Any]]) -> None:
    _compare(raws, typed=True)


@pytest.mark.parametrize(
    "raw",
    [
        {"industry": "retail", "revenue": "500,000,000", "liability_limit": "30000000", "bi_limit": "30000000"},
        {"industry": "wholesale", "revenue": "500,00"},
        {"industry": "wholesale", "revenue": "NULL"},
        {"industry": "wholesale", "revenue": 500_000_000, "overseas_share": "60", "north_america_share": "70"},
        {"industry": "crypto_assets", "revenue": 20_000_000_000, "overseas_share": 60},
        {"industry": "wholesale", "revenue": 1, "security_measures": 3, "measures": "S01"},
        {"industry": "wholesale", "revenue": 1, "start": "2024-01-01"},
    ],
)
def test_hand_picked_rows_agree_on_both_paths(raw: dict[str, Any]) -> None:
    _compare([raw], typed=False)
    _compare([raw], typed=True)


def test_a_percentage_keeps_its_digits_through_a_float_column() -> None:
    assert inputs.risk_of  # the column path turns floats back into the decimals the user wrote
    table = pa.table({"industry": ["wholesale"], "revenue": [500_000_000], "overseas_share": [12.3]})
    (group,) = columns.read_columns(table, catalog=CATALOG, today=TODAY)
    assert group.risk(0).overseas_pct == Decimal("12.3")
