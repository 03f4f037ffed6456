"""Reinsurance on the simulated book (product.md §8.4): the treaty file, and each layer against exact answers.

- a quota share is linear: each year's net loss is (1 − cession) × its gross loss, to the yen (one rounding
  per year, so at most half a yen apart), and so are the net largest occurrence and the AAL;
- a treaty never changes the gross answer: the same seed gives the same gross years with or without one;
- an excess-of-loss layer on a compound Poisson–lognormal (one policy, no deductible, limits far above
  any loss): the ceded mean per year is ``λ · E[min(max(X − r, 0), l)]``, exact in closed form with the
  normal CDF (the limited expected values of the lognormal); the simulated mean must lie within 4 of its
  standard errors (σ/√years) of it (a chance failure below 1e-4, the seed fixed: deterministic);
- per event against per risk on a systemic event that hits many policies, each below the retention: the
  per-risk layer cedes nothing, the per-event layer cedes the event's total above its retention (checked
  year by year where the year has exactly one event and nothing else);
- the aggregate layer caps the year: ceded = min(max(year − r, 0), l) exactly, every year.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from mamori import catalog as catalog_mod
from mamori.catalog.reader import ProductDataError
from mamori.errors import InvalidInput
from mamori.portfolio import engine, metrics
from mamori.portfolio.book import Book
from mamori.portfolio.model import Model, read_model
from mamori.portfolio.treaty import Layer, Treaty, read_treaty
from mamori.usecases import portfolio

VERSION = catalog_mod.FolderCatalog().get("2025-04")
DATA = Path(__file__).resolve().parent.parent / "data" / "portfolio"
MU, SIGMA, RATE = 14.0, 1.2, 2.0
NO_TREATY = Treaty(name="none", ja="なし", en="none", cession=0.0, per_risk=None, per_event=None, aggregate=None)


def treaty(**layers: object) -> Treaty:
    return dataclasses.replace(NO_TREATY, **layers)  # type: ignore[arg-type]


def book(copies: int, *, deductible: int = 0) -> Book:
    return Book.of(
        policy_id=[f"P{i}" for i in range(copies)],
        industry=["wholesale"] * copies,
        industries=tuple(VERSION.rating.industries),
        columns={
            "revenue": [VERSION.rating.reference_revenue] * copies,
            "liability_limit": [10**12] * copies,
            "expense_limit": [10**12] * copies,
            "deductible": [deductible] * copies,
            "bi_limit": [0] * copies,
            "annual_premium": [60_000] * copies,
        },
        pd_rider=[False] * copies,
        security_measures=[VERSION.rating.measure_reference_count] * copies,
    )


def poisson_lognormal() -> Model:
    text = f"""
[frequency]
distribution = "poisson"
rate = {RATE}
[severity.expense]
distribution = "lognormal"
mu = {MU}
sigma = {SIGMA}
"""
    return read_model("exact.toml", text.encode(), VERSION)


def systemic_only(rate: float = 0.3) -> Model:
    """No independent accidents; one kind of systemic event that hits every policy, ~1.2M yen each."""
    text = f"""
