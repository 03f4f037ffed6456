"""The insurer's books, core (product.md §8.1, §8.2): earned premium, claims as known at a date, triangles."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.books import ClaimRecords, WrittenAmounts, day, earned, from_claims, from_long, from_wide, monthly, premium
from mamori.errors import InvalidInput

D = dt.date


def amounts(*rows: tuple[int, int, D, D]) -> WrittenAmounts:
    return WrittenAmounts.of(
        [r[0] for r in rows], [r[1] for r in rows], [day(r[2]) for r in rows], [day(r[3]) for r in rows]
    )


def test_earned_per_day_over_the_amounts_own_period() -> None:
    book = amounts((0, 365_000, D(2026, 4, 1), D(2027, 4, 1)))
    assert earned(book, day(D(2026, 3, 31)))[0] == 0
    assert earned(book, day(D(2026, 4, 1)))[0] == 1_000  # the end of the first day: one day earned
    assert earned(book, day(D(2026, 4, 30)))[0] == 30_000
    assert earned(book, day(D(2027, 3, 31)))[0] == 365_000
    assert earned(book, day(D(2030, 1, 1)))[0] == 365_000


def test_floor_of_the_magnitude_with_the_sign() -> None:
    book = amounts((0, 1_000, D(2026, 1, 1), D(2026, 1, 4)), (0, -1_000, D(2026, 1, 1), D(2026, 1, 4)))
    assert list(earned(book, day(D(2026, 1, 1)))) == [333, -333]


def test_policy_book_written_earned_unearned() -> None:
    book = amounts(
        (0, 120_000, D(2026, 4, 1), D(2027, 4, 1)),
        (0, -30_000, D(2026, 10, 1), D(2027, 4, 1)),  # a change refunded half-way
        (1, 60_000, D(2026, 7, 1), D(2027, 7, 1)),
    )
    as_of = D(2026, 9, 30)
    result = premium(book, as_of, 2)
    assert list(result.written) == [120_000, 60_000]  # the refund is not written before its date
    e0 = 120_000 * 183 // 365
    e1 = 60_000 * 92 // 365
    assert list(result.earned) == [e0, e1]
    assert result.total.unearned == 180_000 - e0 - e1
    after = premium(book, D(2028, 1, 1), 2)
    assert list(after.earned) == list(after.written) == [90_000, 60_000]


def test_monthly_written_and_earned_add_up() -> None:
    book = amounts((0, 365_000, D(2026, 4, 1), D(2027, 4, 1)))
    months = [f"2026-{m:02d}" for m in range(4, 13)] + [f"2027-{m:02d}" for m in range(1, 4)]
    rows = monthly(book, months)
    assert rows[0][1].written == 365_000 and rows[0][1].earned == 30_000
    assert sum(p.earned for _, p in rows) == 365_000
    assert sum(p.written for _, p in rows) == 365_000


@given(
    st.integers(-(10**10), 10**10),
    st.integers(0, 800),
    st.integers(1, 400),
    st.integers(-10, 900),
)
def test_earned_never_exceeds_written_and_ends_equal(w: int, start: int, length: int, at: int) -> None:
    book = WrittenAmounts.of([0], [w], [start], [start + length])
    e = int(earned(book, at)[0])
    assert abs(e) <= abs(w) and (e == 0 or (e > 0) == (w > 0))
    assert int(earned(book, start + length - 1)[0]) == w


def test_grouped_by_industry() -> None:
    book = amounts((0, 100, D(2026, 1, 1), D(2026, 1, 2)), (1, 200, D(2026, 1, 1), D(2026, 1, 2)))
    result = premium(book, D(2026, 1, 1), 2)
    groups = result.grouped(np.array([1, 1]), 2)
    assert groups[1].written == 300 and groups[0].written == 0


def claims() -> ClaimRecords:
    # claim 0: discovered 2026-02-10; reserve 1,000 then 400 after a payment of 600 in May, closed in Aug.
    # claim 1: discovered 2026-05-01; reserve 5,000, nothing paid yet.
    return ClaimRecords.of(
        [day(D(2026, 2, 10)), day(D(2026, 5, 1))],
        [(0, day(D(2026, 5, 20)), 600), (0, day(D(2026, 8, 1)), 500)],
        [
            (0, day(D(2026, 2, 12)), 1_000),
            (1, day(D(2026, 5, 2)), 5_000),
            (0, day(D(2026, 5, 20)), 400),
            (0, day(D(2026, 8, 1)), 0),
        ],
    )


def test_claims_as_known_at_a_date() -> None:
    records = claims()
    march = records.at(day(D(2026, 3, 31)))
    assert list(march.paid) == [0, 0] and list(march.reserve) == [1_000, 0]
    june = records.at(day(D(2026, 6, 30)))
    assert list(june.paid) == [600, 0] and list(june.reserve) == [400, 5_000]
    assert list(june.incurred) == [1_000, 5_000]
    later = records.at(day(D(2026, 9, 30)))
    assert list(later.incurred) == [1_100, 5_000]


def test_triangle_from_the_claims() -> None:
    paid = from_claims(claims(), as_of=D(2026, 10, 15), basis="paid", period="quarter")
    assert paid.origins == ("2026Q1", "2026Q2", "2026Q3")
    assert paid.values == ((0.0, 600.0, 1_100.0), (0.0, 0.0), (0.0,))
    incurred = from_claims(claims(), as_of=D(2026, 10, 15), basis="incurred", period="quarter")
    assert incurred.values[0] == (1_000.0, 1_000.0, 1_100.0)
    assert incurred.values[1] == (5_000.0, 5_000.0)
    yearly = from_claims(claims(), as_of=D(2026, 10, 15), basis="paid", period="year")
    assert yearly.origins == ()  # the year has not ended: no age known


def test_long_and_wide_read_alike() -> None:
    long = from_long(
        [{"origin": "2025", "age": "1", "value": "100"}, {"origin": "2025", "age": 2, "value": "1,50"},
         {"origin": "2026", "age": "1", "value": 80}]
    )  # fmt: skip
    wide = from_wide(["origin", "1", "2"], [["2025", "100", "150"], ["2026", "80", ""]])
    assert long.origins == wide.origins == ("2025", "2026")
    assert wide.values == ((100.0, 150.0), (80.0,))


@pytest.mark.parametrize(
    ("rows", "field", "code"),
    [
        ([{"origin": "A", "age": 1, "value": 1}, {"origin": "A", "age": 3, "value": 2}], "age", "E_TRIANGLE_HOLE"),
        ([{"origin": "A", "age": 2, "value": 1}], "age", "E_TRIANGLE_HOLE"),
        ([{"origin": "A", "age": 1, "value": "abc"}], "value", "E_NUMBER"),
        ([{"origin": "A", "age": 1, "value": "nan"}], "value", "E_NUMBER"),
        ([{"origin": "A", "age": -1, "value": 1}], "age", "E_TRIANGLE_AGE"),
        ([{"origin": "A", "age": 1.5, "value": 1}], "age", "E_TRIANGLE_AGE"),
        ([{"origin": "A", "age": 1, "value": 1}, {"origin": "A", "age": 1, "value": 1}], "age", "E_TRIANGLE_DUPLICATE"),
        ([], "value", "E_TRIANGLE_EMPTY"),
    ],
)
def test_a_triangle_that_is_not_one(rows: list[dict[str, object]], field: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        from_long(rows)
    assert (caught.value.errors[0].field, caught.value.errors[0].code) == (field, code)
    for lang in ("ja", "en"):
        assert caught.value.errors[0].message(lang)  # type: ignore[arg-type]


def test_mack_on_a_small_or_sparse_triangle_is_finite() -> None:
    from mamori.books import Triangle, reserve

    for values in (
        ((0.0, 0.0, 10.0), (0.0, 5.0), (0.0,)),
        ((100.0, 150.0), (80.0,)),
        ((100.0,),),
        ((0.0, 0.0), (0.0,)),
    ):
        answer = reserve(Triangle(tuple(f"O{i}" for i in range(len(values))), values), method="mack").as_dict()
        assert all(isinstance(o["se"], int) for o in answer["origins"])


def test_group_sums_stay_exact_beyond_float_precision() -> None:
    from mamori.books.premium import by_group

    values = np.array([2**60, 1, -(2**60), 3], dtype=np.int64)
    assert list(by_group(values, np.array([0, 0, 1, 1]), 2)) == [2**60 + 1, -(2**60) + 3]
    assert list(by_group(np.array([5, 7, 11]), np.array([1, 1, 0]), 3)) == [11, 12, 0]
