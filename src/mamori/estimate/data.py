"""The estimator's data (``estimate/data/*.toml``): the JNSA model, unit costs, industries' profit rates.

Loaded strictly like a product version (:mod:`mamori.catalog.reader`): every key is read or the file is
refused, every figure carries its source (published/illustrative) and a ``reference`` naming where it
comes from. The estimator's data is versioned on its own (``[dataset]``) and named in every estimate
by its content hash, like a product version; it is not part of a product version's folder.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Final

from mamori.catalog import ProductDataError, content_hash, read_folder
from mamori.catalog.reader import Document, Table

__all__ = [
    "BASES",
    "DATA_FILES",
    "DATA_FOLDER",
    "LIABILITY_BASES",
    "MAX_UNIT_COST",
    "RESPONSES",
    "YEN_UNIT",
    "Category",
    "CostKind",
    "EstimateData",
    "IdentifiabilityRule",
    "IndustryEconomics",
    "JnsaModel",
    "Sourced",
    "Timeline",
    "Unit",
    "load_data",
    "packaged_data",
]

DATA_FOLDER: Final = Path(__file__).resolve().parent / "data"
DATA_FILES: Final = ("jnsa.toml", "costs.toml", "business.toml")
#: The JNSA response evaluations (事後対応評価) a document may name.
RESPONSES: Final = ("appropriate", "inappropriate", "unknown")
#: Which figure the liability part uses: JNSA's (every person claims) or the expected one (× claim rate).
LIABILITY_BASES: Final = ("expected", "jnsa")
#: What a cost kind's default quantity may be, besides a number.
BASES: Final = ("persons", "businesses")
#: A unit cost above this is a typing error (it keeps every line within the claim document's bounds).
MAX_UNIT_COST: Final = 10_000_000
#: The unit of a kind whose quantity is the amount itself (ransom, fines).
YEN_UNIT: Final = "yen"


@dataclass(frozen=True, slots=True)
class Sourced:
    """Where a figure comes from: ``published`` or ``illustrative``, and the reference in words (ja, en)."""

    source: str
    reference_ja: str
    reference_en: str

    def reference(self, lang: str) -> str:
        return self.reference_ja if lang == "ja" else self.reference_en


@dataclass(frozen=True, slots=True)
class Category:
    """A category of personal data: JNSA levels x (privacy harm) and y (economic loss), and APPI flags."""

    id: str
    x: int
    y: int
    ja: str
    en: str
    special_care: bool = False
    financial: bool = False
    card: bool = False

    def name(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True, slots=True)
class IdentifiabilityRule:
    """本人特定容易度: ``factor`` when every category of ``all_of`` was leaked."""

    all_of: tuple[str, ...]
    factor: int


@dataclass(frozen=True, slots=True, kw_only=True)
class JnsaModel:
    """The JNSA model of product.md §7.1 with its factors, categories and the claim rate."""

    base: int
    x_base: int
    y_base: int
    levels: int
    rules: tuple[IdentifiabilityRule, ...]
    otherwise: int
    social_normal: int
    social_high: int
    responses: Mapping[str, int]
    claim_rate: Decimal
    liability_basis: str
    categories: Mapping[str, Category]
    model: Sourced
    identifiability: Sourced
    social: Sourced
    response: Sourced
    liability: Sourced
    category_map: Sourced
    appi_flags: Sourced


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    ja: str
    en: str

    def name(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True, slots=True, kw_only=True)
class CostKind:
    """A unit cost: one cost line of an estimate is ``unit_cost × quantity``, claimed as ``item``."""

    id: str
    item: str
    unit: str
    unit_cost: int
    default: int | str  # a quantity, or a base of BASES
    sourced: Sourced
    ja: str
    en: str

    def name(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    @property
    def is_amount(self) -> bool:
        """The quantity is the amount itself, in yen (ransom, fines)."""
        return self.unit == YEN_UNIT


@dataclass(frozen=True, slots=True)
class IndustryEconomics:
    """An industry's operating margin and fixed-cost ratio (their sum is the BI profit rate) and JNSA class."""

    code: str
    operating_margin: Decimal
    fixed_cost_ratio: Decimal
    high_social_responsibility: bool


