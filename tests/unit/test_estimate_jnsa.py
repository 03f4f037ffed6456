"""The JNSA model of damages per affected person (product.md §7.1): the two published worked values and
hand-derived cases for every factor, read from the estimator's data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mamori.estimate import jnsa
from mamori.estimate.data import packaged_data

MODEL = packaged_data().jnsa
ONE_PERCENT = Decimal("0.01")


def damages(
    *categories: str, persons: int = 1, high: bool = False, response: str = "appropriate"
) -> jnsa.RecordDamages:
    return jnsa.record_damages(
        categories, persons, model=MODEL, high_social_responsibility=high, response=response, claim_rate=ONE_PERCENT
    )


def test_name_and_address_by_an_ordinary_company_cost_6000_yen_a_person() -> None:
    # product.md §7.1: 500 × 2 × 6 × 1 × 1 = 6,000.
    r = damages("name", "address")
    assert (r.sensitivity, r.identifiability, r.social_responsibility, r.response) == (2, 6, 1, 1)
    assert r.per_person == 6_000


def test_card_number_name_and_address_cost_78000_yen_a_person() -> None:
    # product.md §7.1: 500 × 26 × 6 = 78,000 (x = 1, y = 3: 10^0 + 5^2 = 26).
    r = damages("card_number", "name", "address")
    assert (r.x, r.y, r.sensitivity, r.identifiability) == (1, 3, 26, 6)
    assert r.per_person == 78_000


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (1, 1, 2),  # 1 + 1
        (1, 2, 6),  # 1 + 5
        (1, 3, 26),  # 1 + 25
        (2, 1, 11),  # 10 + 1
        (2, 2, 15),  # 10 + 5
        (2, 3, 35),  # 10 + 25
        (3, 1, 101),  # 100 + 1
        (3, 3, 125),  # 100 + 25
    ],
)
def test_sensitivity_is_ten_to_the_x_minus_one_plus_five_to_the_y_minus_one(x: int, y: int, expected: int) -> None:
    assert jnsa.sensitivity(x, y, MODEL) == expected


@pytest.mark.parametrize(
    ("categories", "x", "y"),
    [
        (("name",), 1, 1),
        (("purchase_history",), 1, 2),
        (("bank_account_pin",), 1, 3),
        (("medical_history",), 2, 1),
        (("income",), 2, 2),
        (("will",), 2, 3),
        (("religion",), 3, 1),
        (("criminal_record",), 3, 3),
        # Each maximum is taken separately: x from religion, y from the card number.
        (("religion", "card_number"), 3, 3),
        (("medical_history", "account_password"), 2, 2),
    ],
)
def test_levels_are_the_highest_of_each_kind_over_the_categories_leaked(
    categories: tuple[str, ...], x: int, y: int
) -> None:
    assert jnsa.levels(categories, MODEL) == (x, y)


def test_a_record_says_which_categories_gave_its_levels() -> None:
    r = damages("religion", "card_number", "name")
    assert (r.x_from, r.y_from) == (("religion",), ("card_number",))


@pytest.mark.parametrize(
    ("categories", "factor", "by"),
    [
        (("name", "address"), 6, ("name", "address")),
        (("name", "address", "phone"), 6, ("name", "address")),
        (("name",), 3, ("name",)),
        (("name", "phone"), 3, ("name",)),
        (("address", "phone"), 3, ("address", "phone")),
        (("address",), 1, ()),
        (("phone", "email"), 1, ()),
        (("account_password",), 1, ()),
    ],
)
def test_identifiability_is_six_for_name_and_address_three_for_name_or_address_and_phone_else_one(
    categories: tuple[str, ...], factor: int, by: tuple[str, ...]
) -> None:
    assert jnsa.identifiability(categories, MODEL) == (factor, by)


def test_social_responsibility_doubles_the_damages_of_a_business_with_higher_social_responsibility() -> None:
    assert (jnsa.social_responsibility(False, MODEL), jnsa.social_responsibility(True, MODEL)) == (1, 2)
    assert damages("name", "address", high=True).per_person == 12_000  # 500 × 2 × 6 × 2 × 1


@pytest.mark.parametrize(("response", "factor"), [("appropriate", 1), ("inappropriate", 2), ("unknown", 1)])
def test_an_inappropriate_response_doubles_the_damages_and_an_unknown_one_counts_as_appropriate(
    response: str, factor: int
) -> None:
    assert jnsa.response_factor(response, MODEL) == factor
    assert damages("name", "address", response=response).per_person == 6_000 * factor


def test_every_factor_multiplies_into_the_damages_of_a_sensitive_record() -> None:
    # Medical records (x = 3) and a credit blacklist entry (y = 3): 100 + 25 = 125; name only: 3;
    # medical and welfare: 2; inappropriate: 2 → 500 × 125 × 3 × 2 × 2 = 750,000 a person.
    r = damages("medical_records", "credit_blacklist", "name", high=True, response="inappropriate")
    assert r.per_person == 750_000


def test_the_jnsa_total_assumes_every_person_claims_and_the_expected_figure_applies_the_claim_rate() -> None:
    r = damages("name", "address", persons=8_000)
    assert (r.total, r.expected) == (48_000_000, 480_000)


def test_the_expected_figure_is_rounded_down_to_the_yen() -> None:
    # 3,000 × 7 = 21,000 × 0.0333 = 699.3 → 699.
    assert jnsa.expected(21_000, Decimal("0.0333")) == 699
