"""Figures of a simulated book: AAL, exceedance probabilities, TVaR, loss by industry and section, premium.

Definitions (every amount integer yen, rounded half up at the end, never before):

- **AAL**: the mean of the years' losses.
- **AEP at return period T** (VaR): the smallest year loss ``x`` with ``P(year loss ≤ x) ≥ 1 − 1/T`` in the
  simulated years (the inverse of the empirical distribution). **OEP**: the same for the year's largest
  occurrence: an independent accident, or a systemic event with the losses of every policy it hit.
- **TVaR at level p**: the mean of the worst ``(1 − p)`` of the years, ``(1/(1−p)) ∫_p^1 VaR_u du`` of the
  empirical distribution (a fractional year counts in part).
- **Reinsurance** (product.md §8.4): with a treaty, the same AAL, AEP, OEP and TVaR of the years' **gross**,
  **ceded** and **net** losses (gross = ceded + net each year). The net OEP is the year's largest occurrence
  net of the quota share, per-risk and per-event layers (at most the year's net); the ceded OEP the
  year's largest occurrence ceded by those layers (the aggregate layer is per year, not per occurrence).
- **Technical premium**: AAL × (1 + the model's loading), against the premium charged (the book's
  ``annual_premium``), by industry and in total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from mamori import money
from mamori.portfolio.book import Book
from mamori.portfolio.engine import YearTable
from mamori.portfolio.model import Model

__all__ = [
    "RETURN_PERIODS",
    "TVAR_LEVELS",
    "Summary",
    "figures",
    "reinsurance",
    "return_period_loss",
    "summarise",
    "tvar",
    "yen",
]

IntArray = npt.NDArray[np.int64]

#: Return periods (years) of the EP figures: interfaces.md §1.6.
RETURN_PERIODS: Final = (10, 100, 200, 250)
#: TVaR levels, written as the keys of the answer.
TVAR_LEVELS: Final = ("99", "99.5")


def yen(amount: Fraction) -> int:
    """An exact amount rounded half up to the yen (the one rounding of every figure)."""
    return money.to_yen(Decimal(amount.numerator) / Decimal(amount.denominator), mode=money.Rounding.HALF_UP)


def _mean(total: int, years: int) -> int:
    return yen(Fraction(total, years))


def return_period_loss(ascending: IntArray, period: int) -> int:
    """VaR at ``1 − 1/period`` of sorted year losses: the smallest x with P(loss ≤ x) ≥ 1 − 1/period."""
    n = ascending.shape[0]
    level = 1 - Fraction(1, period)
    index = min(max(-(-level * n // 1) - 1, 0), n - 1)  # ceil(level · n), 1-based → 0-based
    return int(ascending[int(index)])


def tvar(ascending: IntArray, level: Fraction) -> int:
    """Mean of the worst ``(1 − level)`` of the years (a fraction of a year counts in part)."""
    n = ascending.shape[0]
    tail = (1 - level) * n  # years in the tail, possibly fractional
    whole = int(tail)
    total = Fraction(int(ascending[n - whole :].sum(dtype=np.int64))) if whole else Fraction(0)
    if tail > whole:
        total += (tail - whole) * int(ascending[n - whole - 1])
    return yen(total / tail)


@dataclass(frozen=True)
class Summary:
    """The answer of ``mamori portfolio simulate`` (interfaces.md §1.6), as data."""

    document: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.document)


def _by_industry(table: YearTable, book: Book, model: Model) -> dict[str, dict[str, Any]]:
    years = table.years
    counts = np.bincount(book.industry, minlength=len(book.industries))
    charged = np.zeros(len(book.industries), dtype=np.int64)
    np.add.at(charged, book.industry, book.annual_premium)
    loading = Fraction(str(model.loading))
    found: dict[str, dict[str, Any]] = {}
    for i, code in enumerate(book.industries):
        if counts[i] == 0:
            continue
        total = int(table.industry_loss[i])
        technical = yen(Fraction(total, years) * (1 + loading))
        premium = int(charged[i])
        found[code] = {
            "policies": int(counts[i]),
            "aal": _mean(total, years),
            "charged_premium": premium,
            "technical_premium": technical,
            "loss_ratio": round(total / years / premium, 4) if premium else None,
            "adequacy": round(premium / technical, 4) if technical else None,
        }
    return found


def figures(loss: IntArray, occurrence: IntArray) -> dict[str, Any]:
    """AAL, AEP, OEP and TVaR of year losses and the years' largest occurrences."""
    years = loss.shape[0]
    losses = np.sort(loss)
    occurrences = np.sort(occurrence)
    return {
        "aal": _mean(int(loss.sum(dtype=np.int64)), years),
        "aep": {str(t): return_period_loss(losses, t) for t in RETURN_PERIODS},
        "oep": {str(t): return_period_loss(occurrences, t) for t in RETURN_PERIODS},
        "tvar": {level: tvar(losses, Fraction(level) / 100) for level in TVAR_LEVELS},
    }


