"""Emergency-support and regulatory terms as data (``support.toml``, product.md §4).

The four response phases with their checklists and vendor categories, the service's territory and
intake hours, and the regulatory reporting rules (APPI grounds a–d, report days, GDPR hours). The
decisions made with them live in :mod:`mamori.support`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from mamori.catalog.coverage import ACCIDENT_TYPES
from mamori.catalog.reader import Document

__all__ = ["GROUNDS", "Phase", "RegulatoryTerms", "SupportTerms", "Vendor", "load_regulatory", "load_support"]

FILE_NAME: Final = "support.toml"
#: APPI grounds for a report to the Personal Information Protection Commission (product.md §4.1).
GROUNDS: Final = ("a", "b", "c", "d")
#: Reason when the insurance cannot pay for the incident and no more specific code is known.
NOT_PAYABLE: Final = "NOT_PAYABLE"
TERRITORY: Final = "X_TERRITORY"


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
    intake_hours: int
    hotline: str  # the 24-hour emergency number every page, document and message about an incident shows
    phases: tuple[Phase, ...]
    vendors: Mapping[str, Vendor]
    reasons: Mapping[str, tuple[str, str]]  # code → (ja, en)


@dataclass(frozen=True, slots=True)
class RegulatoryTerms:
    persons_threshold: int
    preliminary_days: int
    final_days: int
    final_days_improper_purpose: int
    gdpr_hours: int
    warning_hours: int  # reminders of a deadline start this many hours before it
    grounds: Mapping[str, tuple[str, str]]  # ground → (ja, en)


def load_support(doc: Document) -> SupportTerms:
    """Validate the service, phases, vendors and reasons of ``support.toml``."""
    root = doc.root
    service = root.table("service")
    service.source()
    territory = service.req("territory")
    if not isinstance(territory, list) or not territory or not all(isinstance(c, str) for c in territory):
        raise service.fail("territory", "P_COUNTRIES")
    intake = service.integer("intake_hours", service.tagged("intake_hours", default_source="published"), minimum=1)
    if intake > 24:
        raise service.fail("intake_hours", "P_INTAKE_HOURS", maximum=24, value=intake)
    hotline = service.text("hotline", service.tagged("hotline", default_source="illustrative"))
    if len(hotline) > 40:
        raise service.fail("hotline", "P_HOTLINE", maximum=40, value=hotline)

    vendors_node = root.table("vendors")
    vendors: dict[str, Vendor] = {}
    for vid in vendors_node:
        node = vendors_node.table(vid)
        node.source()
        vendors[vid] = Vendor(vid, *node.jaen())
    if not vendors:
        raise root.fail("vendors", "P_VENDOR_TABLE")

    phases: list[Phase] = []
    for node in root.tables("phases"):
        node.source()
        pid = node.text("id")
        types = node.req("types")
        if not isinstance(types, list) or not all(t in ACCIDENT_TYPES for t in types):
            raise node.fail("types", "P_ACCIDENT_TYPES", allowed=list(ACCIDENT_TYPES))
        refs = node.req("vendors")
        if not isinstance(refs, list) or any(v not in vendors for v in refs):
            raise node.fail("vendors", "P_VENDORS", allowed=sorted(vendors))
        checklist = tuple(entry.jaen() for entry in node.tables("checklist"))
        affected = node.boolean("affected", default=False)
        phases.append(Phase(pid, *node.jaen(), frozenset(types), affected, tuple(refs), checklist))
    if len({p.id for p in phases}) != len(phases):
        raise root.fail("phases", "P_DUPLICATE_IDS")

    reasons_node = root.table("reasons")
    reasons = {code: reasons_node.table(code).jaen() for code in reasons_node}
    for needed in (NOT_PAYABLE, TERRITORY):
        if needed not in reasons:
            raise reasons_node.fail(needed, "P_MISSING")
    return SupportTerms(
        name=service.jaen(),
        clause=service.text("clause"),
        territory=frozenset(territory),
        intake_hours=intake,
        hotline=hotline,
        phases=tuple(phases),
        vendors=MappingProxyType(vendors),
        reasons=MappingProxyType(reasons),
    )


def load_regulatory(doc: Document) -> RegulatoryTerms:
    """Validate ``[regulatory]`` of ``support.toml``."""
    node = doc.root.table("regulatory")
    node.source()

    def positive(key: str) -> int:
        return node.integer(key, minimum=1)

    grounds_node = node.table("grounds")
    grounds = {g: grounds_node.table(g).jaen() for g in GROUNDS}
    unknown = set(grounds_node) - set(GROUNDS)
    if unknown:
        raise grounds_node.fail(sorted(unknown)[0], "P_UNKNOWN_GROUND", allowed=list(GROUNDS))
    return RegulatoryTerms(
        persons_threshold=positive("persons_threshold"),
        preliminary_days=positive("preliminary_days"),
        final_days=positive("final_days"),
        final_days_improper_purpose=positive("final_days_improper_purpose"),
        gdpr_hours=positive("gdpr_hours"),
        warning_hours=positive("warning_hours"),
        grounds=MappingProxyType(grounds),
    )
