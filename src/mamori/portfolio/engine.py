"""The simulation of a book under a model: arrays for the kernels (:class:`Plan`), blocks of years, results.

Years are simulated in blocks of :data:`BLOCK_YEARS`. Block ``b`` holds years ``b·BLOCK_YEARS`` onwards and
draws from its own random streams, derived from the seed and the block number only
(``SeedSequence(seed, spawn_key=(b,))``). So the answer for a seed depends on nothing else: not on the
number of workers, nor on how blocks are grouped into tasks, nor on the order they finish in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Final

import numpy as np
import numpy.typing as npt

from mamori.catalog import ProductVersion
from mamori.portfolio import kernel
from mamori.portfolio.book import Book
from mamori.portfolio.model import Model, Severity
from mamori.portfolio.terms import Layout
from mamori.portfolio.treaty import AGGREGATE_LIMIT, AGGREGATE_RETENTION, EVENT_LIMIT, EVENT_RETENTION, Treaty

__all__ = ["BLOCK_YEARS", "BlockResult", "Plan", "YearTable", "blocks_of", "prepare", "run_block", "simulate_inline"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Years per block: the unit of the random streams (fixed: changing it changes the answer for a seed).
BLOCK_YEARS: Final = 1000
#: Room for accidents in one policy-year; a block that needs more runs again with more (same answer).
ACCIDENTS_PER_YEAR: Final = 64
#: Counters of a run: independent accidents, systemic hits, ground-up losses drawn.
N_COUNTERS: Final = 3


@dataclass(frozen=True, eq=False)
class Plan:
    """A book under a model, as the kernels' arrays (sent once to every worker)."""

    layout: Layout
    industries: tuple[str, ...]
    kinds: tuple[str, ...]  # systemic event codes
    negative_binomial: bool
    nb_n: float
    rate: FloatArray  # independent accidents per policy-year, relativities applied
    nb_p0: FloatArray
    nb_q: FloatArray
    industry: IntArray
    deductible: IntArray
    limits: IntArray  # policy × section
    riders: npt.NDArray[np.uint8]  # policy × rider
    comp_f: FloatArray
    comp_i: IntArray
    set_start: IntArray
    scale: FloatArray  # policy × component: (revenue / reference) ** revenue_exponent
    sys_rate: FloatArray
    sys_share: FloatArray  # fixed share, -1 when drawn from Beta(a, b)
    sys_a: FloatArray
    sys_b: FloatArray
    sys_sigma: FloatArray
    exposed: IntArray
    exposed_start: IntArray
    treaty: Treaty | None = None  # the reinsurance applied to the payments (product.md §8.4), if any

    @property
    def policies(self) -> int:
        return int(self.rate.shape[0])

    @property
    def treaty_terms(self) -> FloatArray:
        return self.treaty.terms if self.treaty is not None else np.zeros(0, dtype=np.float64)


def _revenue_ratio(book: Book, version: ProductVersion) -> FloatArray:
    rating = version.rating
    rated = np.maximum(book.revenue, rating.revenue_floor).astype(np.float64)
    return rated / float(rating.reference_revenue)


def _rates(model: Model, book: Book, version: ProductVersion, ratio: FloatArray) -> FloatArray:
    f = model.frequency
    by_industry = np.array([f.industry.get(code, f.industry_default) for code in book.industries], dtype=np.float64)
    measures = (1 - f.per_measure * book.security_measures) / (1 - f.per_measure * f.reference_count)
    rate: FloatArray = f.rate * by_industry[book.industry] * ratio**f.revenue_exponent * measures
    return rate


def _components(model: Model, layout: Layout) -> tuple[list[Severity], list[int]]:
    sets = [model.severities, *(event.severities for event in model.systemic)]
    comps = [severity for group in sets for severity in group]
    starts = [0]
    for group in sets:
        starts.append(starts[-1] + len(group))
    return comps, starts


