"""The portfolio engine's terms are the claim calculation's terms (hypothesis).

The reference is a scalar loop over the rule functions of :mod:`mamori.claims.rules` (the ones the claim
pipeline calls), in the order of product.md §3.6, with the sections, the deductible order and the waiting
period read from the product's coverage terms. The engine must pay exactly the same yen for every accident.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori import catalog as catalog_mod
from mamori.claims import rules
from mamori.portfolio import engine
from mamori.portfolio.book import Book
from mamori.portfolio.model import read_model
from mamori.portfolio.terms import Layout, apply_terms

CATALOG = catalog_mod.FolderCatalog()
VERSION = CATALOG.get("2025-04")
COVERAGE = VERSION.coverage
LAYOUT = Layout.of(COVERAGE)
JST = dt.timezone(dt.timedelta(hours=9))
OUTAGE_START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=JST)

amounts = st.one_of(st.integers(0, 5_000_000), st.integers(0, 300_000_000), st.sampled_from([0, 99_999, 100_000]))
limits = st.one_of(st.sampled_from([0, 3_000_000, 10_000_000, 30_000_000, 100_000_000]), st.integers(0, 200_000_000))
deductibles = st.one_of(st.sampled_from([0, 100_000, 300_000, 500_000, 1_000_000]), st.integers(0, 20_000_000))
minutes = st.one_of(st.integers(0, 72 * 60), st.sampled_from([719, 720, 721]))  # around the 12-hour waiting period


def scalar_payments(
    rows: list[list[int]], outage_minutes: list[int], deductible: int, limit: list[int]
) -> list[list[int]]:
    """What the claim rules pay for one policy-year's accidents, in order (the reference)."""
    sections = list(COVERAGE.sections)
    paid = dict.fromkeys(sections, 0)
    out = []
    for row, minute in zip(rows, outage_minutes, strict=True):
        covered = dict(zip(sections, row, strict=True))
        order = COVERAGE.deductible_sections
        parts = dict(zip(order, rules.split_deductible(deductible, [covered[s] for s in order]), strict=True))
        line = []
        for i, code in enumerate(sections):
            section = COVERAGE.sections[code]
            amount = covered[code] - parts.get(code, 0)
            if section.trigger == "outage":
                end = OUTAGE_START + dt.timedelta(minutes=minute)
                outlasts = rules.outage_exceeds_waiting(OUTAGE_START, end, COVERAGE.bi.waiting_hours)
                if not (rules.purchased(section.optional, limit[i]) and outlasts):
                    amount = 0
            payment = rules.apply_cap(amount, rules.remaining(limit[i], paid[code]))
            paid[code] += payment
            line.append(payment)
        out.append(line)
    return out


@st.composite
def policy_years(draw: st.DrawFn) -> list[tuple[list[list[int]], list[int], int, list[int]]]:
    """A few policy-years: accidents (ground-up per section, outage minutes), a deductible and limits each."""
    groups = []
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(1, 5))
        rows = [[draw(amounts) for _ in LAYOUT.sections] for _ in range(k)]
        groups.append(
            (rows, [draw(minutes) for _ in range(k)], draw(deductibles), [draw(limits) for _ in LAYOUT.sections])
        )
    return groups


@given(policy_years())
def test_the_vectorised_terms_pay_what_the_claim_rules_pay(
    groups: list[tuple[list[list[int]], list[int], int, list[int]]],
) -> None:
    rows = [row for g in groups for row in g[0]]
    hours = [m / 60 for g in groups for m in g[1]]
    starts = np.cumsum([0, *(len(g[0]) for g in groups)])
    paid = apply_terms(
        LAYOUT,
        np.array(rows, dtype=np.int64),
        np.array(hours),
        starts,
        np.arange(len(groups)),  # one policy per group, with its own deductible and limits
        np.array([g[2] for g in groups]),
        np.array([g[3] for g in groups]),
    )
    expected = [line for g in groups for line in scalar_payments(*g)]
    assert paid.tolist() == expected


# ------------------------------------------------------------------- the simulation pays the same way

