"""The figures of a simulated book: EP at return periods, TVaR, AAL and the premium comparison."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from mamori import catalog as catalog_mod
from mamori.portfolio import engine, metrics
from mamori.portfolio.book import Book
from mamori.portfolio.model import read_model

VERSION = catalog_mod.FolderCatalog().get("2025-04")
ONE_TO_THOUSAND = np.arange(1, 1001, dtype=np.int64)


def test_a_return_period_loss_is_the_inverse_of_the_empirical_distribution() -> None:
    assert metrics.return_period_loss(ONE_TO_THOUSAND, 10) == 900
    assert metrics.return_period_loss(ONE_TO_THOUSAND, 200) == 995  # P(loss ≤ 995) = 0.995
    assert metrics.return_period_loss(ONE_TO_THOUSAND, 250) == 996
    assert metrics.return_period_loss(np.arange(1, 101, dtype=np.int64), 250) == 100  # fewer years: the largest


def test_tvar_is_the_mean_of_the_worst_years() -> None:
    assert metrics.tvar(ONE_TO_THOUSAND, Fraction("0.99")) == 996  # mean of 991..1000 = 995.5, half up
    assert metrics.tvar(ONE_TO_THOUSAND, Fraction("0.995")) == 998


def test_tvar_counts_a_fraction_of_a_year_in_part() -> None:
    years = np.array([0] * 148 + [100, 400], dtype=np.int64)  # 150 years: the worst 1 % is 1.5 years
    assert metrics.tvar(years, Fraction("0.99")) == 300  # (400 + 0.5 × 100) / 1.5


def test_the_answer_keeps_every_key_of_the_interface_in_integer_yen() -> None:
    model = read_model(
        "m.toml",
        b'[frequency]\ndistribution = "poisson"\nrate = 0.3\n[severity.liability]\ndistribution = "lognormal"\n'
        b"mu = 14.0\nsigma = 1.0\n[pricing]\nloading = 0.5\n",
        VERSION,
    )
    book = Book.of(
        policy_id=["A", "B", "C"],
        industry=["wholesale", "retail", "retail"],
        industries=tuple(VERSION.rating.industries),
        columns={
            "revenue": [500_000_000] * 3,
            "liability_limit": [100_000_000] * 3,
            "expense_limit": [30_000_000] * 3,
            "deductible": [100_000] * 3,
            "bi_limit": [0] * 3,
            "annual_premium": [62_120, 93_180, 93_180],
        },
        pd_rider=[False] * 3,
        security_measures=[5] * 3,
    )
    table = engine.simulate_inline(engine.prepare(model, book, VERSION), 5000, 3)
    answer = metrics.summarise(table, book, model, seed=3).to_dict()
    assert {"years", "policies", "aal", "aep", "oep", "tvar", "by_industry"} <= answer.keys()
    assert (answer["years"], answer["policies"]) == (5000, 3)
    assert list(answer["aep"]) == list(answer["oep"]) == ["10", "100", "200", "250"]
    assert list(answer["tvar"]) == ["99", "99.5"]
    assert set(answer["by_industry"]) == {"wholesale", "retail"}
    figures = [answer["aal"], *answer["aep"].values(), *answer["oep"].values(), *answer["tvar"].values()]
    assert all(type(v) is int for v in figures)
    assert answer["aal"] == round(table.loss.sum() / 5000)
    retail = answer["by_industry"]["retail"]
    assert retail["charged_premium"] == 186_360
    assert abs(retail["technical_premium"] - retail["aal"] * 1.5) <= 1  # AAL × (1 + loading), from the unrounded AAL
    assert answer["by_industry"]["wholesale"]["aal"] + retail["aal"] - answer["aal"] in (-1, 0, 1)
    assert answer["aep"]["200"] <= answer["tvar"]["99.5"]
    assert all(answer["oep"][t] <= answer["aep"][t] for t in answer["aep"])
