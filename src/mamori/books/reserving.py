"""Reserving (``product.md`` §8.3): the chain ladder, Mack (1993) standard errors, Bornhuetter–Ferguson.

- **Chain ladder**: volume-weighted age-to-age factors ``f_j = Σ C(i, j+1) / Σ C(i, j)`` over the origins
  where both are known; a tail factor (1.0 unless given) after the last age; ultimate = latest × the
  product of the remaining factors; IBNR = ultimate − latest.
- **Mack**: ``σ²_j = 1/(n_j − 1) Σ C(i, j) (C(i, j+1)/C(i, j) − f_j)²``; where a single origin is left
  (``n_j = 1``) σ² is Mack's own extrapolation ``min(σ⁴_{j−1}/σ²_{j−2}, σ²_{j−2}, σ²_{j−1})``; the mean
  squared error of each origin's reserve and of the total by Mack's formulas (1993, (7) and the corollary).
  A tail factor is taken as certain: ultimates and standard errors are scaled by it (Mack's formulas have
  no variance for it).
- **Bornhuetter–Ferguson**: IBNR = expected ultimate × (1 − 1/CDF), expected ultimate = the origin's
  earned premium × an a-priori loss ratio; ultimate = latest + IBNR.

The arithmetic is in float64 like every reserving library; amounts are rounded to yen (half to even) only
in the answer. :mod:`chainladder` is the cross-check in the golden tests.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from mamori.books.triangle import Triangle
from mamori.errors import FieldError, InvalidInput

__all__ = ["METHODS", "Reserve", "development", "reserve"]

METHODS: Final = ("chainladder", "mack", "bf")

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Development:
    """Age-to-age factors ``f`` (age j → j+1), Mack's ``sigma2``, and ``volume`` (Σ C(i, j) over the origins
    that give ``f_j``) — the parts the reserves are made of."""

    factors: Floats
    sigma2: Floats
    volume: Floats


def _latest(c: Floats) -> tuple[npt.NDArray[np.int64], Floats]:
    known = ~np.isnan(c)
    ages = known.sum(axis=1).astype(np.int64)  # the number of known ages (contiguous from age 1)
    latest = np.array([c[i, a - 1] if a else 0.0 for i, a in enumerate(ages)])
    return ages, latest


def development(c: Floats) -> Development:
    """Chain-ladder factors and Mack's σ² of the triangle ``c`` (origins × ages, NaN unknown)."""
    ages = c.shape[1]
    factors, sigma2, volume = np.ones(ages - 1), np.full(ages - 1, np.nan), np.zeros(ages - 1)
    for j in range(ages - 1):
        both = ~np.isnan(c[:, j]) & ~np.isnan(c[:, j + 1])
        now, after = c[both, j], c[both, j + 1]
        volume[j] = now.sum()
        if volume[j] > 0:
            factors[j] = after.sum() / volume[j]
        positive = now > 0
        n = int(positive.sum())
        if n > 1:
            sigma2[j] = float(((after[positive] - factors[j] * now[positive]) ** 2 / now[positive]).sum()) / (n - 1)
    for j in range(ages - 1):  # Mack's extrapolation where one origin (or none) is left
        if np.isnan(sigma2[j]):
            before = [float(x) if np.isfinite(x) else 0.0 for x in sigma2[max(j - 2, 0) : j]]
            if len(before) == 2 and before[0] > 0:
                sigma2[j] = min(before[1] ** 2 / before[0], before[0], before[1])
            else:  # fewer than two ages before it, or no variance there: none to extrapolate
                sigma2[j] = min(before) if before else 0.0
    return Development(factors, sigma2, volume)


@dataclass(frozen=True, slots=True)
class Reserve:
    """The answer of ``mamori reserve`` (``interfaces.md`` §1.7) before rounding."""

    method: str
    factors: tuple[float, ...]  # age-to-age, then the tail
    origins: tuple[str, ...]
    latest: Floats
    ultimate: Floats
    se: Floats | None
    total_se: float | None

    @property
    def ibnr(self) -> Floats:
        return self.ultimate - self.latest

    def as_dict(self) -> dict[str, Any]:
        """The JSON answer: amounts rounded to yen; ``se`` for Mack only; factors as computed."""

        def yen(x: float) -> int:
            return round(x)

        origins = []
        for i, origin in enumerate(self.origins):
            row: dict[str, Any] = {
                "origin": origin,
                "latest": yen(self.latest[i]),
                "ultimate": yen(self.ultimate[i]),
                "ibnr": yen(self.ibnr[i]),
            }
            if self.se is not None:
                row["se"] = yen(self.se[i])
            origins.append(row)
        total: dict[str, Any] = {
            "latest": yen(float(self.latest.sum())),
            "ultimate": yen(float(self.ultimate.sum())),
            "ibnr": yen(float(self.ibnr.sum())),
        }
        if self.total_se is not None:
            total["se"] = yen(self.total_se)
        return {"method": self.method, "factors": [float(f) for f in self.factors], "origins": origins, "total": total}


