"""The loss model as data (a TOML file): frequency, severity per section, systemic events, pricing loading.

Read strictly with the product catalogue's reader (:mod:`mamori.catalog.reader`): every key is read or the
file is refused, and every problem names the file, the key and what is wrong. The model is checked against
the product version whose terms it simulates (industry classes, coverage sections, riders, security
measures), so a model can never name a section or class the product does not have.

The keys of ``interfaces.md`` §1.6 are the minimum::

    [frequency]            distribution = "poisson" | "negative_binomial" (with n), rate
    [severity.<section>]   distribution = "lognormal", mu, sigma

Everything else is optional: relativities of the frequency (``[frequency.industry]``, ``.revenue``,
``.security_measures``), a Pareto tail of a severity (``[severity.<s>.tail]``), outage hours of the
business-interruption severity (``[severity.bi.outage_hours]``), the catalogue of systemic events
(``[systemic.<code>]``) and the pricing loading (``[pricing]``). Any table may say where its values come
from (``source``) and why (``basis``); see ``models/sme-cyber-2025.toml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from mamori.catalog import ProductVersion
from mamori.catalog.reader import Document, ProductDataError, Table
from mamori.errors import Problem

__all__ = [
    "DISTRIBUTIONS",
    "MODEL_SOURCES",
    "Frequency",
    "Model",
    "Outage",
    "Severity",
    "SystemicEvent",
    "Tail",
    "load_model",
    "read_model",
]

#: Frequency distributions of events per policy-year.
DISTRIBUTIONS: Final = ("poisson", "negative_binomial")
SEVERITY_DISTRIBUTIONS: Final = ("lognormal",)
#: Where a model value comes from: a market-typical value to replace, or the insurer's calibration.
MODEL_SOURCES: Final = ("illustrative", "calibrated")
#: The largest rate of events per policy-year or per year that a model may give (a guard against a typo
#: such as 30 for 0.30: a book would then draw billions of events).
MAX_RATE: Final = 50.0


@dataclass(frozen=True, slots=True)
class Tail:
    """A Pareto tail mixed into a severity: with ``probability`` the loss is ``threshold × U^(−1/alpha)``."""

    probability: float
    threshold: float
    alpha: float


@dataclass(frozen=True, slots=True)
class Outage:
    """Outage hours of a business-interruption event: lognormal, moving with the loss (the same normal draw)."""

    mu: float
    sigma: float


@dataclass(frozen=True, slots=True)
class Severity:
    """Ground-up loss of one event in one part of cover (yen): lognormal, optionally with a Pareto tail.

    ``key`` is the model's name (``expense``, ``liability``, ``bi``, or a rider such as ``pd``); ``section``
    the coverage section it is paid in; ``rider_flag`` the policy flag a rider's loss needs (``pd_rider``).
    ``probability`` is the share of events that have a loss in it; ``revenue_exponent`` scales the loss
    by (revenue / the product's reference revenue) ** exponent.
    """

    key: str
    section: str
    rider_flag: str | None
    mu: float
    sigma: float
    probability: float
    revenue_exponent: float
    tail: Tail | None
    outage: Outage | None

    @property
    def mean(self) -> float:
        """Mean ground-up loss of one drawn loss at the reference revenue (yen)."""
        body = math.exp(self.mu + self.sigma**2 / 2)
        if self.tail is None:
            return body
        t = self.tail
        tail_mean = math.inf if t.alpha <= 1 else t.threshold * t.alpha / (t.alpha - 1)
        return (1 - t.probability) * body + t.probability * tail_mean


@dataclass(frozen=True, slots=True)
class Frequency:
    """Independent events per policy-year: ``rate`` × relativities (industry, revenue, security measures)."""

    distribution: str
    rate: float
    n: float | None  # negative binomial size: p = n / (n + rate)
    industry: Mapping[str, float]
    industry_default: float
    revenue_exponent: float
    per_measure: float  # relativity (1 − per_measure·k) / (1 − per_measure·reference_count)
    reference_count: int


@dataclass(frozen=True, slots=True)
class SystemicEvent:
    """An event that hits many policies in the same year (a ransomware campaign, a cloud outage…).

    ``rate`` events per year; each hits a share of the exposed policies (those of ``industries``, every
    class when None): ``Beta(share_a, share_b)``, or exactly ``share`` when given. Each hit is one
    accident of that policy, with the event's own severities, all multiplied by one lognormal shock of
    the event (``event_sigma``, mean 1) so that the losses of one event move together.
    """

    code: str
    ja: str
    en: str
    rate: float
    industries: frozenset[str] | None
    share: float | None
    share_a: float
    share_b: float
    event_sigma: float
    severities: tuple[Severity, ...]

    @property
    def mean_share(self) -> float:
        return self.share if self.share is not None else self.share_a / (self.share_a + self.share_b)


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    product: str
    version: str  # the product version whose terms the model simulates
    frequency: Frequency
    severities: tuple[Severity, ...]
    systemic: tuple[SystemicEvent, ...]
    loading: float  # technical premium = AAL × (1 + loading)
    origin: str
    sources: Mapping[str, str]  # "table" → illustrative|calibrated, for tables that say so


# ------------------------------------------------------------------------------------------ reading


def _mark(t: Table, sources: dict[str, str]) -> None:
    """Read the optional ``source`` and ``basis`` of a table (so neither is refused as unread)."""
    src = t.opt("source")
    if src is not None:
        if src not in MODEL_SOURCES:
            raise t.fail("source", "P_CHOICE", allowed=list(MODEL_SOURCES), value=src)
        sources[t.path or "(file)"] = str(src)
    if "basis" in t:
        t.text("basis")


def _number(t: Table, name: str, *, low: float, high: float = math.inf, open_low: bool = False) -> float:
    v = t.req(name)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise t.fail(name, "P_NUMBER", value=v)
    if v < low or (open_low and v == low) or v > high:
        code = (
            ("P_ABOVE_AT_MOST" if open_low else "P_BETWEEN")
            if high != math.inf
            else ("P_ABOVE_NUMBER" if open_low else "P_AT_LEAST")
        )
        raise t.fail(name, code, minimum=low, maximum=high, value=v)
    return float(v)


def _optional(t: Table, name: str, default: float, **bounds: Any) -> float:
    return _number(t, name, **bounds) if name in t else default


def _choice(t: Table, name: str, allowed: tuple[str, ...]) -> str:
    v = t.req(name)
    if v not in allowed:
        raise t.fail(name, "P_CHOICE", allowed=list(allowed), value=v)
    return str(v)


def _subtable(t: Table, name: str) -> Table | None:
    if name not in t:
        return None
    return t.table(name)


def _frequency(root: Table, version: ProductVersion, sources: dict[str, str]) -> Frequency:
    t = root.table("frequency")
    _mark(t, sources)
    distribution = _choice(t, "distribution", DISTRIBUTIONS)
    rate = _number(t, "rate", low=0, high=MAX_RATE)
    n = _number(t, "n", low=0, open_low=True) if distribution == "negative_binomial" else None
    if distribution == "poisson" and "n" in t:
        raise t.fail("n", "P_ONLY_FOR", key="distribution", value="negative_binomial")
    industry, default = _industries(t, version, sources)
    revenue_exponent = 0.0
    revenue = _subtable(t, "revenue")
    if revenue is not None:
        _mark(revenue, sources)
        revenue_exponent = _number(revenue, "exponent", low=-3, high=3)
    rating = version.rating
    per_measure, reference = 0.0, rating.measure_reference_count
    measures = _subtable(t, "security_measures")
    if measures is not None:
        _mark(measures, sources)
        count = len(rating.measures)
        per_measure = _number(measures, "per_measure", low=0, high=1 / count, open_low=False)
        if per_measure * count >= 1:
            raise measures.fail("per_measure", "P_PER_MEASURE", count=count, value=per_measure)
        if "reference_count" in measures:
            reference = measures.integer("reference_count")
            if reference > count:
                raise measures.fail("reference_count", "P_MEASURE_COUNT", maximum=count, value=reference)
    return Frequency(
        distribution=distribution,
        rate=rate,
        n=n,
        industry=MappingProxyType(industry),
        industry_default=default,
        revenue_exponent=revenue_exponent,
        per_measure=per_measure,
        reference_count=reference,
    )


def _industries(t: Table, version: ProductVersion, sources: dict[str, str]) -> tuple[dict[str, float], float]:
    node = _subtable(t, "industry")
    if node is None:
        return {}, 1.0
    _mark(node, sources)
    default = _optional(node, "default", 1.0, low=0)
    known = version.rating.industries
    found: dict[str, float] = {}
    for code in node:
        if code in ("default", "source", "basis"):
            continue
        if code not in known:
            raise node.fail(code, "P_NOT_INDUSTRY", version=version.label(), allowed=list(known))
        found[code] = _number(node, code, low=0)
    return found, default


def _severity(t: Table, key: str, version: ProductVersion, sources: dict[str, str]) -> Severity:
    _mark(t, sources)
    coverage = version.coverage
    section, rider_flag = _section_of(t, key, version)
    _choice(t, "distribution", SEVERITY_DISTRIBUTIONS)
    tail_node = _subtable(t, "tail")
    tail = None
    if tail_node is not None:
        _mark(tail_node, sources)
        tail = Tail(
            probability=_number(tail_node, "probability", low=0, high=1),
            threshold=_number(tail_node, "threshold", low=0, open_low=True),
            alpha=_number(tail_node, "alpha", low=0, open_low=True),
        )
    outage_node = _subtable(t, "outage_hours")
    outage = None
    if outage_node is not None:
        if coverage.sections[section].trigger != "outage":
            raise t.fail("outage_hours", "P_OUTAGE_ONLY_BI")
        _mark(outage_node, sources)
        outage = Outage(mu=_number(outage_node, "mu", low=-50, high=50), sigma=_number(outage_node, "sigma", low=0))
    return Severity(
        key=key,
        section=section,
        rider_flag=rider_flag,
        mu=_number(t, "mu", low=-50, high=50),
        sigma=_number(t, "sigma", low=0, high=10),
        probability=_optional(t, "probability", 1.0, low=0, high=1),
        revenue_exponent=_optional(t, "revenue_exponent", 0.0, low=-3, high=3),
        tail=tail,
        outage=outage,
    )


def _section_of(t: Table, key: str, version: ProductVersion) -> tuple[str, str | None]:
    """The coverage section a severity is paid in: the section itself, or a rider's section (its items')."""
    coverage = version.coverage
    if key in coverage.sections:
        return key, None
    rider = coverage.riders.get(key)
    if rider is None:
        allowed = [*coverage.sections, *coverage.riders]
        raise t.fail("", "P_NOT_SECTION", version=version.label(), allowed=allowed)
    sections = {item.section for item in coverage.items.values() if item.rider == key}
    if len(sections) != 1:
        raise t.fail("", "P_RIDER_SECTIONS", value=sorted(sections))
    return sections.pop(), rider.policy_flag


def _severities(node: Table, version: ProductVersion, sources: dict[str, str]) -> tuple[Severity, ...]:
    found = []
    for key in node:
        found.append(_severity(node.table(key), key, version, sources))
    if not found:
        raise node.fail("", "P_NO_SECTION")
    return tuple(found)


def _systemic(root: Table, version: ProductVersion, sources: dict[str, str]) -> tuple[SystemicEvent, ...]:
    node = _subtable(root, "systemic")
    if node is None:
        return ()
    return tuple(_event(node.table(code), code, version, sources) for code in node)


def _event(t: Table, code: str, version: ProductVersion, sources: dict[str, str]) -> SystemicEvent:
    _mark(t, sources)
    industries = None
    if "industries" in t:
        listed = t["industries"]
        known = version.rating.industries
        if not isinstance(listed, list) or not listed:
            raise t.fail("industries", "P_INDUSTRY_LIST", allowed=list(known))
        for value in listed:
            if value not in known:
                raise t.fail("industries", "P_NOT_INDUSTRY", value=value, version=version.label(), allowed=list(known))
        industries = frozenset(str(v) for v in listed)
    share: float | None = None
    share_a = share_b = 0.0
    raw = t.req("share")
    if isinstance(raw, Table):
        share_a = _number(raw, "a", low=0, open_low=True)
        share_b = _number(raw, "b", low=0, open_low=True)
    else:
        share = _number(t, "share", low=0, high=1)
    return SystemicEvent(
        code=code,
        ja=t.text("ja"),
        en=t.text("en"),
        rate=_number(t, "rate", low=0, high=MAX_RATE),
        industries=industries,
        share=share,
        share_a=share_a,
        share_b=share_b,
        event_sigma=_optional(t, "event_sigma", 0.0, low=0, high=5),
        severities=_severities(t.table("severity"), version, sources),
    )


def read_model(name: str, data: bytes, version: ProductVersion) -> Model:
    """Validate a model file's bytes against the product version it simulates (ProductDataError if broken)."""
    doc = Document(name, data)
    root = doc.root
    sources: dict[str, str] = {}
    title = name.rsplit("/", 1)[-1].removesuffix(".toml")
    meta = _subtable(root, "model")
    if meta is not None:
        _mark(meta, sources)
        title = meta.text("name") if "name" in meta else title
        for key in ("ja", "en"):
            if key in meta:
                meta.text(key)
        _check_product(meta, version)
    loading = 0.0
    pricing = _subtable(root, "pricing")
    if pricing is not None:
        _mark(pricing, sources)
        loading = _number(pricing, "loading", low=-0.99, high=100)
    model = Model(
        name=title,
        product=version.id,
        version=version.version,
        frequency=_frequency(root, version, sources),
        severities=_severities(root.table("severity"), version, sources),
        systemic=_systemic(root, version, sources),
        loading=loading,
        origin=name,
        sources=MappingProxyType(sources),
    )
    doc.finish()
    return model


def _check_product(meta: Table, version: ProductVersion) -> None:
    if "product" in meta and meta["product"] != version.id:
        raise meta.fail("product", "P_OTHER_PRODUCT", value=meta["product"], product=version.id)
    if "product_version" in meta and meta["product_version"] != version.version:
        raise meta.fail("product_version", "P_OTHER_PRODUCT", value=meta["product_version"], product=version.version)


def model_version_of(data: bytes, name: str) -> str | None:
    """The product version a model file names in ``[model] product_version`` (None when it names none).

    Read before the model itself so that the caller can fetch that version's terms from its catalogue.
    """
    doc = Document(name, data)
    meta = doc.root.data.get("model")
    if isinstance(meta, dict) and isinstance(meta.get("product_version"), str):
        return str(meta["product_version"])
    return None


def load_model(path: Path, version: ProductVersion) -> Model:
    """Read and validate a model file (ProductDataError naming the file, the key and the problem)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProductDataError(str(path), "(file)", "P_FILE", {"problem": Problem.of_os_error(exc)}) from None
    return read_model(str(path), data, version)
