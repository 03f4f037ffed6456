"""Emergency support service (緊急時サポート総合サービス, product.md §4): eligibility and triage.

Available only when the incident is one the insurance can pay for AND it happened in Japan
[published]. Otherwise a reason code is returned (never an exception). Triage puts the incident into
the four response phases of the product page, each with a checklist, and lists the vendor categories to
refer. Phases, checklists, vendors and territory are data (``support.toml``).
"""

from __future__ import annotations

import functools
import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from mamori import product as product_mod

__all__ = ["Phase", "Support", "SupportTerms", "Vendor", "assess", "load_support_terms"]

FILE_NAME: Final = "support.toml"
#: Reason when the insurance cannot pay for the incident and no more specific code is known.
NOT_PAYABLE: Final = "NOT_PAYABLE"
TERRITORY: Final = "X_TERRITORY"
ACCIDENT_TYPES: Final = ("A1", "A2", "A3", "A4", "T0")


@dataclass(frozen=True, slots=True)
class Phase:
    id: str
    ja: str
    en: str
    types: frozenset[str]
    affected: bool
    vendors: tuple[str, ...]
    checklist: tuple[tuple[str, str], ...]  # (ja, en)

    def applies(self, accident_types: frozenset[str], affected: bool) -> bool:
        return not self.types.isdisjoint(accident_types) or (self.affected and affected)


@dataclass(frozen=True, slots=True)
class Vendor:
    id: str
    ja: str
    en: str


@dataclass(frozen=True, slots=True)
class SupportTerms:
    name: tuple[str, str]
    clause: str
    territory: frozenset[str]
    phases: tuple[Phase, ...]
    vendors: Mapping[str, Vendor]
    reasons: Mapping[str, tuple[str, str]]  # code → (ja, en)
    #: (accident types, affected) → (phases, vendors) for every combination of the known accident
    #: types, computed at load time; triage of other types is computed when asked.
    triage_table: Mapping[tuple[frozenset[str], bool], tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )


@dataclass(frozen=True, slots=True)
class Support:
    available: bool
    reason: str | None  # first reason code when not available
    reasons: tuple[str, ...]
    phases: tuple[str, ...]  # phase ids, in the product page's order
    vendors: tuple[str, ...]  # vendor category ids


def _fail(path: Path, key: str, problem: str) -> product_mod.ProductDataError:
    return product_mod.ProductDataError(path, key, problem)


def _jaen(path: Path, key: str, node: Any) -> tuple[str, str]:
    if not isinstance(node, Mapping):
        raise _fail(path, key, "must be a table with ja and en")
    ja, en = node.get("ja"), node.get("en")
    if not isinstance(ja, str) or not ja.strip() or not isinstance(en, str) or not en.strip():
        raise _fail(path, key, "needs non-empty ja and en texts")
    return ja, en


