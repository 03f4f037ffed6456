"""Reserving against the published examples of Mack (1993, 1994), and against the `chainladder` package.

Sources of the triangles and of the figures:

- **Taylor–Ashe** (Taylor, G. C. and Ashe, F. R. (1983), "Second moments of estimates of outstanding claims",
  Journal of Econometrics 23, 37–61), the example of Mack, T. (1993), "Distribution-free calculation of the
  standard error of chain ladder reserve estimates", ASTIN Bulletin 23(2), 213–225, Table 1 and 2: total
  reserve 18,680,856; standard errors by accident year 75,535 … 1,363,155; total 2,447,095 (13 %).
  The same data is `GenIns` of R's ChainLadder and `genins` of the Python `chainladder` package.
- **RAA** (Reinsurance Association of America, Historical Loss Development Study, 1991, general liability),
  the example of Mack, T. (1994), "Measuring the variability of chain ladder reserve estimates", CAS Forum,
  Spring 1994, 101–182: total IBNR 52,135; Mack standard error 26,909 (by year 206 … 24,566) — the figures
  of R's ``MackChainLadder(RAA, est.sigma = "Mack")`` and of ``chainladder`` with ``sigma_interpolation="mack"``.

Both use Mack's extrapolation of the last σ² (product.md §8.3); `chainladder`'s default (log-linear) gives
another total for Taylor–Ashe (2,441,364), so the cross-check sets ``sigma_interpolation="mack"``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from mamori.books import Triangle, from_long, from_wide, reserve

HERE = Path(__file__).parent / "books"


def taylor_ashe() -> Triangle:
    with (HERE / "taylor_ashe.csv").open(encoding="utf-8") as fh:
        return from_long(list(csv.DictReader(fh)))


def raa() -> Triangle:
    with (HERE / "raa.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return from_wide(rows[0], rows[1:])


def test_taylor_ashe_equals_mack_1993() -> None:
    answer = reserve(taylor_ashe(), method="mack").as_dict()
    assert answer["total"]["ibnr"] == 18_680_856
    assert answer["total"]["se"] == 2_447_095
    assert [o["se"] for o in answer["origins"]] == [
        0, 75_535, 121_699, 133_549, 261_406, 411_010, 558_317, 875_328, 971_258, 1_363_155,
    ]  # fmt: skip


def test_taylor_ashe_factors_equal_mack_1993() -> None:
    factors = reserve(taylor_ashe(), method="chainladder").factors
    published = [3.491, 1.747, 1.457, 1.174, 1.104, 1.086, 1.054, 1.077, 1.018, 1.0]
    assert [round(f, 3) for f in factors] == published


def test_raa_equals_mack_1994() -> None:
    answer = reserve(raa(), method="mack").as_dict()
    assert answer["total"]["latest"] == 160_987
    assert answer["total"]["ultimate"] == 213_122
    assert answer["total"]["ibnr"] == 52_135
    assert answer["total"]["se"] == 26_909
    assert [o["se"] for o in answer["origins"]] == [0, 206, 623, 747, 1_469, 2_002, 2_209, 5_358, 6_333, 24_566]


def test_chain_ladder_and_mack_give_the_same_ultimates() -> None:
    cl = reserve(raa(), method="chainladder").as_dict()
    mack = reserve(raa(), method="mack").as_dict()
    assert [o["ultimate"] for o in cl["origins"]] == [o["ultimate"] for o in mack["origins"]]
    assert "se" not in cl["total"]


def test_bornhuetter_ferguson_by_hand() -> None:
    triangle = raa()
    premium = dict.fromkeys(triangle.origins, 40000.0)
    answer = reserve(triangle, method="bf", premium=premium, loss_ratio=0.6)
    cl = reserve(triangle, method="chainladder")
    cdf = cl.ultimate / cl.latest
    assert np.allclose(answer.ibnr, 24_000.0 * (1 - 1 / cdf))
    assert answer.as_dict()["origins"][0]["ibnr"] == 0  # fully developed


def test_a_tail_factor_multiplies_the_ultimate() -> None:
    plain = reserve(raa(), method="chainladder")
    tailed = reserve(raa(), method="chainladder", tail=1.05)
    assert np.allclose(tailed.ultimate, plain.ultimate * 1.05)
    assert tailed.factors[-1] == 1.05


@pytest.mark.parametrize(("name", "make"), [("raa", raa), ("genins", taylor_ashe)])
def test_chainladder_package_agrees(name: str, make: object) -> None:
    cl = pytest.importorskip("chainladder")
    triangle = cl.load_sample(name)
    model = cl.MackChainladder().fit(cl.Development(sigma_interpolation="mack").fit_transform(triangle))
    ours = reserve(make(), method="mack")  # type: ignore[operator]
    assert float(model.ibnr_.sum()) == pytest.approx(float(ours.ibnr.sum()), rel=1e-9)
    assert float(model.total_mack_std_err_.values.ravel()[0]) == pytest.approx(ours.total_se, rel=1e-9)
    theirs = np.nan_to_num(np.asarray(model.mack_std_err_.values)[0, 0, :, -1])
    assert np.allclose(theirs, ours.se, rtol=1e-9, atol=1e-6)
