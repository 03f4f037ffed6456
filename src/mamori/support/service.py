"""Emergency support service (緊急時サポート総合サービス, product.md §4): eligibility and triage.

Available only when the incident is one the insurance can pay for AND it happened in Japan
[published]. Otherwise a reason code is returned (never an exception). Triage puts the incident into
the four response phases of the product page, each with a checklist, and lists the vendor categories to
refer. Phases, checklists, vendors, territory and intake hours are data (``support.toml``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, NamedTuple

from mamori.catalog.support import NOT_PAYABLE, TERRITORY, Phase, SupportTerms

__all__ = ["NOT_PAYABLE", "TERRITORY", "Support", "assess", "reason_text", "triage"]

_NONE: Final[tuple[str, ...]] = ()


class Support(NamedTuple):
    """Whether the service is available, why not, and the triage (built by keyword)."""

    available: bool
    reason: str | None  # first reason code when not available
    reasons: tuple[str, ...]
    phases: tuple[str, ...]  # phase ids, in the product page's order
    vendors: tuple[str, ...]  # vendor category ids
    intake_hours: int  # hours a day incident reports are taken


def triage(
    terms: SupportTerms, accident_types: frozenset[str], affected: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The response phases that apply (in the page's order) and the vendor categories to refer."""
    return _triage(terms.phases, accident_types, affected)


def _triage(
    phases: Sequence[Phase], accident_types: frozenset[str], affected: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    applying = [p for p in phases if p.applies(accident_types, affected)]
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
        return Support(
            available=False,
            reason=reasons[0],
            reasons=reasons,
            phases=_NONE,
            vendors=_NONE,
            intake_hours=terms.intake_hours,
        )
    phases, vendors = triage(terms, accident_types, affected)
    return Support(
        available=True, reason=None, reasons=_NONE, phases=phases, vendors=vendors, intake_hours=terms.intake_hours
    )


def reason_text(terms: SupportTerms, code: str, lang: str) -> str | None:
    """The ja/en text of a support-specific reason code, or None when the code is a coverage exclusion."""
    entry = terms.reasons.get(code)
    if entry is None:
        return None
    return entry[0] if lang == "ja" else entry[1]
