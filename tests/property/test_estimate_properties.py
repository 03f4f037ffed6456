"""Properties of the loss estimate that must hold for every scenario (hypothesis): the payout and the
uninsured remainder add up to the total loss, more cover never pays less, no loss kind is paid more than
it costs, and a further category of leaked data never lowers the damages per person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mamori import catalog as catalog_mod
from mamori.estimate import Estimate, jnsa, packaged_data
from mamori.usecases.estimate import estimate_loss

CATALOG = catalog_mod.FolderCatalog()
VERSION = CATALOG.get("2025-04")
DATA = packaged_data()
TODAY = dt.date(2026, 4, 1)
CATEGORIES = tuple(DATA.jnsa.categories)
RATING = VERSION.rating
LIABILITY = RATING.allowed_amounts("liability")
EXPENSE = RATING.allowed_amounts("expense")
DEDUCTIBLE = RATING.allowed_amounts("deductible")
BI = RATING.allowed_amounts("bi")
INDUSTRIES = tuple(RATING.industries)

categories = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=6, unique=True)
records = st.lists(st.fixed_dictionaries({"categories": categories, "persons": st.integers(1, 3_000_000)}), max_size=3)
quantities = st.dictionaries(st.sampled_from(tuple(DATA.kinds)), st.integers(0, 40), max_size=10)
incident = st.fixed_dictionaries(
    {
        "accident_types": st.lists(
            st.sampled_from(["A1", "A2", "A3", "A4", "T0"]), min_size=1, max_size=3, unique=True
        ),
        "attack_confirmed": st.booleans(),
        "culprit": st.sampled_from([None, "external", "former_employee", "employee"]),
        "affected_businesses": st.integers(0, 500),
    }
)
scenarios = st.fixed_dictionaries(
    {
        "business": st.fixed_dictionaries(
            {"industry": st.sampled_from(INDUSTRIES), "revenue": st.integers(10_000_000, 10_000_000_000)}
        ),
        "incident": incident,
        "records": records,
        "response": st.sampled_from(["appropriate", "inappropriate", "unknown"]),
        "quantities": quantities,
        "outage_hours": st.integers(0, 2_000),
        "liability_basis": st.sampled_from(["expected", "jnsa"]),
    }
)


@st.composite
def plan_pairs(draw: st.DrawFn) -> tuple[dict[str, int], dict[str, int]]:
    """Two plans, the second with every limit at least the first's and a deductible at most the first's."""
    li = draw(st.integers(0, len(LIABILITY) - 1))
    li2 = draw(st.integers(li, len(LIABILITY) - 1))
    fitting = [i for i, e in enumerate(EXPENSE) if e <= LIABILITY[li]]
    ei = draw(st.sampled_from(fitting))
    ei2 = draw(st.sampled_from([i for i, e in enumerate(EXPENSE) if i >= ei and e <= LIABILITY[li2]]))
    di = draw(st.integers(0, len(DEDUCTIBLE) - 1))
    di2 = draw(st.integers(0, di))
    bi = draw(st.integers(0, len(BI) - 1))
    bi2 = draw(st.integers(bi, len(BI) - 1))
    return (
        {"liability_limit": LIABILITY[li], "expense_limit": EXPENSE[ei], "deductible": DEDUCTIBLE[di], "bi_limit": BI[bi]},
        {"liability_limit": LIABILITY[li2], "expense_limit": EXPENSE[ei2], "deductible": DEDUCTIBLE[di2],
         "bi_limit": BI[bi2]},
    )  # fmt: skip


def run(document: dict[str, Any], plan: dict[str, int] | None = None) -> Estimate:
    return estimate_loss(CATALOG, {**document, "plan": plan or {}}, today=TODAY, compare=False)


@given(scenarios, plan_pairs())
def test_raising_a_limit_or_lowering_the_deductible_never_lowers_the_payout(
    document: dict[str, Any], plans: tuple[dict[str, int], dict[str, int]]
) -> None:
    lower, higher = (run(document, plan) for plan in plans)
    assert higher.chosen.payable_total >= lower.chosen.payable_total
    assert higher.uninsured <= lower.uninsured


@given(scenarios, plan_pairs())
def test_payout_and_uninsured_remainder_always_add_up_to_the_total_loss(
    document: dict[str, Any], plans: tuple[dict[str, int], dict[str, int]]
) -> None:
    est = run(document, plans[0])
    losses = est.assessment.losses
    assert est.chosen.payable_total + est.uninsured == losses.total
    assert losses.total == sum(line.amount for line in est.assessment.lines) + losses.bi


@given(scenarios, plan_pairs())
def test_no_loss_kind_is_paid_more_than_it_costs(
    document: dict[str, Any], plans: tuple[dict[str, int], dict[str, int]]
) -> None:
    est = run(document, plans[1])
    left = est.chosen.uninsured_by_kind(est.assessment.losses.by_kind())
    assert min(left.values()) >= 0
    assert left["uninsurable"] == est.assessment.losses.uninsurable
    assert sum(left.values()) == est.uninsured


@given(
    categories, st.sampled_from(CATEGORIES), st.booleans(), st.sampled_from(["appropriate", "inappropriate", "unknown"])
)
def test_adding_a_leaked_category_never_lowers_the_damages_per_person(
    leaked: list[str], another: str, high: bool, response: str
) -> None:
    def per_person(found: list[str]) -> int:
        return jnsa.record_damages(
            tuple(found), 1, model=DATA.jnsa, high_social_responsibility=high, response=response,
            claim_rate=Decimal("0.01"),
        ).per_person  # fmt: skip

    more = leaked if another in leaked else [*leaked, another]
    assert per_person(more) >= per_person(leaked)


@given(scenarios)
def test_the_estimate_is_the_same_whatever_the_order_of_the_categories(document: dict[str, Any]) -> None:
    est = run(document)
    reordered = run({**document, "records": [{**r, "categories": r["categories"][::-1]} for r in document["records"]]})
    assert reordered.assessment.losses == est.assessment.losses
    assert reordered.chosen.payable_total == est.chosen.payable_total
