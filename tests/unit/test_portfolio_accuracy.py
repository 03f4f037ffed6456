"""The simulation against exact answers (Monte Carlo with a fixed seed, within a stated error).

A one-section book (expenses only, one policy, a deductible, limits far above any loss) under a Poisson or
negative-binomial frequency and a lognormal severity has an exact annual-loss distribution: the compound
distribution, computed here by FFT on the severity net of the deductible, discretised on a grid of
``H`` yen twice: rounding every loss down (a distribution below the true one) and up (above it). So for
every level the exact quantile lies between the two, whatever the grid; the simulation must lie between
them too, up to its own sampling error:

- mean: within 4 standard errors (σ/√years) of the exact mean (closed form);
- quantile at p: between the rounded-down quantile at p − δ and the rounded-up one at p + δ, with
  δ = 4·√(p(1−p)/years) (a binomial band on the empirical distribution function);
- TVaR at p: between the two discretisations' TVaR, widened by 4 of its standard errors
  √((Var(L | L > VaR) + p·(TVaR − VaR)²) / ((1−p)·years)).

Each check fails by chance with probability below 1e-4; the seed is fixed, so the test is deterministic.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pytest

from mamori import catalog as catalog_mod
from mamori.portfolio import engine, metrics
from mamori.portfolio.book import Book
from mamori.portfolio.model import Model, read_model

VERSION = catalog_mod.FolderCatalog().get("2025-04")
YEARS = 200_000
MU, SIGMA = 14.0, 1.2  # median 1.2M yen, mean 2.4M yen
DEDUCTIBLE = 100_000
RATE = 2.0
SIZE = 1.5  # negative binomial size
H = 10_000  # grid of the exact method, yen
CELLS = 2**17  # up to 1.3 billion yen: beyond any annual loss here (checked below)
LEVELS = (0.9, 0.99, 0.995)
Pmf = npt.NDArray[np.float64]


def model(distribution: str) -> Model:
    size = f"\nn = {SIZE}" if distribution == "negative_binomial" else ""
    text = f"""