def _component_rows(comps: list[Severity], layout: Layout) -> tuple[FloatArray, IntArray]:
    flags = [flag for _, flag in layout.riders]
    comp_f = np.zeros((len(comps), kernel.COMP_FLOATS), dtype=np.float64)
    comp_i = np.zeros((len(comps), 2), dtype=np.int64)
    for c, sev in enumerate(comps):
        comp_f[c, kernel.MU] = sev.mu
        comp_f[c, kernel.SIGMA] = sev.sigma
        comp_f[c, kernel.PROB] = sev.probability
        # log of the probability that a run goes on: of no loss (rare losses) or of a loss (rare misses)
        stay = 1 - sev.probability if sev.probability < kernel.THIN_AT else sev.probability
        comp_f[c, kernel.LOG_Q] = math.log(stay) if 0 < stay < 1 else -math.inf
        if sev.tail is not None:
            comp_f[c, kernel.TAIL_P] = sev.tail.probability
            comp_f[c, kernel.TAIL_U] = sev.tail.threshold
            comp_f[c, kernel.TAIL_A] = sev.tail.alpha
        comp_f[c, kernel.H_SIGMA] = -1.0
        if sev.outage is not None:
            comp_f[c, kernel.H_MU] = sev.outage.mu
            comp_f[c, kernel.H_SIGMA] = sev.outage.sigma
        comp_i[c, kernel.SECTION] = layout.sections.index(sev.section)
        comp_i[c, kernel.RIDER] = -1 if sev.rider_flag is None else flags.index(sev.rider_flag)
    return comp_f, comp_i


def prepare(model: Model, book: Book, version: ProductVersion, treaty: Treaty | None = None) -> Plan:
    """The kernels' arrays for ``book`` under ``model``, with the terms of ``version`` (and ``treaty``)."""
    layout = Layout.of(version.coverage)
    ratio = _revenue_ratio(book, version)
    rate = _rates(model, book, version, ratio)
    f = model.frequency
    if f.distribution == "negative_binomial":
        assert f.n is not None  # noqa: S101 - the model reader requires n
        log_p0 = -f.n * np.log1p(rate / f.n)
        nb_p0, nb_q = np.exp(log_p0), -np.expm1(log_p0)
    else:
        nb_p0 = nb_q = np.zeros_like(rate)
    comps, starts = _components(model, layout)
    comp_f, comp_i = _component_rows(comps, layout)
    exponents = np.array([sev.revenue_exponent for sev in comps], dtype=np.float64)
    exposed = [
        np.flatnonzero(np.isin(book.industry, [i for i, code in enumerate(book.industries) if code in ev.industries]))
        if ev.industries is not None
        else np.arange(len(book), dtype=np.int64)
        for ev in model.systemic
    ]
    events = model.systemic
    return Plan(
        layout=layout,
        industries=book.industries,
        kinds=tuple(ev.code for ev in events),
        negative_binomial=f.distribution == "negative_binomial",
        nb_n=f.n or 0.0,
        rate=np.ascontiguousarray(rate),
        nb_p0=np.ascontiguousarray(nb_p0),
        nb_q=np.ascontiguousarray(nb_q),
        industry=book.industry,
        deductible=book.deductible,
        limits=np.ascontiguousarray(np.stack([book.column(name) for name in layout.limit_fields], axis=1)),
        riders=np.ascontiguousarray(
            np.stack([book.flag(flag) for _, flag in layout.riders], axis=1).astype(np.uint8)
            if layout.riders
            else np.zeros((len(book), 0), dtype=np.uint8)
        ),
        comp_f=comp_f,
        comp_i=comp_i,
        set_start=np.asarray(starts, dtype=np.int64),
        scale=np.ascontiguousarray(ratio[:, None] ** exponents[None, :]),
        sys_rate=np.array([ev.rate for ev in events], dtype=np.float64),
        sys_share=np.array([-1.0 if ev.share is None else ev.share for ev in events], dtype=np.float64),
        sys_a=np.array([ev.share_a for ev in events], dtype=np.float64),
        sys_b=np.array([ev.share_b for ev in events], dtype=np.float64),
        sys_sigma=np.array([ev.event_sigma for ev in events], dtype=np.float64),
        exposed=np.concatenate([*exposed, np.zeros(0, dtype=np.int64)]).astype(np.int64),
        exposed_start=np.cumsum([0, *(len(e) for e in exposed)], dtype=np.int64),
        treaty=treaty,
    )


@dataclass(frozen=True, eq=False)
class BlockResult:
    """What one block of years gives: per-year aggregates and sums (never a row per accident)."""

    block: int
    first_year: int
    loss: IntArray  # paid in the year (yen)
    ground_up: IntArray  # ground-up loss of the year's accidents
    occurrence: IntArray  # the year's largest occurrence: an accident, or a systemic event in total
    events: IntArray  # independent accidents in the year
    systemic_events: IntArray
    systemic_loss: IntArray
    industry_loss: IntArray  # per industry of the plan, summed over the block's years
    section_loss: IntArray
    kind_loss: IntArray  # per systemic kind
    kind_events: IntArray
    counters: IntArray  # accidents, systemic hits, ground-up losses drawn
    # With a treaty (else empty): the year's net loss, its largest net and its largest ceded occurrence
    net_loss: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    net_occurrence: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ceded_occurrence: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    trace: IntArray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))  # tests: rows per accident
    trace_hours: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))