def reinsurance(table: YearTable) -> dict[str, Any]:
    """Gross, ceded and net figures of a run with a treaty (interfaces.md §1.6)."""
    return {
        "gross": figures(table.loss, table.occurrence),
        "ceded": figures(table.ceded_loss, table.ceded_occurrence),
        "net": figures(table.net_loss, table.net_occurrence),
    }


def summarise(
    table: YearTable, book: Book, model: Model, *, seed: int, treaty: Mapping[str, Any] | None = None
) -> Summary:
    """Every figure of the answer from a run's year loss table."""
    years = table.years
    losses = np.sort(table.loss)
    occurrences = np.sort(table.occurrence)
    total = int(table.loss.sum(dtype=np.int64))
    loading = Fraction(str(model.loading))
    charged = int(book.annual_premium.sum(dtype=np.int64))
    technical = yen(Fraction(total, years) * (1 + loading))
    mean = Fraction(total, years)
    deviation = float(np.sqrt(np.mean((table.loss - float(mean)) ** 2))) if years else 0.0
    document: dict[str, Any] = {
        "years": years,
        "policies": len(book),
        "seed": seed,
        "model": model.name,
        "product": model.product,
        "product_version": model.version,
        "aal": yen(mean),
        "aep": {str(t): return_period_loss(losses, t) for t in RETURN_PERIODS},
        "oep": {str(t): return_period_loss(occurrences, t) for t in RETURN_PERIODS},
        "tvar": {level: tvar(losses, Fraction(level) / 100) for level in TVAR_LEVELS},
        "std": round(deviation),
        "max": int(losses[-1]) if years else 0,
        "by_industry": _by_industry(table, book, model),
        "by_section": {
            code: {"aal": _mean(int(v), years)} for code, v in zip(table.sections, table.section_loss, strict=True)
        },
        "systemic": {
            code: {"events": int(n), "aal": _mean(int(v), years)}
            for code, n, v in zip(table.kinds, table.kind_events, table.kind_loss, strict=True)
        },
        "independent_aal": _mean(total - int(table.kind_loss.sum(dtype=np.int64)), years),
        "ground_up_aal": _mean(int(table.ground_up.sum(dtype=np.int64)), years),
        "premium": {
            "charged": charged,
            "technical": technical,
            "loading": model.loading,
            "loss_ratio": round(total / years / charged, 4) if charged else None,
            "adequacy": round(charged / technical, 4) if technical else None,
        },
        "events": {
            "independent": int(table.counters[0]),
            "systemic": int(table.kind_events.sum(dtype=np.int64)),
            "systemic_hits": int(table.counters[1]),
            "ground_up_losses": int(table.counters[2]),
        },
    }
    if table.reinsured:
        document["treaty"] = dict(treaty or {})
        document.update(reinsurance(table))
    return Summary(document)
