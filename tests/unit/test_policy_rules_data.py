"""The ``[policy]`` table of product.toml is honoured (editing a value changes the behaviour) and checked
(a broken value is a ProductDataError naming the file and the key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from mamori import catalog as catalog_mod
from mamori import money, policy
from mamori.catalog import ProductDataError
from mamori.catalog.model import PolicyRules

D = dt.date
START = D(2025, 4, 1)
EditedVersion = Callable[..., catalog_mod.ProductVersion]


def test_the_shipped_policy_rules_are_the_illustrative_values_of_the_spec(version: catalog_mod.ProductVersion) -> None:
    assert version.policy == PolicyRules(
        renewal_offer_days=60,
        lapse_grace="end_of_next_month",
        lapse_grace_months=1,
        refund_unit=10,
        refund_rounding=money.Rounding.DOWN,
        claim_payment_approval_above=10_000_000,
    )
    assert version.sources["product.toml:policy"] == "illustrative"


def test_the_renewal_lead_time_is_data(edited_version: EditedVersion) -> None:
    v = edited_version(("product.toml", "renewal_offer_days = 60", "renewal_offer_days = 30"))
    assert policy.renewal(version=v, start_date=START, retroactive_date=None).offer_date == D(2026, 3, 2)


@pytest.mark.parametrize(
    ("rule", "grace_end"),
    [("end_of_month", D(2025, 6, 30)), ("end_of_month_after_next", D(2025, 8, 31))],
)
def test_the_lapse_grace_is_data(edited_version: EditedVersion, rule: str, grace_end: dt.date) -> None:
    v = edited_version(("product.toml", 'lapse_grace = "end_of_next_month"', f'lapse_grace = "{rule}"'))
    assert policy.grace_end_date(v, D(2025, 6, 1)) == grace_end
    items = policy.installments(version=v, payment="monthly", start_date=D(2025, 6, 1), premium=1_000)
    assert policy.lapse(version=v, installments=items, on_date=grace_end) is None
    assert policy.lapse(version=v, installments=items, on_date=grace_end + dt.timedelta(days=1)) is not None


def _annual_change(v: catalog_mod.ProductVersion) -> int:
    plan = policy.payment_plan(version=v, payment="annual", start_date=START, premium=100_000)
    # m = 5 on 2025-11-01: 12,345 × 5 / 12 = 5,143.75
    return policy.mid_term_change(
        version=v, plan=plan, effective_date=D(2025, 11, 1), new_premium=112_345
    ).premium_difference


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("refund_unit = 10 ", "refund_unit = 1 "), 5_143),
        (("refund_unit = 10 ", "refund_unit = 100 "), 5_100),
        (('refund_rounding = "DOWN"', 'refund_rounding = "UP"'), 5_150),
    ],
)
def test_the_unit_and_rounding_of_a_pro_rata_charge_are_data(
    version: catalog_mod.ProductVersion, edited_version: EditedVersion, edit: tuple[str, str], expected: int
) -> None:
    assert _annual_change(version) == 5_140
    assert _annual_change(edited_version(("product.toml", *edit))) == expected


def test_the_start_time_and_time_zone_of_the_end_of_cover_are_data(edited_version: EditedVersion) -> None:
    v = edited_version(
        ("product.toml", 'start_time = { value = "16:00"', 'start_time = { value = "00:00"'),
        ("product.toml", 'timezone = "+09:00"', 'timezone = "+08:00"'),
    )
    plan = policy.payment_plan(version=v, payment="annual", start_date=START, premium=93_180)
    ends = policy.cancellation(version=v, plan=plan, effective_date=D(2025, 6, 15)).cover_ends_at
    assert ends == dt.datetime(2025, 6, 14, 16, 0, tzinfo=dt.UTC)


BROKEN: list[tuple[str, str, str, str]] = [
    # old text, new text, key named in the error, problem named in the error
    ("renewal_offer_days = 60", "renewal_offer_days = 0", "policy.renewal_offer_days", "at least 1"),
    ("renewal_offer_days = 60", 'renewal_offer_days = "60"', "policy.renewal_offer_days", "integer"),
    ('lapse_grace = "end_of_next_month"', 'lapse_grace = "whenever"', "policy.lapse_grace", "end_of_next_month"),
    ('lapse_grace = "end_of_next_month"', "lapse_grace = 1", "policy.lapse_grace", "non-empty string"),
    ("refund_unit = 10 ", "refund_unit = 0 ", "policy.refund_unit", "at least 1"),
    ('refund_rounding = "DOWN"', 'refund_rounding = "FLOOR"', "policy.refund_rounding", "HALF_UP"),
    ("refund_unit = 10 ", "# refund_unit = 10 ", "policy.refund_unit", "missing"),
    ('[policy]\nsource = "illustrative"', '[policy]\nsource = "filed"', "policy.source", "published"),
    ("[policy]\n", "[policy]\nrenewal_offr_days = 30\n", "policy.renewal_offr_days", "not a key"),
    ("[policy]\n", "[policy_rules]\n", "policy", "missing"),
]


@pytest.mark.parametrize(("old", "new", "key", "problem"), BROKEN, ids=[b[1] for b in BROKEN])
def test_a_broken_policy_value_is_refused_naming_the_file_and_key(
    edited_version: EditedVersion, old: str, new: str, key: str, problem: str
) -> None:
    with pytest.raises(ProductDataError) as caught:
        edited_version(("product.toml", old, new))
    err = caught.value
    assert (err.file, err.key) == ("product.toml", key)
    assert problem in err.problem