def blocks_of(years: int) -> list[tuple[int, int]]:
    """``(block, years in it)`` for a run of ``years``."""
    return [(b, min(BLOCK_YEARS, years - b * BLOCK_YEARS)) for b in range(math.ceil(years / BLOCK_YEARS))]


def _streams(seed: int, block: int) -> tuple[np.random.Generator, ...]:
    """The block's random streams: systemic events, frequency, severity (from the seed and block only)."""
    children = np.random.SeedSequence(seed, spawn_key=(block,)).spawn(3)
    return tuple(np.random.Generator(np.random.PCG64(child)) for child in children)


def run_block(plan: Plan, seed: int, block: int, n_years: int, *, trace_rows: int = 0) -> BlockResult:
    """Simulate one block of years of the book (``trace_rows``: keep that many accidents' rows, for tests)."""
    capacity = ACCIDENTS_PER_YEAR
    while True:
        rng_systemic, rng_frequency, rng_severity = _streams(seed, block)
        year, kind, mult, hit_start, hit_event = kernel.systemic_block(
            rng_systemic, n_years, plan.sys_rate, plan.sys_share, plan.sys_a, plan.sys_b, plan.sys_sigma,
            plan.exposed, plan.exposed_start, plan.policies,
        )  # fmt: skip
        loss, ground_up, year_max, events = (np.zeros(n_years, dtype=np.int64) for _ in range(4))
        industry_loss = np.zeros(len(plan.industries), dtype=np.int64)
        sections = len(plan.layout.sections)
        section_loss = np.zeros(sections, dtype=np.int64)
        event_loss = np.zeros(year.shape[0], dtype=np.int64)
        counters = np.zeros(kernel.N_COUNTERS, dtype=np.int64)
        trace = np.zeros((trace_rows, 2 + 2 * sections), dtype=np.int64)
        trace_hours = np.zeros(trace_rows, dtype=np.float64)
        layout = plan.layout
        treaty = plan.treaty_terms
        year_net, year_net_max, year_ceded_max = (np.zeros(n_years, dtype=np.float64) for _ in range(3))
        event_net = np.zeros(year.shape[0], dtype=np.float64)
        done = kernel.simulate_block(
            rng_frequency, rng_severity, n_years, plan.negative_binomial, plan.nb_n, plan.rate, plan.nb_p0,
            plan.nb_q, plan.industry, plan.deductible, plan.limits, plan.riders, plan.comp_f, plan.comp_i,
            plan.set_start, plan.scale, hit_start, year[hit_event], kind[hit_event], hit_event, mult[hit_event],
            layout.order, layout.waiting_section, layout.waiting_hours, capacity, loss, ground_up, year_max, events,
            industry_loss, section_loss, event_loss, counters, trace, trace_hours, plan.treaty is not None, treaty,
            year_net, year_net_max, year_ceded_max, event_net,
        )  # fmt: skip
        if done:
            break
        capacity *= 8  # a policy-year with more accidents than room for: the same block again, larger
    occurrence = year_max.copy()
    np.maximum.at(occurrence, year, event_loss)
    systemic_loss = np.zeros(n_years, dtype=np.int64)
    np.add.at(systemic_loss, year, event_loss)
    kind_loss = np.zeros(len(plan.kinds), dtype=np.int64)
    np.add.at(kind_loss, kind, event_loss)
    traced = int(counters[3])
    reinsured = {}
    if plan.treaty is not None:
        reinsured = _reinsured(treaty, year, event_loss, event_net, year_net, year_net_max, year_ceded_max)
    return BlockResult(
        block=block,
        first_year=block * BLOCK_YEARS,
        loss=loss,
        ground_up=ground_up,
        occurrence=occurrence,
        events=events,
        systemic_events=np.bincount(year, minlength=n_years).astype(np.int64),
        systemic_loss=systemic_loss,
        industry_loss=industry_loss,
        section_loss=section_loss,
        kind_loss=kind_loss,
        kind_events=np.bincount(kind, minlength=len(plan.kinds)).astype(np.int64),
        counters=counters[:3].copy(),
        trace=trace[:traced],
        trace_hours=trace_hours[:traced],
        **reinsured,
    )


