"""Lifecycles of incidents and of the support desk's cases, as transition tables; whether an incident is open.

An incident is reported (a draft while its form is being typed, saved as typed), then submitted: the
support desk's case opens with it. The case is worked through the response phases until it is closed.
An incident is *open* — it counts against widening the cover of its policy (product.md §5) — until its
case is closed and every claim on it is closed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final

from mamori import transitions
from mamori.transitions import TransitionTable

__all__ = [
    "CASE_TRANSITIONS",
    "INCIDENT_TRANSITIONS",
    "CaseAction",
    "CaseState",
    "IncidentAction",
    "IncidentState",
    "incident_is_open",
]


class IncidentState(enum.StrEnum):
    DRAFT = "DRAFT"  # being typed; kept as typed, never validated
    SUBMITTED = "SUBMITTED"  # reported: validated by the core, the case opened


class IncidentAction(enum.StrEnum):
    SAVE_DRAFT = "SAVE_DRAFT"
    SUBMIT = "SUBMIT"
    ATTACH = "ATTACH"  # a file added (to a draft or a reported incident)


class CaseState(enum.StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class CaseAction(enum.StrEnum):
    WORK = "WORK"  # phase, checklist, note, vendor referral, a report recorded as filed
    CLOSE = "CLOSE"


_I, _IA = IncidentState, IncidentAction
INCIDENT_TRANSITIONS: Final[TransitionTable[IncidentState, IncidentAction]] = transitions.table(
    "incident",
    (_I.DRAFT, _IA.SAVE_DRAFT, _I.DRAFT),
    (_I.DRAFT, _IA.SUBMIT, _I.SUBMITTED),
    (_I.DRAFT, _IA.ATTACH, _I.DRAFT),
    (_I.SUBMITTED, _IA.ATTACH, _I.SUBMITTED),
    refusals={_I.SUBMITTED: "E_INCIDENT_SUBMITTED"},
)

_C, _CA = CaseState, CaseAction
CASE_TRANSITIONS: Final[TransitionTable[CaseState, CaseAction]] = transitions.table(
    "case",
    (_C.OPEN, _CA.WORK, _C.OPEN),
    (_C.OPEN, _CA.CLOSE, _C.CLOSED),
    refusals={_C.CLOSED: "E_CASE_CLOSED"},
)


def incident_is_open(*, incident: str, case: str | None, claims: Iterable[str]) -> bool:
    """Whether an incident is open: a draft, or reported with its case open or a claim not closed.

    ``incident`` is an :class:`IncidentState`, ``case`` a :class:`CaseState` (None before it opens) and
    ``claims`` the states of the claims on it (``mamori.claims.lifecycle.ClaimState`` values).
    """
    if IncidentState(incident) is IncidentState.DRAFT:
        return True
    return (case is not None and CaseState(case) is CaseState.OPEN) or any(c != "CLOSED" for c in claims)
