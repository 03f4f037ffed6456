from __future__ import annotations

from decimal import Decimal

import pytest

from mamori import money
from mamori.money import Rounding


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("5284.999999", 5280),
        ("5285", 5290),  # exactly half: up
        ("5285.000001", 5290),
        ("5275", 5280),  # half-up, not banker's rounding (which would give 5280 too) ...
        ("5265", 5270),  # ... and here banker's rounding would give 5260
        ("0", 0),
        ("4.99", 0),
        ("5", 10),
    ],
)
def test_premiums_round_half_up_to_ten_yen(amount: str, expected: int) -> None:
    assert money.to_yen(Decimal(amount), unit=10, mode=Rounding.HALF_UP) == expected


@pytest.mark.parametrize(("amount", "expected"), [("1234.99", 1234), ("0.999", 0), ("100", 100)])
def test_payments_derived_by_a_rate_round_down_to_the_yen(amount: str, expected: int) -> None:
    assert money.to_yen(Decimal(amount), mode=Rounding.DOWN) == expected


def test_refunds_round_down_to_ten_yen() -> None:
    assert money.to_yen(Decimal("12349.99"), unit=10, mode=Rounding.DOWN) == 12340


def test_a_unit_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="unit"):
        money.to_yen(Decimal(1), unit=0, mode=Rounding.DOWN)


@pytest.mark.parametrize(("total", "parts"), [(63360, 12), (5281, 12), (11, 12), (0, 3)])
def test_split_evenly_adds_up_exactly_and_front_loads_the_remainder(total: int, parts: int) -> None:
    split = money.split_evenly(total, parts)
    assert sum(split) == total
    assert len(split) == parts
    assert max(split) - min(split) <= 1
    assert split == sorted(split, reverse=True)