@functools.cache
def load_support_terms(folder: Path) -> SupportTerms:
    """Load and validate ``support.toml`` of a product version folder (cached per folder)."""
    path = folder / FILE_NAME
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
    except FileNotFoundError:
        raise _fail(path, "(file)", "missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, "(syntax)", str(exc)) from None

    service = data.get("service")
    if not isinstance(service, Mapping):
        raise _fail(path, "service", "missing")
    territory = service.get("territory")
    if not isinstance(territory, list) or not territory or not all(isinstance(c, str) for c in territory):
        raise _fail(path, "service.territory", "must be a non-empty list of country codes")
    clause = service.get("clause")
    if not isinstance(clause, str):
        raise _fail(path, "service.clause", "missing")

    vendors_node = data.get("vendors")
    if not isinstance(vendors_node, Mapping) or not vendors_node:
        raise _fail(path, "vendors", "must be a table of vendor categories")
    vendors = {vid: Vendor(vid, *_jaen(path, f"vendors.{vid}", v)) for vid, v in vendors_node.items()}

    phases_node = data.get("phases")
    if not isinstance(phases_node, list) or not phases_node:
        raise _fail(path, "phases", "must be a non-empty list of [[phases]]")
    phases: list[Phase] = []
    for i, node in enumerate(phases_node):
        key = f"phases[{i}]"
        if not isinstance(node, Mapping) or not isinstance(node.get("id"), str):
            raise _fail(path, key, "must be a table with an id")
        ja, en = _jaen(path, key, node)
        types = node.get("types", [])
        if not isinstance(types, list) or not all(t in ACCIDENT_TYPES for t in types):
            raise _fail(path, f"{key}.types", "must list accident types A1..A4, T0")
        refs = node.get("vendors", [])
        if not isinstance(refs, list) or any(v not in vendors for v in refs):
            raise _fail(path, f"{key}.vendors", f"must list vendor categories of [vendors]: {sorted(vendors)}")
        checklist_node = node.get("checklist")
        if not isinstance(checklist_node, list) or not checklist_node:
            raise _fail(path, f"{key}.checklist", "must be a non-empty list of { ja, en }")
        checklist = tuple(_jaen(path, f"{key}.checklist[{j}]", c) for j, c in enumerate(checklist_node))
        affected = node.get("affected", False)
        if not isinstance(affected, bool):
            raise _fail(path, f"{key}.affected", "must be true or false")
        phases.append(Phase(str(node["id"]), ja, en, frozenset(types), affected, tuple(refs), checklist))

    reasons_node = data.get("reasons")
    if not isinstance(reasons_node, Mapping):
        raise _fail(path, "reasons", "missing")
    reasons = {code: _jaen(path, f"reasons.{code}", r) for code, r in reasons_node.items()}
    for needed in (NOT_PAYABLE, TERRITORY):
        if needed not in reasons:
            raise _fail(path, f"reasons.{needed}", "missing")
    table = {
        (frozenset(types), affected): _triage(phases, frozenset(types), affected)
        for n in range(len(ACCIDENT_TYPES) + 1)
        for types in itertools.combinations(ACCIDENT_TYPES, n)
        for affected in (False, True)
    }
    return SupportTerms(
        name=_jaen(path, "service", service),
        clause=clause,
        territory=frozenset(territory),
        phases=tuple(phases),
        vendors=MappingProxyType(vendors),
        reasons=MappingProxyType(reasons),
        triage_table=MappingProxyType(table),
    )


def triage(
    terms: SupportTerms, accident_types: frozenset[str], affected: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The response phases that apply (in the page's order) and the vendor categories to refer."""
    known = terms.triage_table.get((accident_types, affected))
    return known if known is not None else _triage(terms.phases, accident_types, affected)


def _triage(
    phases: Sequence[Phase], accident_types: frozenset[str], affected: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    applying = tuple(p for p in phases if p.applies(accident_types, affected))
    vendors: dict[str, None] = {}
    for p in applying:
        for v in p.vendors:
            vendors.setdefault(v)
    return tuple(p.id for p in applying), tuple(vendors)


def assess(
    terms: SupportTerms,
    *,
    country: str,
    not_payable: tuple[str, ...],
    accident_types: frozenset[str],
    affected: bool,
) -> Support:
    """Eligibility and triage.

    ``not_payable`` holds the codes that stop the insurance from paying for the incident at all (a
    whole-claim exclusion, every trigger outside the period). Reading of "an incident the insurance can
    pay for": the incident is covered in principle, whatever the amounts (a loss under the deductible
    still gets support, as the service is used before any cost is known). The territory code comes
    after the cover codes.
    """
    reasons = not_payable if country in terms.territory else (*not_payable, TERRITORY)
    if reasons:
        return Support(False, reasons[0], reasons, (), ())
    phases, vendors = triage(terms, accident_types, affected)
    return Support(True, None, (), phases, vendors)


def reason_text(terms: SupportTerms, code: str, lang: str) -> str | None:
    """The ja/en text of a support-specific reason code, or None when the code is a coverage exclusion."""
    entry = terms.reasons.get(code)
    if entry is None:
        return None
    return entry[0] if lang == "ja" else entry[1]
