"""Regulatory reporting deadlines tracked by the emergency support service (product.md §4.1).

Japan's APPI (個人情報保護法, 2022): a report to the Personal Information Protection Commission is
required when personal data is involved and any ground (a)–(d) holds; preliminary report (速報) and
final report (確報) dates; GDPR 72 hours; card-brand notice. Computed whether or not insurance pays.
The day counts and the threshold are data (``support.toml`` ``[regulatory]``).
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from mamori import product as product_mod

__all__ = ["GROUNDS", "Regulatory", "RegulatoryTerms", "load_regulatory_terms", "regulatory", "time_left"]

FILE_NAME: Final = "support.toml"
GROUNDS: Final = ("a", "b", "c", "d")


@dataclass(frozen=True, slots=True)
class RegulatoryTerms:
    persons_threshold: int
    preliminary_days: int
    final_days: int
    final_days_improper_purpose: int
    gdpr_hours: int
    tz: dt.tzinfo
    grounds: Mapping[str, tuple[str, str]]  # ground → (ja, en)


@dataclass(frozen=True, slots=True)
class Regulatory:
    ppc_report_required: bool
    grounds: tuple[str, ...]
    preliminary_due: dt.date | None
    final_due: dt.date | None
    gdpr_due: dt.datetime | None
    notify_card_brands: bool
    personal_data_involved: bool
    awareness_date: dt.date


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise product_mod.ProductDataError(path, "(file)", "missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise product_mod.ProductDataError(path, "(syntax)", str(exc)) from None


@functools.cache
def load_regulatory_terms(folder: Path) -> RegulatoryTerms:
    """Load ``[regulatory]`` of ``support.toml`` in a product version folder (cached per folder)."""
    path = folder / FILE_NAME
    node = _read(path).get("regulatory")
    if not isinstance(node, Mapping):
        raise product_mod.ProductDataError(path, "regulatory", "missing")
    if node.get("source") not in ("published", "illustrative"):
        raise product_mod.ProductDataError(path, "regulatory.source", "must be published or illustrative")

    def positive(key: str) -> int:
        v = node.get(key)
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise product_mod.ProductDataError(path, f"regulatory.{key}", f"must be a positive integer, got {v!r}")
        return v

    tz_raw = node.get("timezone")
    try:
        tz = dt.datetime.strptime(str(tz_raw), "%z").tzinfo
    except ValueError:
        tz = None
    if tz is None:
        raise product_mod.ProductDataError(path, "regulatory.timezone", f"must be like +09:00, got {tz_raw!r}")
    grounds_node = node.get("grounds")
    grounds: dict[str, tuple[str, str]] = {}
    for g in GROUNDS:
        entry = grounds_node.get(g) if isinstance(grounds_node, Mapping) else None
        if not isinstance(entry, Mapping) or not all(isinstance(entry.get(k), str) for k in ("ja", "en")):
            raise product_mod.ProductDataError(path, f"regulatory.grounds.{g}", "must be { ja = ..., en = ... }")
        grounds[g] = (str(entry["ja"]), str(entry["en"]))
    return RegulatoryTerms(
        persons_threshold=positive("persons_threshold"),
        preliminary_days=positive("preliminary_days"),
        final_days=positive("final_days"),
        final_days_improper_purpose=positive("final_days_improper_purpose"),
        gdpr_hours=positive("gdpr_hours"),
        tz=tz,
        grounds=MappingProxyType(grounds),
    )


def report_grounds(
    *, special_care: bool, financial: bool, improper_purpose: bool, affected_persons: int, threshold: int
) -> tuple[str, ...]:
    """APPI grounds (a) special care, (b) financial loss, (c) improper purpose, (d) more than 1,000 persons."""
    held = (special_care, financial, improper_purpose, affected_persons > threshold)
    return tuple(g for g, h in zip(GROUNDS, held, strict=True) if h)


def regulatory(
    terms: RegulatoryTerms,
    *,
    discovered_at: dt.datetime,
    affected_persons: int,
    special_care: bool,
    financial: bool,
    improper_purpose: bool,
    eu_residents: bool,
    card_data: bool,
) -> Regulatory:
    """The regulatory block of a claim calculation (interfaces.md §1.3).

    Readings: personal data is involved when ``affected_persons`` > 0 (interfaces.md); grounds are
    listed only then. The awareness date is the Japanese calendar date of ``discovered_at`` (the PPC is
    a Japanese authority), so 23:30 UTC counts as the next JST day. The GDPR deadline keeps the offset
    the document gave ``discovered_at``.
    """
    involved = affected_persons > 0
    grounds = (
        report_grounds(
            special_care=special_care,
            financial=financial,
            improper_purpose=improper_purpose,
            affected_persons=affected_persons,
            threshold=terms.persons_threshold,
        )
        if involved
        else ()
    )
    required = bool(grounds)
    aware = discovered_at.astimezone(terms.tz).date()
    final_days = terms.final_days_improper_purpose if "c" in grounds else terms.final_days
    return Regulatory(
        ppc_report_required=required,
        grounds=grounds,
        preliminary_due=aware + dt.timedelta(days=terms.preliminary_days) if required else None,
        final_due=aware + dt.timedelta(days=final_days) if required else None,
        gdpr_due=discovered_at + dt.timedelta(hours=terms.gdpr_hours) if eu_residents else None,
        notify_card_brands=card_data,
        personal_data_involved=involved,
        awareness_date=aware,
    )


def time_left(due: dt.date | dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> dt.timedelta:
    """Time left to a deadline, shown to the insured; a date deadline runs to the end of that day (JST).

    Negative when overdue. ``now`` must be aware.
    """
    if isinstance(due, dt.datetime):
        return due - now
    end_of_day = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    return end_of_day - now
