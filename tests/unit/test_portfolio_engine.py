"""The simulation engine: reproducible from the seed alone, systemic events move losses together."""

from __future__ import annotations

import numpy as np
import pytest

from mamori import catalog as catalog_mod
from mamori.portfolio import engine, metrics, runner
from mamori.portfolio.book import Book
from mamori.portfolio.model import Model, read_model
from mamori.usecases import portfolio as usecase

VERSION = catalog_mod.FolderCatalog().get("2025-04")
REFERENCE = read_model("reference.toml", usecase.DEFAULT_MODEL.read_bytes(), VERSION)
INDEPENDENT = """
[frequency]
distribution = "poisson"
rate = 0.05
[severity.expense]
distribution = "lognormal"
mu = 14.0
sigma = 1.0
"""
SYSTEMIC = """
[systemic.campaign]
ja = "攻撃キャンペーン"
en = "Campaign"
rate = 0.02
share = { a = 2.0, b = 8.0 }
[systemic.campaign.severity.expense]
distribution = "lognormal"
mu = 14.0
sigma = 1.0
"""


def book(n: int = 300, seed: int = 0) -> Book:
    rng = np.random.default_rng(seed)
    industries = tuple(VERSION.rating.industries)
    return Book.of(
        policy_id=[f"P{i}" for i in range(n)],
        industry=list(rng.choice(industries[:14], n)),
        industries=industries,
        columns={
            "revenue": rng.integers(10_000_000, 5_000_000_000, n),
            "liability_limit": rng.choice([50_000_000, 100_000_000], n),
            "expense_limit": rng.choice([10_000_000, 30_000_000], n),
            "deductible": rng.choice([0, 100_000], n),
            "bi_limit": rng.choice([0, 30_000_000], n),
            "annual_premium": rng.integers(20_000, 200_000, n),
        },
        pd_rider=rng.random(n) < 0.3,
        security_measures=rng.integers(0, 11, n),
    )


def tables_equal(a: engine.YearTable, b: engine.YearTable) -> bool:
    names = (*engine.YearTable.YEAR_COLUMNS, "industry_loss", "section_loss", "kind_loss", "kind_events", "counters")
    return all(np.array_equal(getattr(a, n), getattr(b, n)) for n in names)


def reference_plan(n: int = 300) -> engine.Plan:
    return engine.prepare(REFERENCE, book(n), VERSION)


def test_the_same_seed_gives_the_same_year_loss_table() -> None:
    plan = reference_plan()
    first, again = engine.simulate_inline(plan, 2500, 11), engine.simulate_inline(plan, 2500, 11)
    assert tables_equal(first, again)
    assert not np.array_equal(first.loss, engine.simulate_inline(plan, 2500, 12).loss)


def test_blocks_give_the_same_answer_in_any_order() -> None:
    plan = reference_plan()
    blocks = engine.blocks_of(3500)
    assert blocks == [(0, 1000), (1, 1000), (2, 1000), (3, 500)]
    forward = engine.simulate_inline(plan, 3500, 5, blocks)
    backward = engine.simulate_inline(plan, 3500, 5, blocks[::-1])
    assert tables_equal(forward, backward)


def test_a_block_run_again_with_more_room_gives_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = engine.prepare(
        read_model("busy.toml", INDEPENDENT.replace("0.05", "3.0").encode(), VERSION), book(50), VERSION
    )
    roomy = engine.run_block(plan, 3, 0, 500)
    monkeypatch.setattr(engine, "ACCIDENTS_PER_YEAR", 1)  # every year with two accidents runs the block again
    cramped = engine.run_block(plan, 3, 0, 500)
    assert np.array_equal(roomy.loss, cramped.loss)
    assert np.array_equal(roomy.occurrence, cramped.occurrence)