def _cdf(factors: Floats, tail: float) -> Floats:
    """``cdf[a]``: the product of the factors from age ``a + 1`` to the end, with the tail (index = known ages)."""
    n = len(factors) + 1
    out = np.ones(n + 1)
    out[n] = tail
    for a in range(n - 1, 0, -1):
        out[a] = out[a + 1] * factors[a - 1]
    out[0] = out[1]
    return out


def _mack(c: Floats, dev: Development, ages: npt.NDArray[np.int64], latest: Floats) -> tuple[Floats, float]:
    """Mack's standard error of each origin's reserve and of the total (before the tail)."""
    n = c.shape[1]
    f, s2, vol = dev.factors, dev.sigma2, dev.volume
    projected = np.zeros((len(latest), n))  # Ĉ(i, k) for the ages k ≥ the latest
    for i, a in enumerate(ages):
        value = latest[i]
        for k in range(max(a, 1), n + 1):
            projected[i, k - 1] = value
            if k < n:
                value *= f[k - 1]
    ultimate = projected[:, n - 1]
    # term[k] = σ²_k / f_k² / S_k, the parameter part of one age
    usable = (vol > 0) & (f > 0)
    param = np.where(usable, s2 / np.where(usable, f, 1.0) ** 2 / np.where(usable, vol, 1.0), 0.0)
    mse = np.zeros(len(latest))
    for i, a in enumerate(ages):
        for k in range(max(a, 1), n):  # the factors still to apply: ages k → k+1
            if projected[i, k - 1] > 0 and vol[k - 1] > 0 and f[k - 1] > 0:
                mse[i] += s2[k - 1] / f[k - 1] ** 2 * (1.0 / projected[i, k - 1] + 1.0 / vol[k - 1])
        mse[i] *= ultimate[i] ** 2
    total = float(mse.sum())
    order = np.argsort(-ages, kind="stable")  # more developed first
    for x in range(len(order)):
        i = order[x]
        for y in range(x + 1, len(order)):
            j = order[y]
            ks = range(max(int(max(ages[i], ages[j])), 1), n)
            total += 2 * ultimate[i] * ultimate[j] * sum(param[k - 1] for k in ks)
    return np.sqrt(mse), math.sqrt(total)


def reserve(
    triangle: Triangle,
    *,
    method: str = "chainladder",
    tail: float = 1.0,
    premium: Mapping[str, float] | None = None,
    loss_ratio: float | None = None,
) -> Reserve:
    """Ultimates and IBNR of ``triangle`` by ``method`` (``bf`` needs ``premium`` per origin and
    ``loss_ratio``)."""
    errors = []
    if method not in METHODS:
        errors.append(FieldError("method", "E_CHOICE", {"value": method, "allowed": list(METHODS)}))
    if not (math.isfinite(tail) and tail >= 1.0):
        errors.append(FieldError("tail", "E_TAIL", {"value": tail, "minimum": 1}))
    if method == "bf":
        if loss_ratio is None or not (math.isfinite(loss_ratio) and loss_ratio >= 0):
            errors.append(FieldError("loss_ratio", "E_LOSS_RATIO", {"value": loss_ratio, "minimum": 0}))
        missing = [o for o in triangle.origins if premium is None or o not in premium]
        if missing:
            errors.append(FieldError("premium", "E_PREMIUM_MISSING", {"value": missing[0], "count": len(missing)}))
    if errors:
        raise InvalidInput(errors)
    c = triangle.matrix()
    if c.shape[1] < 1:
        raise InvalidInput([FieldError("value", "E_TRIANGLE_EMPTY", {})])
    dev = development(c)
    ages, latest = _latest(c)
    cdf = _cdf(dev.factors, tail)
    to_ultimate = cdf[ages]
    factors = (*[float(f) for f in dev.factors], float(tail))
    if method == "bf" and premium is not None and loss_ratio is not None:  # both checked above
        expected = np.array([premium[o] * loss_ratio for o in triangle.origins])
        ultimate = latest + expected * (1.0 - 1.0 / to_ultimate)
        return Reserve(method, factors, triangle.origins, latest, ultimate, None, None)
    ultimate = latest * to_ultimate
    if method == "chainladder":
        return Reserve(method, factors, triangle.origins, latest, ultimate, None, None)
    se, total_se = _mack(c, dev, ages, latest)
    return Reserve(method, factors, triangle.origins, latest, ultimate, se * tail, total_se * tail)