def _reinsured(  # noqa: PLR0913, PLR0917 - the kernel's outputs
    treaty: FloatArray,
    year: IntArray,
    event_loss: IntArray,
    event_net: FloatArray,
    year_net: FloatArray,
    year_net_max: FloatArray,
    year_ceded_max: FloatArray,
) -> dict[str, IntArray]:
    """The layers of the treaty that apply after the kernel, in the order of product.md §8.4.

    The per-event layer on each systemic event (what the per-risk layer retained of every policy it hit,
    added up: one occurrence), then the aggregate layer on each year's total. Amounts are rounded half up
    to the yen once, here: the net year loss; its largest occurrence net of the per-event layer, at most
    the year's net (the aggregate layer is not per occurrence); its largest occurrence ceded (quota share,
    per risk and per event).
    """
    ceded = np.minimum(np.maximum(event_net - treaty[EVENT_RETENTION], 0.0), treaty[EVENT_LIMIT])
    kept = event_net - ceded
    np.add.at(year_net, year, kept)
    np.maximum.at(year_net_max, year, kept)
    np.maximum.at(year_ceded_max, year, event_loss - kept)
    net = year_net - np.minimum(np.maximum(year_net - treaty[AGGREGATE_RETENTION], 0.0), treaty[AGGREGATE_LIMIT])
    net_loss = np.floor(net + 0.5).astype(np.int64)
    return {
        "net_loss": net_loss,
        "net_occurrence": np.minimum(np.floor(year_net_max + 0.5).astype(np.int64), net_loss),
        "ceded_occurrence": np.floor(year_ceded_max + 0.5).astype(np.int64),
    }


@dataclass(eq=False)
class YearTable:
    """The year loss table of a run and its sums, filled block by block (in any order)."""

    years: int
    industries: tuple[str, ...]
    sections: tuple[str, ...]
    kinds: tuple[str, ...]
    reinsured: bool = False
    loss: IntArray = field(init=False)
    ground_up: IntArray = field(init=False)
    occurrence: IntArray = field(init=False)
    events: IntArray = field(init=False)
    systemic_events: IntArray = field(init=False)
    systemic_loss: IntArray = field(init=False)
    industry_loss: IntArray = field(init=False)
    section_loss: IntArray = field(init=False)
    kind_loss: IntArray = field(init=False)
    kind_events: IntArray = field(init=False)
    counters: IntArray = field(init=False)
    net_loss: IntArray = field(init=False)
    net_occurrence: IntArray = field(init=False)
    ceded_occurrence: IntArray = field(init=False)

    YEAR_COLUMNS: ClassVar[tuple[str, ...]] = (
        "loss", "ground_up", "occurrence", "events", "systemic_events", "systemic_loss",
    )  # fmt: skip
    #: With a treaty: the year's net loss, its largest net occurrence and largest ceded occurrence.
    TREATY_COLUMNS: ClassVar[tuple[str, ...]] = ("net_loss", "net_occurrence", "ceded_occurrence")

    def __post_init__(self) -> None:
        for name in self.YEAR_COLUMNS + self.TREATY_COLUMNS:
            setattr(self, name, np.zeros(self.years if name in self.columns else 0, dtype=np.int64))
        self.industry_loss = np.zeros(len(self.industries), dtype=np.int64)
        self.section_loss = np.zeros(len(self.sections), dtype=np.int64)
        self.kind_loss = np.zeros(len(self.kinds), dtype=np.int64)
        self.kind_events = np.zeros(len(self.kinds), dtype=np.int64)
        self.counters = np.zeros(N_COUNTERS, dtype=np.int64)

    @property
    def columns(self) -> tuple[str, ...]:
        """The per-year columns of this table: the treaty's too when it has one."""
        return self.YEAR_COLUMNS + (self.TREATY_COLUMNS if self.reinsured else ())

    @property
    def ceded_loss(self) -> IntArray:
        """The year's ceded loss: gross − net (empty without a treaty)."""
        return self.loss - self.net_loss if self.reinsured else self.net_loss

    @classmethod
    def for_plan(cls, plan: Plan, years: int) -> YearTable:
        return cls(years=years, industries=plan.industries, sections=plan.layout.sections, kinds=plan.kinds,
                   reinsured=plan.treaty is not None)  # fmt: skip

    def add(self, result: BlockResult) -> None:
        stop = result.first_year + result.loss.shape[0]
        for name in self.columns:
            getattr(self, name)[result.first_year : stop] = getattr(result, name)
        for name in ("industry_loss", "section_loss", "kind_loss", "kind_events", "counters"):
            getattr(self, name)[:] += getattr(result, name)


def simulate_inline(plan: Plan, years: int, seed: int, blocks: Iterable[tuple[int, int]] | None = None) -> YearTable:
    """Every block in this process, one after the other (tests, small runs, the reference for Dask runs)."""
    table = YearTable.for_plan(plan, years)
    for block, n_years in blocks or blocks_of(years):
        table.add(run_block(plan, seed, block, n_years))
    return table
