"""Regulatory reporting deadlines tracked by the emergency support service (product.md §4.1).

Japan's APPI (個人情報保護法, 2022): a report to the Personal Information Protection Commission is
required when personal data is involved and any ground (a)–(d) holds; preliminary report (速報) and
final report (確報) dates; GDPR 72 hours; card-brand notice. Computed whether or not insurance pays.
The day counts and the threshold are data (``support.toml`` ``[regulatory]``); awareness dates are
calendar dates in the product's time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple, Protocol

from mamori.catalog.support import GROUNDS, RegulatoryTerms

__all__ = ["GROUNDS", "PersonalData", "Regulatory", "regulatory", "reminder_stage", "report_grounds", "time_left"]


class PersonalData(Protocol):
    """What the personal data involved is (the claim document's ``incident.personal_data``)."""

    @property
    def special_care(self) -> bool: ...
    @property
    def financial(self) -> bool: ...
    @property
    def improper_purpose(self) -> bool: ...
    @property
    def eu_residents(self) -> bool: ...
    @property
    def card_data(self) -> bool: ...


class Regulatory(NamedTuple):
    """The regulatory block of a claim calculation (built by keyword)."""

    ppc_report_required: bool
    grounds: tuple[str, ...]
    preliminary_due: dt.date | None
    final_due: dt.date | None
    gdpr_due: dt.datetime | None
    notify_card_brands: bool
    personal_data_involved: bool
    awareness_date: dt.date


def report_grounds(
    *, special_care: bool, financial: bool, improper_purpose: bool, affected_persons: int, threshold: int
) -> tuple[str, ...]:
    """APPI grounds (a) special care, (b) financial loss, (c) improper purpose, (d) more than 1,000 persons."""
    held = (special_care, financial, improper_purpose, affected_persons > threshold)
    return tuple(g for g, h in zip(GROUNDS, held, strict=True) if h)


def regulatory(
    terms: RegulatoryTerms,
    *,
    tz: dt.tzinfo,
    discovered_at: dt.datetime,
    affected_persons: int,
    data: PersonalData,
) -> Regulatory:
    """The regulatory block of a claim calculation (interfaces.md §1.3).

    Readings: personal data is involved when ``affected_persons`` > 0 (interfaces.md); grounds are
    listed only then. The awareness date is the calendar date of ``discovered_at`` in the product's time
    zone ``tz`` (the PPC is a Japanese authority), so 23:30 UTC counts as the next JST day. The GDPR
    deadline keeps the offset the document gave ``discovered_at``.
    """
    involved = affected_persons > 0
    grounds = (
        report_grounds(
            special_care=data.special_care,
            financial=data.financial,
            improper_purpose=data.improper_purpose,
            affected_persons=affected_persons,
            threshold=terms.persons_threshold,
        )
        if involved
        else ()
    )
    required = bool(grounds)
    aware = discovered_at.astimezone(tz).date()
    final_days = terms.final_days_improper_purpose if "c" in grounds else terms.final_days
    return Regulatory(
        ppc_report_required=required,
        grounds=grounds,
        preliminary_due=aware + dt.timedelta(days=terms.preliminary_days) if required else None,
        final_due=aware + dt.timedelta(days=final_days) if required else None,
        gdpr_due=discovered_at + dt.timedelta(hours=terms.gdpr_hours) if data.eu_residents else None,
        notify_card_brands=data.card_data,
        personal_data_involved=involved,
        awareness_date=aware,
    )


def time_left(due: dt.date | dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> dt.timedelta:
    """Time left to a deadline, shown to the insured; a date deadline runs to the end of that day in ``tz``.

    Negative when overdue. ``now`` must be aware.
    """
    if isinstance(due, dt.datetime):
        return due - now
    end_of_day = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    return end_of_day - now


def reminder_stage(left: dt.timedelta, terms: RegulatoryTerms) -> str | None:
    """Which reminder a deadline with ``left`` to go calls for: ``overdue`` once passed, ``approaching``
    within the product's warning hours, else None (no reminder yet)."""
    if left.total_seconds() < 0:
        return "overdue"
    return "approaching" if left <= dt.timedelta(hours=terms.warning_hours) else None