def test_tasks_cover_every_block_once_in_order() -> None:
    plan = reference_plan()
    for workers in (1, 2, 7):
        tasks = runner.tasks_of(plan, 12_345, workers)
        assert [block for task in tasks for block in task] == engine.blocks_of(12_345)
        assert len(tasks) >= min(len(engine.blocks_of(12_345)), runner.TASKS_PER_WORKER * workers)


def test_a_run_without_dask_reports_its_progress_block_by_block() -> None:
    seen: list[tuple[int, int]] = []
    table = runner.run(
        reference_plan(20), 2100, 1, runner.Cluster(workers=0), progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert tables_equal(table, engine.simulate_inline(reference_plan(20), 2100, 1))


def model_with(systemic: bool) -> Model:
    return read_model("m.toml", (INDEPENDENT + (SYSTEMIC if systemic else "")).encode(), VERSION)


def test_systemic_events_raise_the_tail_more_than_the_mean() -> None:
    years = 20_000
    alone = engine.simulate_inline(engine.prepare(model_with(False), book(), VERSION), years, 2025)
    joint = engine.simulate_inline(engine.prepare(model_with(True), book(), VERSION), years, 2025)
    mean_rise = joint.loss.mean() / alone.loss.mean()
    tail_rise = metrics.return_period_loss(np.sort(joint.loss), 200) / metrics.return_period_loss(
        np.sort(alone.loss), 200
    )
    assert mean_rise > 1.05  # the events add to the mean...
    assert tail_rise > 2 * mean_rise  # ...and far more to the 1-in-200 year
    assert joint.kind_events[0] > 0
    assert joint.occurrence.max() > alone.occurrence.max()  # one event's losses add up to one occurrence


def test_a_systemic_event_hits_only_its_industries() -> None:
    only_retail = SYSTEMIC.replace("rate = 0.02", 'rate = 1.0\nindustries = ["retail"]')
    plan = engine.prepare(
        read_model("m.toml", (INDEPENDENT.replace("0.05", "0.0") + only_retail).encode(), VERSION), book(), VERSION
    )
    table = engine.simulate_inline(plan, 500, 9)
    hit = {code for code, loss in zip(table.industries, table.industry_loss, strict=True) if loss > 0}
    assert hit == {"retail"}


def without_options(b: Book) -> Book:
    columns = {n: b.column(n) for n in ("revenue", "liability_limit", "expense_limit", "deductible", "annual_premium")}
    return Book.of(
        policy_id=b.policy_id,
        industry=[b.industries[i] for i in b.industry],
        industries=b.industries,
        columns={**columns, "bi_limit": np.zeros(len(b), dtype=np.int64)},
        pd_rider=np.zeros(len(b), dtype=bool),
        security_measures=b.security_measures,
    )


def test_a_policy_without_the_option_or_the_rider_draws_no_loss_for_them() -> None:
    bi = engine.Layout.of(VERSION.coverage).sections.index("bi")
    some = engine.simulate_inline(engine.prepare(REFERENCE, book(), VERSION), 2000, 4)
    none = engine.simulate_inline(engine.prepare(REFERENCE, without_options(book()), VERSION), 2000, 4)
    assert some.section_loss[bi] > 0
    assert none.section_loss[bi] == 0
    assert none.counters[2] < some.counters[2]  # fewer losses drawn: nothing is drawn for what was not bought


def test_frequency_relativities_follow_industry_revenue_and_measures() -> None:
    plan = engine.prepare(REFERENCE, book(), VERSION)
    b = book()
    f = REFERENCE.frequency
    ratio = np.maximum(b.revenue, VERSION.rating.revenue_floor) / VERSION.rating.reference_revenue
    industry = np.array([f.industry.get(b.industries[i], f.industry_default) for i in b.industry])
    measures = (1 - f.per_measure * b.security_measures) / (1 - f.per_measure * f.reference_count)
    assert np.allclose(plan.rate, f.rate * industry * ratio**f.revenue_exponent * measures)
    assert np.allclose(1 - plan.nb_q, (f.n / (f.n + plan.rate)) ** f.n)  # P(no accident) of the negative binomial