[frequency]
distribution = "poisson"
rate = 0
[severity.expense]
distribution = "lognormal"
mu = 14.0
sigma = 0.05
[systemic.outage]
ja = "障害"
en = "Outage"
rate = {rate}
share = 1.0
[systemic.outage.severity.expense]
distribution = "lognormal"
mu = 14.0
sigma = 0.05
"""
    return read_model("systemic.toml", text.encode(), VERSION)


def reference() -> tuple[Model, Book]:
    model, version = portfolio.load_model_for(portfolio.DEFAULT_MODEL, catalog_mod.FolderCatalog())
    return model, portfolio.read_book(DATA / "book.csv", version)


def run(model: Model, b: Book, t: Treaty | None, years: int, seed: int = 7) -> engine.YearTable:
    return engine.simulate_inline(engine.prepare(model, b, VERSION, t), years, seed)


def limited_mean(d: float) -> float:
    """E[min(X, d)] of the lognormal (MU, SIGMA): the limited expected value, in closed form."""
    if math.isinf(d):
        return math.exp(MU + SIGMA**2 / 2)
    phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # noqa: E731
    ln = math.log(d)
    return math.exp(MU + SIGMA**2 / 2) * phi((ln - MU - SIGMA**2) / SIGMA) + d * (1 - phi((ln - MU) / SIGMA))


def layer_mean(retention: float, limit: float) -> float:
    """E[min(max(X − r, 0), l)] = E[min(X, r + l)] − E[min(X, r)]."""
    return limited_mean(retention + limit) - limited_mean(retention)


# ------------------------------------------------------------------------------------------ the file


def test_the_sample_treaty_is_the_example_of_the_interface() -> None:
    (path,) = portfolio.shipped_treaties().values()
    t = portfolio.load_treaty(path)
    assert t.cession == 0.3
    assert t.per_risk == Layer(20_000_000, 80_000_000)
    assert t.per_event == Layer(300_000_000, 1_000_000_000)
    assert t.aggregate == Layer(2_000_000_000, 3_000_000_000)
    assert list(t.terms) == [0.7, 2e7, 8e7, 3e8, 1e9, 2e9, 3e9]


def test_a_layer_without_a_limit_is_unlimited_and_a_table_may_be_left_out() -> None:
    t = read_treaty("t.toml", b"[per_event]\nretention = 5\n")
    assert t.per_event == Layer(5, None) and t.cession == 0 and t.per_risk is None and t.aggregate is None
    assert t.terms[4] == math.inf and t.terms[2] == 0  # the per-risk layer absent: cedes nothing


@pytest.mark.parametrize(
    ("text", "key", "code", "allowed"),
    [
        ("[surplus]\nretention = 1\n", "surplus", "P_TREATY_TABLE",
         ["treaty", "quota_share", "per_risk", "per_event", "aggregate"]),
        ("[per_risk]\nretention = -1\nlimit = 5\n", "per_risk.retention", "P_BETWEEN", None),
        ("[per_risk]\nretension = 1\nlimit = 5\n", "per_risk.retension", "P_TREATY_KEY", ["retention", "limit"]),
        ("[per_event]\nlimit = 5\n", "per_event.retention", "P_MISSING", None),
        ("[aggregate]\nretention = 1.5\n", "aggregate.retention", "P_INTEGER", None),
        ("[quota_share]\ncession = 1.2\n", "quota_share.cession", "P_BETWEEN", None),
        ("[quota_share]\ncession = \"30%\"\n", "quota_share.cession", "P_NUMBER", None),
        ("[quota_share]\nshare = 0.3\n", "quota_share.share", "P_TREATY_KEY", ["cession"]),
        ("quota_share = 0.3\n", "quota_share", "P_TABLE", None),
    ],
)  # fmt: skip
def test_a_broken_treaty_names_the_key_and_what_is_allowed(
    text: str, key: str, code: str, allowed: list[str] | None, tmp_path: Path
) -> None:
    with pytest.raises(ProductDataError) as raised:
        read_treaty("t.toml", text.encode())
    assert (raised.value.key, raised.value.code) == (key, code)
    path = tmp_path / "t.toml"
    path.write_text(text)
    with pytest.raises(InvalidInput) as invalid:
        portfolio.load_treaty(path)
    (error,) = invalid.value.errors
    assert error.field == "treaty"
    assert key in error.message("en")
    if allowed is not None:
        assert error.to_dict("en")["allowed"] == allowed


# ------------------------------------------------------------------------------------------ the layers


def test_a_quota_share_is_linear_and_leaves_the_gross_unchanged() -> None:
    model, b = reference()
    gross = run(model, b, None, 20_000)
    q = 0.3
    table = run(model, b, treaty(cession=q), 20_000)
    for name in engine.YearTable.YEAR_COLUMNS:
        assert np.array_equal(getattr(table, name), getattr(gross, name)), name
    assert gross.loss.sum() > 0 and gross.systemic_events.sum() > 0
    assert np.abs(table.net_loss - (1 - q) * gross.loss).max() <= 0.5 + 1e-6
    assert np.abs(table.net_occurrence - (1 - q) * gross.occurrence).max() <= 0.5 + 1e-6
    assert np.abs(table.ceded_occurrence - q * gross.occurrence).max() <= 0.5 + 1e-6
    assert np.array_equal(table.ceded_loss + table.net_loss, table.loss)
    answer = metrics.reinsurance(table)
    assert abs(answer["net"]["aal"] - (1 - q) * answer["gross"]["aal"]) <= 1
    assert abs(answer["gross"]["aal"] - answer["ceded"]["aal"] - answer["net"]["aal"]) <= 1  # each rounded once
    for t in ("100", "200"):
        assert abs(answer["net"]["aep"][t] - (1 - q) * answer["gross"]["aep"][t]) <= 1


@pytest.mark.parametrize("layer", ["per_risk", "per_event"])
@pytest.mark.parametrize(("retention", "limit"), [(2_000_000, 5_000_000), (10_000_000, None)])
def test_an_excess_of_loss_layer_has_the_closed_form_mean(layer: str, retention: int, limit: int | None) -> None:
    """One policy: every accident is one risk and one occurrence, so either layer cedes λ·E[layer of X]."""
    years = 200_000
    table = run(poisson_lognormal(), book(1), treaty(**{layer: Layer(retention, limit)}), years)
    ceded = table.ceded_loss.astype(np.float64)
    exact = RATE * layer_mean(retention, math.inf if limit is None else limit)
    error = ceded.std() / math.sqrt(years)
    assert abs(ceded.mean() - exact) <= 4 * error, (ceded.mean(), exact, error)
    assert error < 0.02 * exact  # the check means something: the band is narrow
    if limit is not None:
        assert table.ceded_occurrence.max() <= limit


def test_a_quota_share_first_then_the_layer_on_the_retained_part() -> None:
    """Quota share q, then a per-risk layer (r, l) on (1 − q)·X: ceded = q·X + (1 − q)·layer(r/(1−q), l/(1−q))."""
    years, q, r, lim = 200_000, 0.4, 3_000_000, 6_000_000
    table = run(poisson_lognormal(), book(1), treaty(cession=q, per_risk=Layer(r, lim)), years)
    gross_mean = RATE * math.exp(MU + SIGMA**2 / 2)
    exact = q * gross_mean + (1 - q) * RATE * layer_mean(r / (1 - q), lim / (1 - q))
    ceded = table.ceded_loss.astype(np.float64)
    # the quota share's part is exact given the gross; the error is that of the simulated mean
    error = ceded.std() / math.sqrt(years)
    assert abs(ceded.mean() - exact) <= 4 * error, (ceded.mean(), exact, error)


def test_a_systemic_event_is_one_occurrence_per_event_and_many_risks_per_risk() -> None:
    copies, years, r = 100, 4000, 50_000_000
    model, b = systemic_only(), book(copies)
    per_event = run(model, b, treaty(per_event=Layer(r, None)), years)
    per_risk = run(model, b, treaty(per_risk=Layer(r, None)), years)
    gross = per_event.loss
    assert per_event.events.sum() == 0 and per_event.systemic_events.sum() > 100
    assert per_risk.ceded_loss.sum() == 0  # each policy's loss (~1.2M yen) is far below the retention
    one = (per_event.systemic_events == 1) & (gross > 0)
    assert one.sum() > 100
    # one event in the year: 100 policies × ~1.2M yen ≈ 120M yen, one occurrence above 50M
    expected = np.maximum(gross[one] - r, 0)
    assert np.abs(per_event.ceded_loss[one] - expected).max() <= 1
    assert (per_event.ceded_loss[one] > 0).all()
    assert np.array_equal(per_event.ceded_occurrence[one], per_event.ceded_loss[one])
    two = per_event.systemic_events == 2  # two events: each above the retention on its own
    assert np.abs(per_event.ceded_loss[two] - (gross[two] - 2 * r)).max() <= 1


@pytest.mark.parametrize(("retention", "limit"), [(30_000_000, 20_000_000), (0, 10**8), (10**9, None)])
def test_the_aggregate_layer_caps_each_year(retention: int, limit: int | None) -> None:
    model, b = reference()
    table = run(model, b, treaty(aggregate=Layer(retention, limit)), 20_000)
    cap = math.inf if limit is None else limit
    expected = np.minimum(np.maximum(table.loss - retention, 0), cap)
    assert np.array_equal(table.ceded_loss, expected.astype(np.int64))
    assert table.ceded_loss.max() <= cap
    # the aggregate layer is per year: no occurrence is ceded, and no occurrence keeps more than the year
    assert table.ceded_occurrence.max() == 0
    assert (table.net_occurrence <= table.net_loss).all()


def test_the_answer_holds_gross_ceded_and_net_and_keeps_the_gross_at_the_top(tmp_path: Path) -> None:
    (path,) = portfolio.shipped_treaties().values()
    run_ = portfolio.simulate(
        catalog_mod.FolderCatalog(), DATA / "book.csv", None, years=5000, seed=3,
        cluster=portfolio_cluster(), out=tmp_path / "out", treaty_path=path,
    )  # fmt: skip
    plain = portfolio.simulate(
        catalog_mod.FolderCatalog(), DATA / "book.csv", None, years=5000, seed=3, cluster=portfolio_cluster()
    )
    a = run_.answer
    assert {k: a[k] for k in ("aal", "aep", "oep", "tvar")} == {
        k: plain.answer[k] for k in ("aal", "aep", "oep", "tvar")
    }
    assert a["gross"] == {k: a[k] for k in ("aal", "aep", "oep", "tvar")}
    assert a["treaty"]["name"] == "sample-2025"
    for key in ("ceded", "net"):
        assert set(a[key]) == {"aal", "aep", "oep", "tvar"}
        assert set(a[key]["aep"]) == {"10", "100", "200", "250"}
    assert a["net"]["aal"] < a["gross"]["aal"]
    assert abs(a["gross"]["aal"] - a["ceded"]["aal"] - a["net"]["aal"]) <= 1
    assert "net" not in plain.answer and "treaty" not in plain.answer
    import pyarrow.parquet as pq

    years = pq.read_table(run_.outputs["year_loss_table"])
    assert {"net_loss", "net_occurrence", "ceded_occurrence"} <= set(years.column_names)
    assert Path(run_.outputs["ep_curve"]).read_bytes()[:4] == b"\x89PNG"


def portfolio_cluster() -> object:
    from mamori.portfolio.runner import Cluster

    return Cluster(workers=0)


def test_a_treaty_gives_the_same_answer_on_dask_workers_as_inline() -> None:
    from mamori.portfolio import runner

    model, b = reference()
    (path,) = portfolio.shipped_treaties().values()
    plan = engine.prepare(model, b, VERSION, portfolio.load_treaty(path))
    inline = engine.simulate_inline(plan, 3000, 5)
    on_dask = runner.run(plan, 3000, 5, runner.Cluster(workers=2))
    for name in inline.columns:
        assert np.array_equal(getattr(on_dask, name), getattr(inline, name)), name
    assert inline.reinsured and "net_loss" in inline.columns


@pytest.mark.parametrize(
    ("lang", "words"),
    [("ja", ("再保険", "元受", "出再", "保有（正味）")), ("en", ("Reinsurance", "Gross", "Ceded", "Net"))],
)
def test_the_readable_answer_shows_gross_ceded_and_net(lang: str, words: tuple[str, ...]) -> None:
    import io
    import json

    from mamori import cli

    (path,) = portfolio.shipped_treaties().values()
    argv = ["portfolio", "simulate", str(DATA / "book.csv"), str(DATA / "minimal-model.toml"), "--years", "2000",
            "--workers", "0", "--treaty", str(path), "--lang", lang]  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(argv, stdout=out, stderr=err) == 0, err.getvalue()
    text = out.getvalue()
    assert all(word in text for word in words), text
    out = io.StringIO()
    assert cli.main([*argv, "--json"], stdout=out, stderr=io.StringIO()) == 0
    answer = json.loads(out.getvalue())
    assert f"{answer['net']['aal']:,}" in text and f"{answer['ceded']['tvar']['99.5']:,}" in text


@pytest.mark.parametrize("layer", ["per_risk", "per_event", "aggregate"])
def test_a_higher_retention_never_cedes_more_in_any_year(layer: str) -> None:
    """Same seed, same years: each year's ceded loss falls (or stays) as the layer's retention rises."""
    model, b = reference()
    ceded = []
    for retention in (0, 1_000_000, 5_000_000, 30_000_000):
        table = run(model, b, treaty(cession=0.2, **{layer: Layer(retention, 10_000_000)}), 5000)
        assert (table.ceded_loss >= 0).all() and (table.net_loss >= 0).all()
        ceded.append(table.ceded_loss)
    for lower, higher in itertools.pairwise(ceded):
        assert (higher <= lower + 1).all()  # one yen: each year rounded once
    quota = np.floor(0.2 * table.loss + 0.5)
    assert (ceded[0] > quota + 1).any()  # the layer cedes something at retention 0