@dataclass(frozen=True, slots=True)
class Timeline:
    """When the estimated incident happens inside the plan's policy year (only dates depend on it)."""

    incident_after_days: int
    incident_time: dt.time
    claim_after_days: int
    sourced: Sourced


@dataclass(frozen=True, kw_only=True, eq=False)
class EstimateData:
    id: str
    version: str
    name_ja: str
    name_en: str
    content_hash: str
    jnsa: JnsaModel
    units: Mapping[str, Unit]
    kinds: Mapping[str, CostKind]
    industries: Mapping[str, IndustryEconomics]
    hours_per_year: int
    profit: Sourced
    social_classes: Sourced
    timeline: Timeline
    sources: Mapping[str, str]  # "file:key" → published|illustrative

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en


# ------------------------------------------------------------------------------------------ loading


def _sourced(node: Table) -> Sourced:
    return Sourced(node.source(), *node.table("reference").jaen())


def _factor(node: Table, name: str) -> int:
    return node.integer(name, minimum=1)


def _rate(node: Table, name: str) -> Decimal:
    value = node.decimal(name)
    if value > 1:
        raise node.fail(name, "P_SHARE_OF_REVENUE", value=str(value))
    return value


def _category(node: Table, cid: str, levels: int) -> Category:
    x, y = node.integer("x", minimum=1), node.integer("y", minimum=1)
    for name, level in (("x", x), ("y", y)):
        if level > levels:
            raise node.fail(name, "P_LEVEL", maximum=levels, value=level)
    ja, en = node.jaen()
    return Category(
        cid,
        x,
        y,
        ja,
        en,
        special_care=node.boolean("special_care", default=False),
        financial=node.boolean("financial", default=False),
        card=node.boolean("card", default=False),
    )


def _rules(node: Table, categories: Mapping[str, Category]) -> tuple[IdentifiabilityRule, ...]:
    rules = []
    for rule in node.tables("rules"):
        all_of = rule.req("all_of")
        if not isinstance(all_of, list) or not all_of or any(c not in categories for c in all_of):
            raise rule.fail("all_of", "P_CATEGORIES", allowed=sorted(categories))
        rules.append(IdentifiabilityRule(tuple(all_of), _factor(rule, "factor")))
    return tuple(rules)


def _jnsa(doc: Document) -> JnsaModel:
    root = doc.root
    model, ident, social = root.table("model"), root.table("identifiability"), root.table("social_responsibility")
    response, liability = root.table("response"), root.table("liability")
    levels = model.integer("levels", minimum=1)
    nodes = root.table("categories")
    categories = {cid: _category(nodes.table(cid), cid, levels) for cid in nodes}
    if not categories:
        raise root.fail("categories", "P_NO_CATEGORIES")
    basis = liability.text("liability_basis")
    if basis not in LIABILITY_BASES:
        raise liability.fail("liability_basis", "P_CHOICE", allowed=list(LIABILITY_BASES), value=basis)
    return JnsaModel(
        base=_factor(model, "base"),
        x_base=_factor(model, "x_base"),
        y_base=_factor(model, "y_base"),
        levels=levels,
        rules=_rules(ident, categories),
        otherwise=_factor(ident, "otherwise"),
        social_normal=_factor(social, "normal"),
        social_high=_factor(social, "high"),
        responses=MappingProxyType({r: _factor(response, r) for r in RESPONSES}),
        claim_rate=_rate(liability, "claim_rate"),
        liability_basis=basis,
        categories=MappingProxyType(categories),
        model=_sourced(model),
        identifiability=_sourced(ident),
        social=_sourced(social),
        response=_sourced(response),
        liability=_sourced(liability),
        category_map=_sourced(root.table("category_map")),
        appi_flags=_sourced(root.table("appi_flags")),
    )


def _default(node: Table) -> int | str:
    value = node.req("default")
    if isinstance(value, str):
        if value not in BASES:
            raise node.fail("default", "P_QUANTITY", allowed=list(BASES), value=value)
        return value
    return node.integer("default")


