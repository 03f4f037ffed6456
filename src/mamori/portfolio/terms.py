"""The policy's terms applied to ground-up losses, vectorised: product.md §3.6 steps 4–6, compiled.

The layout of the terms is read from the product's coverage terms (``coverage.toml``), the same data the
claim calculation reads: the sections and the policy field of each one's annual limit, the sections the
deductible is taken from and in which order (expense first), and the section with a waiting period
(business interruption, ``bi.waiting_hours``). Nothing of it is written in code.

For each accident (an event of one policy), in the order the accidents happen in the policy year:

1. one deductible, taken from the sections of ``[deductible] sections`` in turn
   (:func:`mamori.claims.rules.split_deductible`); never from business interruption;
2. business interruption pays only when the outage is longer than the waiting period
   (:func:`mamori.claims.rules.outage_exceeds_waiting`) and the option was bought (a limit above 0);
3. each section at most what is left of its annual limit after the earlier accidents of the year
   (:func:`mamori.claims.rules.remaining`, :func:`mamori.claims.rules.apply_cap`). The liability limit is
   per claim and per year with the same amount, so what is left of the year's limit is also the claim's.

Each rule is one small compiled function of scalars (:func:`deductible_part`, :func:`capped`,
:func:`outlasts`), the twin of its rule in :mod:`mamori.claims.rules`; :func:`apply_groups` applies them in
the order of §3.6 to arrays of accidents (:func:`apply_terms` is its checked public form) and the
simulation applies them in the same order to each accident it draws (numba inlines scalar functions, so
they cost nothing). Property tests hold :func:`apply_terms` to a scalar loop over the rules of
:mod:`mamori.claims.rules`, and the simulation's payments to :func:`apply_terms` on the same losses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from mamori.catalog import CoverageTerms
from mamori.portfolio._jit import compiled

__all__ = ["MAX_GROUND_UP", "Layout", "apply_groups", "apply_terms", "capped", "deductible_part", "outlasts"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: A drawn ground-up loss is kept as integer yen up to this amount (far above any limit: it only bounds a
#: lognormal's rare astronomical draw so that int64 sums cannot overflow). Equal to ``money.MAX_YEN``.
MAX_GROUND_UP: Final = 10**15


@dataclass(frozen=True, slots=True)
class Layout:
    """How the product's terms apply, as indices into the sections (columns of the loss arrays)."""

    sections: tuple[str, ...]  # coverage sections, in the file's order
    limit_fields: tuple[str, ...]  # the policy field holding each section's annual limit
    deductible_order: tuple[int, ...]  # sections the deductible is taken from, in turn
    waiting_section: int  # the section with a waiting period, -1 when none
    waiting_hours: float
    riders: tuple[tuple[str, str], ...]  # (rider code, policy flag)

    @classmethod
    def of(cls, coverage: CoverageTerms) -> Layout:
        sections = tuple(coverage.sections)
        waiting = [i for i, code in enumerate(sections) if coverage.sections[code].trigger == "outage"]
        return cls(
            sections=sections,
            limit_fields=tuple(coverage.sections[code].limit_field for code in sections),
            deductible_order=tuple(sections.index(code) for code in coverage.deductible_sections),
            waiting_section=waiting[0] if waiting else -1,
            waiting_hours=float(coverage.bi.waiting_hours),
            riders=tuple((code, rider.policy_flag) for code, rider in coverage.riders.items()),
        )

    @property
    def order(self) -> IntArray:
        return np.asarray(self.deductible_order, dtype=np.int64)


@compiled
def deductible_part(left: int, amount: int) -> int:
    """The part of what is left of the accident's deductible taken from one section (``split_deductible``)."""
    return min(left, max(amount, 0))


@compiled
def capped(amount: int, limit: int, used: int) -> int:
    """The amount, at most what is left of the annual limit (``apply_cap(amount, remaining(limit, used))``)."""
    return max(min(amount, max(limit - used, 0)), 0)