[frequency]
distribution = "{distribution}"
rate = {RATE}{size}
[severity.expense]
distribution = "lognormal"
mu = {MU}
sigma = {SIGMA}
"""
    return read_model("exact.toml", text.encode(), VERSION)


def one_policy(*, deductible: int = DEDUCTIBLE, copies: int = 1) -> Book:
    return Book.of(
        policy_id=[f"P{i}" for i in range(copies)],
        industry=["wholesale"] * copies,
        industries=tuple(VERSION.rating.industries),
        columns={
            "revenue": [VERSION.rating.reference_revenue] * copies,
            "liability_limit": [10**12] * copies,
            "expense_limit": [10**12] * copies,  # far above any annual loss: no limit binds
            "deductible": [deductible] * copies,
            "bi_limit": [0] * copies,
            "annual_premium": [60_000] * copies,
        },
        pd_rider=[False] * copies,
        security_measures=[VERSION.rating.measure_reference_count] * copies,
    )


def lognormal_cdf(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    z = (np.log(np.maximum(x, 1e-300)) - MU) / (SIGMA * math.sqrt(2))
    return np.where(x > 0, 0.5 * np.vectorize(math.erfc)(-z), 0.0)


def severity_pmf(rounding: str) -> Pmf:
    """The net loss of one accident, max(X − D, 0), on the grid k·H, every loss rounded down or up."""
    edges = lognormal_cdf(np.arange(CELLS + 1, dtype=np.float64) * H + DEDUCTIBLE)  # P(X − D ≤ k·H)
    if rounding == "down":  # mass of [kH, (k+1)H) at kH
        pmf = np.diff(edges)
        pmf[0] += edges[0]
    else:  # mass of ((k−1)H, kH] at kH
        pmf = np.r_[edges[0], np.diff(edges)[:-1]]
    pmf[-1] += 1 - pmf.sum()
    return pmf


def annual_pmf(distribution: str, rounding: str) -> Pmf:
    phi = np.fft.rfft(severity_pmf(rounding), n=2 * CELLS)  # padded: no wrap-around
    if distribution == "poisson":
        pgf = np.exp(RATE * (phi - 1))
    else:
        p = SIZE / (SIZE + RATE)
        pgf = (p / (1 - (1 - p) * phi)) ** SIZE
    pmf = np.fft.irfft(pgf, n=2 * CELLS)[:CELLS]
    return np.clip(pmf, 0, None)


def exact_quantile(pmf: Pmf, level: float) -> float:
    return float(np.searchsorted(np.cumsum(pmf), level) * H)


def exact_tvar(pmf: Pmf, level: float) -> tuple[float, float]:
    """TVaR at level and its sampling standard error for ``YEARS`` years."""
    cdf = np.cumsum(pmf)
    k = int(np.searchsorted(cdf, level))
    x = np.arange(CELLS) * H
    above = pmf[k + 1 :]
    var = k * H
    tail_mass = 1 - level
    tvar = (float((x[k + 1 :] * above).sum()) + var * (cdf[k] - level)) / tail_mass
    second = (float((x[k + 1 :] ** 2 * above).sum()) + var**2 * (cdf[k] - level)) / tail_mass
    spread = second - tvar**2 + level * (tvar - var) ** 2
    return tvar, math.sqrt(max(spread, 0) / (tail_mass * YEARS))


def exact_mean_and_sd(distribution: str) -> tuple[float, float]:
    """Mean (closed form) and standard deviation (from the up-rounded distribution) of the annual loss."""
    phi = lambda t: 0.5 * math.erfc(-t / math.sqrt(2))  # noqa: E731
    d = math.log(DEDUCTIBLE)
    limited = math.exp(MU + SIGMA**2 / 2) * phi((d - MU - SIGMA**2) / SIGMA) + DEDUCTIBLE * (1 - phi((d - MU) / SIGMA))
    mean = RATE * (math.exp(MU + SIGMA**2 / 2) - limited)
    pmf = annual_pmf(distribution, "up")
    x = np.arange(CELLS) * H
    sd = math.sqrt(float((x**2 * pmf).sum()) - float((x * pmf).sum()) ** 2)
    return mean, sd


@pytest.mark.parametrize("distribution", ["poisson", "negative_binomial"])
def test_simulated_mean_quantiles_and_tvar_match_the_exact_compound_distribution(distribution: str) -> None:
    plan = engine.prepare(model(distribution), one_policy(), VERSION)
    losses = np.sort(engine.simulate_inline(plan, YEARS, seed=20250401).loss)
    low, high = annual_pmf(distribution, "down"), annual_pmf(distribution, "up")
    assert high[-1] < 1e-8  # the grid holds the annual loss but for a mass too small to move any figure

    mean, sd = exact_mean_and_sd(distribution)
    assert abs(losses.mean() - mean) <= 4 * sd / math.sqrt(YEARS)

    for level in LEVELS:
        delta = 4 * math.sqrt(level * (1 - level) / YEARS)
        period = round(1 / (1 - level))
        simulated = metrics.return_period_loss(losses, period)
        assert exact_quantile(low, level - delta) <= simulated <= exact_quantile(high, level + delta)

    for level in (0.99, 0.995):
        simulated = metrics.tvar(losses, Fraction(str(level)))
        (below, error_low), (above, error_high) = exact_tvar(low, level), exact_tvar(high, level)
        assert below - 4 * error_low <= simulated <= above + 4 * error_high


def test_the_exact_bounds_are_tight_enough_to_mean_something() -> None:
    low, high = annual_pmf("poisson", "down"), annual_pmf("poisson", "up")
    q_low, q_high = exact_quantile(low, 0.995), exact_quantile(high, 0.995)
    assert q_high - q_low <= 10 * H  # the grid costs at most a few cells: the MC band dominates
    assert q_low > 10_000_000


def test_a_book_of_two_identical_policies_has_twice_the_aal() -> None:
    """Without a deductible the exact mean and variance are closed forms: λ·e^(μ+σ²/2) and λ·e^(2μ+2σ²)."""
    mean = RATE * math.exp(MU + SIGMA**2 / 2)
    sd = math.sqrt(RATE * math.exp(2 * MU + 2 * SIGMA**2))
    years = 100_000
    one = engine.simulate_inline(engine.prepare(model("poisson"), one_policy(deductible=0), VERSION), years, 7).loss
    two = engine.simulate_inline(
        engine.prepare(model("poisson"), one_policy(deductible=0, copies=2), VERSION), years, 7
    )
    error = sd / math.sqrt(years)
    assert abs(one.mean() - mean) <= 4 * error
    assert abs(two.loss.mean() - 2 * mean) <= 4 * math.sqrt(2) * error
    assert abs(two.loss.mean() - 2 * one.mean()) <= 4 * (1 + math.sqrt(2)) * error
    assert two.industry_loss.sum() == two.loss.sum()  # the book's loss is its policies' losses, to the yen