def _kind(node: Table, kid: str, units: Mapping[str, Unit]) -> CostKind:
    unit = node.text("unit")
    if unit not in units:
        raise node.fail("unit", "P_UNIT", allowed=sorted(units), value=unit)
    unit_cost = node.integer("unit_cost", minimum=1)
    if unit_cost > MAX_UNIT_COST or (unit == YEN_UNIT and unit_cost != 1):
        raise node.fail("unit_cost", "P_UNIT_COST", maximum=MAX_UNIT_COST, unit=YEN_UNIT, value=unit_cost)
    ja, en = node.jaen()
    return CostKind(
        id=kid,
        item=node.text("item"),
        unit=unit,
        unit_cost=unit_cost,
        default=_default(node),
        sourced=_sourced(node),
        ja=ja,
        en=en,
    )


def _costs(doc: Document) -> tuple[Mapping[str, Unit], Mapping[str, CostKind]]:
    units_node, kinds_node = doc.root.table("units"), doc.root.table("kinds")
    units = {uid: Unit(uid, *units_node.table(uid).jaen()) for uid in units_node}
    kinds = {kid: _kind(kinds_node.table(kid), kid, units) for kid in kinds_node}
    if not kinds:
        raise doc.root.fail("kinds", "P_NO_UNIT_COSTS")
    return MappingProxyType(units), MappingProxyType(kinds)


def _industries(node: Table, profit: Sourced, classes: Sourced) -> Mapping[str, IndustryEconomics]:
    found = {}
    for code in node:
        row = node.table(code)
        margin, fixed = _rate(row, "operating_margin"), _rate(row, "fixed_cost_ratio")
        if margin + fixed > 1:
            raise row.fail("fixed_cost_ratio", "P_MARGIN_AND_FIXED", value=str(margin + fixed))
        found[code] = IndustryEconomics(code, margin, fixed, row.boolean("high_social_responsibility", default=False))
        for key, src in (("operating_margin", profit), ("fixed_cost_ratio", profit)):
            node.doc.sources[f"{node.doc.name}:{row.key(key)}"] = src.source
        node.doc.sources[f"{node.doc.name}:{row.key('high_social_responsibility')}"] = classes.source
    if not found:
        raise node.fail("", "P_NO_INDUSTRIES")
    return MappingProxyType(found)


def _timeline(node: Table) -> Timeline:
    raw = node.text("incident_time")
    try:
        at = dt.time.fromisoformat(raw)
    except ValueError:
        raise node.fail("incident_time", "P_HH_MM", value=raw) from None
    return Timeline(
        incident_after_days=node.integer("incident_after_days"),
        incident_time=at,
        claim_after_days=node.integer("claim_after_days"),
        sourced=_sourced(node),
    )


def load_data(files: Mapping[str, bytes], *, origin: str = "memory") -> EstimateData:
    """Validate the estimator's data files (name → bytes); ProductDataError names the file, key and problem."""
    for name in DATA_FILES:
        if name not in files:
            raise ProductDataError(f"{origin}/{name}", "(file)", "P_MISSING")
    extra = sorted(set(files) - set(DATA_FILES))
    if extra:
        raise ProductDataError(f"{origin}/{extra[0]}", "(file)", "P_NOT_A_DATA_FILE", {"allowed": list(DATA_FILES)})
    jnsa_doc, costs_doc, business_doc = (Document(name, files[name]) for name in DATA_FILES)
    dataset = jnsa_doc.root.table("dataset")
    jnsa = _jnsa(jnsa_doc)
    units, kinds = _costs(costs_doc)
    root = business_doc.root
    profit_node = root.table("profit")
    profit, classes = _sourced(profit_node), _sourced(root.table("social_responsibility_classes"))
    industries = _industries(root.table("industries"), profit, classes)
    data = EstimateData(
        id=dataset.text("id"),
        version=dataset.text("version"),
        name_ja=dataset.text("name_ja"),
        name_en=dataset.text("name_en"),
        content_hash=content_hash(files),
        jnsa=jnsa,
        units=units,
        kinds=kinds,
        industries=industries,
        hours_per_year=profit_node.integer("hours_per_year", minimum=1),
        profit=profit,
        social_classes=classes,
        timeline=_timeline(root.table("timeline")),
        sources=MappingProxyType({**jnsa_doc.sources, **costs_doc.sources, **business_doc.sources}),
    )
    for doc in (jnsa_doc, costs_doc, business_doc):
        doc.finish()
    return data


@functools.cache
def packaged_data(folder: Path = DATA_FOLDER) -> EstimateData:
    """The estimator's packaged data (loaded once)."""
    return load_data(read_folder(folder), origin=str(folder))