@compiled
def outlasts(hours: float, waiting_hours: float) -> bool:
    """The outage is longer than the waiting period (``outage_exceeds_waiting``)."""
    return hours > waiting_hours


@compiled
def apply_groups(  # noqa: PLR0913, PLR0917 - numba takes plain arrays, positionally
    ground_up: IntArray,
    hours: FloatArray,
    group_start: IntArray,
    group_policy: IntArray,
    deductible: IntArray,
    limits: IntArray,
    order: IntArray,
    waiting: int,
    waiting_hours: float,
    out: IntArray,
) -> None:
    """The payments of every accident into ``out``, §3.6 steps 4–6 in order.

    Group ``g`` (one policy-year) is rows ``group_start[g]:group_start[g+1]``, its accidents in the order
    they happen, of policy ``group_policy[g]``.
    """
    sections = ground_up.shape[1]
    paid = np.zeros(sections, dtype=np.int64)  # what the policy year has paid so far, per section
    for g in range(group_policy.shape[0]):
        p = group_policy[g]
        first = group_start[g]
        stop = group_start[g + 1]
        deductible_p = max(deductible[p], 0)
        for j in range(first, stop):
            for s in range(sections):
                out[j, s] = ground_up[j, s]
            left = deductible_p  # §3.6-4: once per accident, section by section (expense first)
            for i in range(order.shape[0]):
                s = order[i]
                part = deductible_part(left, out[j, s])
                out[j, s] -= part
                left -= part
            if waiting >= 0 and not outlasts(hours[j], waiting_hours):  # §3.4: the waiting period
                out[j, waiting] = 0
            if stop - first == 1:  # §3.6-5, the year's only accident: nothing was paid before it
                for s in range(sections):
                    out[j, s] = capped(out[j, s], limits[p, s], 0)
                continue
            if j == first:
                for s in range(sections):
                    paid[s] = 0
            for s in range(sections):  # §3.6-5: at most what is left of the annual limit
                pay = capped(out[j, s], limits[p, s], paid[s])
                out[j, s] = pay
                paid[s] += pay


def apply_terms(  # noqa: PLR0913, PLR0917 - the accidents' arrays and the policies' arrays, as apply_groups
    layout: Layout,
    ground_up: IntArray,
    hours: FloatArray,
    group_start: IntArray,
    group_policy: IntArray,
    deductible: IntArray,
    limits: IntArray,
) -> IntArray:
    """What the insurer pays for each accident and section (yen), vectorised over many policy-years.

    ``ground_up[e, s]``: the covered loss of accident ``e`` in section ``s`` (columns in ``layout.sections``
    order). Accidents are grouped by policy-year: group ``g`` is rows ``group_start[g]:group_start[g+1]``,
    in the order they happen, of policy ``group_policy[g]``, whose ``deductible`` and ``limits`` (a row per
    policy, a column per section) apply. ``hours``: each accident's outage (read for the waiting period).
    """
    ground_up = np.ascontiguousarray(ground_up, dtype=np.int64)
    if ground_up.ndim != 2 or ground_up.shape[1] != len(layout.sections):
        raise ValueError(f"ground_up must have one column per section {layout.sections}")
    group_start = np.ascontiguousarray(group_start, dtype=np.int64)
    group_policy = np.ascontiguousarray(group_policy, dtype=np.int64)
    if group_start.shape[0] != group_policy.shape[0] + 1 or group_start[-1] != ground_up.shape[0]:
        raise ValueError("group_start must hold one offset per group and end at the number of accidents")
    out = np.empty_like(ground_up)
    apply_groups(
        ground_up, np.ascontiguousarray(hours, dtype=np.float64), group_start, group_policy,
        np.ascontiguousarray(deductible, dtype=np.int64), np.ascontiguousarray(limits, dtype=np.int64),
        layout.order, layout.waiting_section, layout.waiting_hours, out,
    )  # fmt: skip
    return out
