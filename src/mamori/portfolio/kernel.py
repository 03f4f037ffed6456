"""The compiled kernels of one block of simulated years (numba, no Python in the loops).

The algorithm never visits a policy-year without an accident. For each policy, the years with an
independent accident are drawn directly: a Poisson frequency as a Poisson process (exponential gaps
between accidents, so the accidents of a year are the consecutive ones that fall in it); a negative
binomial frequency as a Bernoulli process of years with at least one accident (geometric gaps) and, for
each such year, the number of accidents from the distribution conditioned on at least one. Systemic
events are drawn first for the whole block (:func:`systemic_block`): how many of each kind, in which
year, which policies each hits (a share of the exposed ones, without replacement), sorted by policy and
year.

:func:`simulate_block` then walks each policy's accident-years in order, merging its independent accidents
with its systemic hits, in a random order within the policy-year (the order decides which accident erodes
the annual limits); for each accident it draws the ground-up loss of each section, applies the terms
(the rule functions of :mod:`mamori.portfolio.terms`, in the order of §3.6) and adds the payment to the
year, the industry, the section and the systemic event. One loop, with every random draw in its own body:
a call between compiled functions that passes arrays or the random generator costs more (reference
counts) than the work of an accident. Memory is the block's per-year arrays: no row per accident is kept.

A section's loss is drawn for an accident with the section's probability, as a Bernoulli process by runs:
the number of accidents before the next loss (or, for a probability of at least :data:`THIN_AT`, before
the next accident without one) is geometric, so it costs one draw per change instead of one per accident.

With a treaty (product.md §8.4), the same loop applies its quota share and per-risk layer to each payment
and its per-event layer to each independent accident, and adds each systemic hit's retained part to its
event; the caller applies the per-event layer to systemic events and the aggregate layer to years. The
treaty reads no random number: the gross answer is the same with or without one.

Severity components are rows of ``comp_f``/``comp_i`` (see the column constants); component set ``k``
is rows ``set_start[k]:set_start[k+1]`` (set 0: independent accidents; set ``t+1``: systemic kind ``t``).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from mamori.portfolio._jit import compiled
from mamori.portfolio.terms import MAX_GROUND_UP, capped, deductible_part, outlasts
from mamori.portfolio.treaty import EVENT_LIMIT as TR_EVENT_LIMIT
from mamori.portfolio.treaty import EVENT_RETENTION as TR_EVENT_RETENTION
from mamori.portfolio.treaty import KEEP as TR_KEEP
from mamori.portfolio.treaty import RISK_LIMIT as TR_RISK_LIMIT
from mamori.portfolio.treaty import RISK_RETENTION as TR_RISK_RETENTION

__all__ = [
    "COMP_FLOATS",
    "H_MU",
    "H_SIGMA",
    "MU",
    "N_COUNTERS",
    "PROB",
    "RIDER",
    "SECTION",
    "SIGMA",
    "TAIL_A",
    "TAIL_P",
    "TAIL_U",
    "simulate_block",
    "systemic_block",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
U8Array = npt.NDArray[np.uint8]

# Columns of comp_f (floats) and comp_i (integers) of a severity component.
MU: Final = 0
SIGMA: Final = 1
PROB: Final = 2  # share of accidents with a loss in this component
TAIL_P: Final = 3  # probability of the Pareto tail (0: none)
TAIL_U: Final = 4  # its threshold
TAIL_A: Final = 5  # its alpha
H_MU: Final = 6  # outage hours (log), for the waiting period
H_SIGMA: Final = 7  # -1: no outage model (the outage is taken as longer than the waiting period)
LOG_Q: Final = 8  # log(1 − PROB), for the geometric skips of a thinned component
COMP_FLOATS: Final = 9
SECTION: Final = 0  # the section (column) the loss is paid in
RIDER: Final = 1  # the rider flag (column of ``riders``) the loss needs, -1 for none
#: Below it, a component's runs count accidents without a loss; from it, accidents with one.
THIN_AT: Final = 0.5
#: Counters of a block: independent accidents, systemic hits, ground-up losses drawn, rows traced.
N_COUNTERS: Final = 4


@compiled
def simulate_block(  # noqa: PLR0912, PLR0913, PLR0915, PLR0917, C901 - one compiled loop (calls cost more)
    rng: np.random.Generator,
    rng_severity: np.random.Generator,
    n_years: int,
    negative_binomial: bool,
    nb_n: float,
    rate: FloatArray,
    nb_p0: FloatArray,
    nb_q: FloatArray,
    industry: IntArray,
    deductible: IntArray,
    limits: IntArray,
    riders: U8Array,
    comp_f: FloatArray,
    comp_i: IntArray,
    set_start: IntArray,
    scale: FloatArray,
    hit_start: IntArray,
    hit_year: IntArray,
    hit_kind: IntArray,
    hit_event: IntArray,
    hit_mult: FloatArray,
    order: IntArray,
    waiting: int,
    waiting_hours: float,
    capacity: int,
    year_loss: IntArray,
    year_ground_up: IntArray,
    year_max: IntArray,
    year_events: IntArray,
    industry_loss: IntArray,
    section_loss: IntArray,
    event_loss: IntArray,
    counters: IntArray,
    trace: IntArray,
    trace_hours: FloatArray,
    reinsure: bool,
    treaty: FloatArray,
    year_net: FloatArray,
    year_net_max: FloatArray,
    year_ceded_max: FloatArray,
    event_net: FloatArray,
) -> bool:
    """Simulate ``n_years`` of every policy; add the payments to the output arrays (zeroed by the caller).

    ``year_max`` receives the largest independent accident of each year, ``event_loss`` the total paid for
    each systemic event (its occurrence loss); ``counters``: accidents, hits, losses drawn, rows traced.
    ``trace`` (empty unless a test asks): a row per accident, ``policy, year, ground-up per section, paid
    per section``, and ``trace_hours`` its outage. Returns False when a policy-year has more than
    ``capacity`` accidents (the caller runs the block again, from the same seed, with more).

    With ``reinsure``, the treaty's terms (:attr:`mamori.portfolio.treaty.Treaty.terms`) apply to each
    payment in the order of product.md §8.4: the quota share, the per-risk layer, and for an independent
    accident (an occurrence of its own) the per-event layer; ``year_net`` receives what is retained,
    ``year_net_max`` the year's largest retained independent accident and ``year_ceded_max`` its largest
    ceded one. A systemic hit's retained part after the per-risk layer goes to ``event_net`` (its event's
    occurrence, to which the caller applies the per-event layer; the aggregate layer too is the caller's).
    """
    sections = limits.shape[1]
    acc_kind = np.empty(capacity, dtype=np.int64)
    acc_src = np.empty(capacity, dtype=np.int64)
    acc_mult = np.empty(capacity, dtype=np.float64)
    gu = np.zeros(sections, dtype=np.int64)
    net = np.zeros(sections, dtype=np.int64)
    paid = np.zeros(sections, dtype=np.int64)
    # Bernoulli thinning by runs: skip[c] accidents pass before the component's next change (a loss when its
    # probability is below THIN_AT, else a miss); a run length is geometric, one draw per change.
    skip = np.zeros(comp_f.shape[0], dtype=np.int64)
    for c in range(comp_f.shape[0]):
        if 0.0 < comp_f[c, PROB] < 1.0:
            skip[c] = np.int64(np.log(1.0 - rng_severity.random()) / comp_f[c, LOG_Q])
    tracing = trace.shape[0] > 0
    independent = hits = drawn = traced = 0
    for p in range(rate.shape[0]):
        lam = rate[p]
        t = 0.0
        next_year = n_years
        if negative_binomial:
            if nb_q[p] > 0.0:
                next_year = min(int(rng.geometric(nb_q[p])) - 1, n_years)
        elif lam > 0.0:
            t = rng.standard_exponential() / lam
            next_year = int(t) if t < n_years else n_years
        h = hit_start[p]
        h_end = hit_start[p + 1]
        ind = industry[p]
        while True:
            y = next_year
            if h < h_end and hit_year[h] < y:
                y = hit_year[h]
            if y >= n_years:
                break
            # ---- the accidents of policy p in year y: independent ones, then its systemic hits
            k = 0
            if next_year == y:
                count = 1
                if negative_binomial:  # how many, given at least one: the inverse of the conditional CDF
                    beta = lam / (nb_n + lam)
                    u = rng.random() * nb_q[p]
                    pk = nb_p0[p] * nb_n * beta
                    cum = pk
                    while u >= cum and count < 1_000_000:
                        pk *= (nb_n + count) / (count + 1) * beta
                        count += 1
                        cum += pk
                while True:
                    if k == capacity:
                        return False
                    acc_kind[k] = 0
                    acc_src[k] = -1
                    acc_mult[k] = 1.0
                    k += 1
                    if negative_binomial:
                        if k == count:
                            break
                    else:
                        t += rng.standard_exponential() / lam
                        if t >= y + 1:
                            break
                if negative_binomial:
                    next_year = min(y + int(rng.geometric(nb_q[p])), n_years)
                else:
                    next_year = int(t) if t < n_years else n_years
            while h < h_end and hit_year[h] == y:
                if k == capacity:
                    return False
                acc_kind[k] = hit_kind[h] + 1
                acc_src[k] = hit_event[h]
                acc_mult[k] = hit_mult[h]
                k += 1
                h += 1
            for i in range(k - 1, 0, -1):  # a random order within the policy-year
                j = int(rng.random() * (i + 1))
                if j != i:
                    acc_kind[i], acc_kind[j] = acc_kind[j], acc_kind[i]
                    acc_src[i], acc_src[j] = acc_src[j], acc_src[i]
                    acc_mult[i], acc_mult[j] = acc_mult[j], acc_mult[i]
            if k > 1:
                for s in range(sections):
                    paid[s] = 0
            for j in range(k):
                # ---- ground-up loss of each section
                kind = acc_kind[j]
                for s in range(sections):
                    gu[s] = 0
                longest = -1.0
                for c in range(set_start[kind], set_start[kind + 1]):
                    rider = comp_i[c, RIDER]
                    section = comp_i[c, SECTION]
                    prob = comp_f[c, PROB]
                    # a rider the policy does not have, a section it did not buy: nothing to draw
                    draw = (rider < 0 or riders[p, rider] != 0) and limits[p, section] > 0 and prob > 0.0
                    if draw and prob < 1.0:
                        changes = skip[c] == 0
                        if changes:
                            skip[c] = np.int64(np.log(1.0 - rng_severity.random()) / comp_f[c, LOG_Q])
                        else:
                            skip[c] -= 1
                        draw = changes == (prob < THIN_AT)  # a rare loss due, or a rare miss not due
                    if draw:
                        mu = comp_f[c, MU]
                        sigma = comp_f[c, SIGMA]
                        tail = comp_f[c, TAIL_P]
                        u = rng_severity.random() if tail > 0.0 else 1.0
                        if u < tail:  # the Pareto tail; z: the normal the same loss would have had in the body
                            x = comp_f[c, TAIL_U] * (1.0 - u / tail) ** (-1.0 / comp_f[c, TAIL_A])
                            z = (np.log(x) - mu) / sigma if sigma > 0.0 else np.inf
                        else:
                            z = rng_severity.standard_normal()
                            x = np.exp(mu + sigma * z)
                        x = x * scale[p, c] * acc_mult[j]
                        gu[section] += MAX_GROUND_UP if not x < MAX_GROUND_UP else np.int64(x + 0.5)
                        drawn += 1
                        if section == waiting:  # outage hours move with the loss
                            h_sigma = comp_f[c, H_SIGMA]
                            hours = np.exp(comp_f[c, H_MU] + h_sigma * z) if h_sigma >= 0.0 else np.inf
                            longest = max(longest, hours)
                # ---- the terms, in the order of product.md §3.6 (the rules of mamori.portfolio.terms)
                for s in range(sections):
                    net[s] = gu[s]
                left = max(deductible[p], 0)
                for i in range(order.shape[0]):
                    s = order[i]
                    part = deductible_part(left, gu[s])
                    net[s] = gu[s] - part
                    left -= part
                if waiting >= 0 and not outlasts(longest, waiting_hours):
                    net[waiting] = 0
                loss = 0
                ground = 0
                for s in range(sections):
                    pay = capped(net[s], limits[p, s], paid[s] if k > 1 else 0)  # one accident: nothing paid before
                    if k > 1:
                        paid[s] += pay
                    net[s] = pay
                    loss += pay
                    ground += gu[s]
                    section_loss[s] += pay
                # ---- added up
                year_loss[y] += loss
                year_ground_up[y] += ground
                industry_loss[ind] += loss
                src = acc_src[j]
                if src < 0:
                    year_events[y] += 1
                    year_max[y] = max(year_max[y], loss)
                    independent += 1
                else:
                    event_loss[src] += loss
                    hits += 1
                if reinsure and loss > 0:  # ---- the treaty, product.md §8.4: quota share, per risk, per event
                    kept = loss * treaty[TR_KEEP]
                    kept -= min(max(kept - treaty[TR_RISK_RETENTION], 0.0), treaty[TR_RISK_LIMIT])
                    if src < 0:
                        kept -= min(max(kept - treaty[TR_EVENT_RETENTION], 0.0), treaty[TR_EVENT_LIMIT])
                        year_net[y] += kept
                        year_net_max[y] = max(year_net_max[y], kept)
                        year_ceded_max[y] = max(year_ceded_max[y], loss - kept)
                    else:
                        event_net[src] += kept
                if tracing and traced < trace.shape[0]:
                    row = traced
                    trace[row, 0] = p
                    trace[row, 1] = y
                    for s in range(sections):
                        trace[row, 2 + s] = gu[s]
                        trace[row, 2 + sections + s] = net[s]
                    trace_hours[row] = longest
                    traced += 1
    counters[0] += independent
    counters[1] += hits
    counters[2] += drawn
    counters[3] += traced
    return True


@compiled
def systemic_block(  # noqa: PLR0913, PLR0917 - numba takes the event catalogue as plain arrays, positionally
    rng: np.random.Generator,
    n_years: int,
    rate: FloatArray,
    share: FloatArray,
    share_a: FloatArray,
    share_b: FloatArray,
    sigma: FloatArray,
    exposed: IntArray,
    exposed_start: IntArray,
    n_policies: int,
) -> tuple[IntArray, IntArray, FloatArray, IntArray, IntArray]:
    """The systemic events of a block and the policies they hit.

    Returns the events (``year``, ``kind``, ``mult``: the event's common severity shock) in year order,
    and the hits sorted by policy then year: ``hit_start`` (an offset per policy) and ``hit_event``.
    """
    kinds = rate.shape[0]
    counts = np.zeros(kinds, dtype=np.int64)
    for t in range(kinds):
        if rate[t] > 0.0:
            counts[t] = rng.poisson(rate[t] * n_years)
    total = counts.sum()
    year = np.empty(total, dtype=np.int64)
    kind = np.empty(total, dtype=np.int64)
    i = 0
    for t in range(kinds):
        for _ in range(counts[t]):
            year[i] = rng.integers(0, n_years)
            kind[i] = t
            i += 1
    by_year = np.argsort(year, kind="mergesort")
    year = year[by_year]
    kind = kind[by_year]
    mult = np.ones(total, dtype=np.float64)
    size = np.zeros(total, dtype=np.int64)
    for e in range(total):  # first pass: the event's shock and how many policies it hits
        t = kind[e]
        if sigma[t] > 0.0:
            mult[e] = np.exp(sigma[t] * rng.standard_normal() - sigma[t] * sigma[t] / 2)
        m = exposed_start[t + 1] - exposed_start[t]
        s = share[t] if share[t] >= 0.0 else rng.beta(share_a[t], share_b[t])
        size[e] = rng.binomial(m, s) if m > 0 else 0
    hits = size.sum()
    hit_policy = np.empty(hits, dtype=np.int64)
    hit_event = np.empty(hits, dtype=np.int64)
    work = exposed.copy()
    i = 0
    for e in range(total):  # second pass: which policies (a partial Fisher-Yates draw, no repeats)
        a = exposed_start[kind[e]]
        m = exposed_start[kind[e] + 1] - a
        for j in range(size[e]):
            r = j + np.int64(rng.random() * (m - j))
            work[a + j], work[a + r] = work[a + r], work[a + j]
            hit_policy[i] = work[a + j]
            hit_event[i] = e
            i += 1
    hit_start = np.zeros(n_policies + 1, dtype=np.int64)  # stable counting sort by policy keeps year order
    for i in range(hits):
        hit_start[hit_policy[i] + 1] += 1
    for p in range(n_policies):
        hit_start[p + 1] += hit_start[p]
    fill = hit_start[:-1].copy()
    sorted_event = np.empty(hits, dtype=np.int64)
    for i in range(hits):
        p = hit_policy[i]
        sorted_event[fill[p]] = hit_event[i]
        fill[p] += 1
    return year, kind, mult, hit_start, sorted_event