MODEL = read_model(
    "busy.toml",
    """
[frequency]
distribution = "poisson"
rate = 1.5                     # several accidents a year: the annual limits are eroded often
[severity.expense]
distribution = "lognormal"
mu = 15.5
sigma = 1.2
[severity.liability]
distribution = "lognormal"
mu = 16.0
sigma = 1.5
probability = 0.4
[severity.bi]
distribution = "lognormal"
mu = 15.0
sigma = 1.0
probability = 0.6
[severity.bi.outage_hours]
mu = 2.5
sigma = 1.0
[severity.pd]
distribution = "lognormal"
mu = 15.0
sigma = 1.0
probability = 0.3
[systemic.wave]
ja = "一斉攻撃"
en = "Wave"
rate = 3.0
share = 0.3
event_sigma = 0.5
[systemic.wave.severity.expense]
distribution = "lognormal"
mu = 16.0
sigma = 1.0
""".encode(),
    VERSION,
)


def small_book(seed: int, n: int = 30) -> Book:
    rng = np.random.default_rng(seed)
    industries = tuple(VERSION.rating.industries)
    return Book.of(
        policy_id=[f"P{i}" for i in range(n)],
        industry=list(rng.choice(industries[:6], n)),
        industries=industries,
        columns={
            "revenue": rng.integers(10_000_000, 5_000_000_000, n),
            "liability_limit": rng.choice([10_000_000, 100_000_000], n),
            "expense_limit": rng.choice([3_000_000, 30_000_000], n),
            "deductible": rng.choice([0, 100_000, 1_000_000], n),
            "bi_limit": rng.choice([0, 10_000_000], n),
            "annual_premium": rng.integers(20_000, 200_000, n),
        },
        pd_rider=rng.random(n) < 0.5,
        security_measures=rng.integers(0, 11, n),
    )


def with_deductible(book: Book, amount: int) -> Book:
    columns = {
        name: book.column(name)
        for name in ("revenue", "liability_limit", "expense_limit", "bi_limit", "annual_premium")
    }
    return Book.of(
        policy_id=book.policy_id,
        industry=[book.industries[i] for i in book.industry],
        industries=book.industries,
        columns={**columns, "deductible": np.full(len(book), amount)},
        pd_rider=book.pd_rider,
        security_measures=book.security_measures,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_simulation_pays_what_apply_terms_pays_for_the_same_losses(seed: int) -> None:
    plan = engine.prepare(MODEL, small_book(seed), VERSION)
    block = engine.run_block(plan, seed, 0, 200, trace_rows=100_000)
    trace = block.trace
    assert 0 < trace.shape[0] < 100_000
    sections = len(LAYOUT.sections)
    policy, year = trace[:, 0], trace[:, 1]
    new_group = np.flatnonzero(np.r_[True, (policy[1:] != policy[:-1]) | (year[1:] != year[:-1])])
    assert (np.diff(np.r_[new_group, trace.shape[0]]) > 1).any()  # policy-years with several accidents
    paid = apply_terms(
        LAYOUT,
        trace[:, 2 : 2 + sections],
        block.trace_hours,
        np.r_[new_group, trace.shape[0]],
        policy[new_group],
        plan.deductible,
        plan.limits,
    )
    assert np.array_equal(paid, trace[:, 2 + sections :])
    assert int(paid.sum()) == int(block.loss.sum())


@settings(max_examples=25)
@given(st.integers(0, 2**32), st.sampled_from([0, 100_000]), st.sampled_from([300_000, 1_000_000, 50_000_000]))
def test_raising_a_deductible_never_raises_a_years_loss(seed: int, low: int, high: int) -> None:
    book = small_book(seed % 7)
    cheaper, dearer = with_deductible(book, low), with_deductible(book, high)
    low_years = engine.simulate_inline(engine.prepare(MODEL, cheaper, VERSION), 300, seed).loss
    high_years = engine.simulate_inline(engine.prepare(MODEL, dearer, VERSION), 300, seed).loss
    assert (high_years <= low_years).all()
    assert high_years.sum() < low_years.sum()


@settings(max_examples=25)
@given(st.integers(0, 2**32))
def test_no_years_loss_exceeds_the_sum_of_the_annual_limits(seed: int) -> None:
    book = small_book(seed % 11, n=8)
    table = engine.simulate_inline(engine.prepare(MODEL, book, VERSION), 400, seed)
    ceiling = int(sum(book.column(field).sum() for field in LAYOUT.limit_fields))
    assert table.loss.max() <= ceiling
    assert (table.occurrence <= table.loss).all()
    assert table.loss.max() > ceiling // 4  # the busy model reaches the limits: the bound is not vacuous
