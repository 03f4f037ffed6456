"""Lifecycles of policies and applications as data, lapse, expiry and renewal (product.md §5).

Allowed transitions live in one table per lifecycle (the django-oscar order-status pipeline): an action
the table does not allow from the current state raises :class:`~mamori.policy.errors.IllegalTransition`
carrying the state, the target and the action, and nothing changes (states are values; a new state is
returned only when the move is allowed). The lapse, expiry and renewal rules are pure functions of the
installments, dates and the product version's ``[policy]`` data.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final

from mamori import calendar, transitions
from mamori.catalog import ProductVersion
from mamori.policy import schedule
from mamori.policy.errors import NaiveDateTime
from mamori.policy.schedule import Installment, InstallmentStatus
from mamori.transitions import Transition, TransitionTable

__all__ = [
    "APPLICATION_STATE_OF_DECISION",
    "APPLICATION_TRANSITIONS",
    "CHANGE_REQUEST_TRANSITIONS",
    "POLICY_TRANSITIONS",
    "ApplicationAction",
    "ApplicationState",
    "ChangeRequestAction",
    "ChangeRequestState",
    "Lapse",
    "PolicyAction",
    "PolicyState",
    "Renewal",
    "Transition",
    "TransitionTable",
    "expires_at",
    "grace_end_date",
    "has_expired",
    "lapse",
    "renewal",
    "renewal_offer_due",
]


class PolicyState(enum.StrEnum):
    """Stored choices; the API shows them in lower case (``in_force`` …)."""

    IN_FORCE = "IN_FORCE"
    CANCELLED = "CANCELLED"
    LAPSED = "LAPSED"
    EXPIRED = "EXPIRED"


class PolicyAction(enum.StrEnum):
    CHANGE = "CHANGE"  # 異動: a new version of the policy, still in force
    CANCEL = "CANCEL"  # 解約 by the policyholder
    LAPSE = "LAPSE"  # 失効: an installment unpaid past its grace
    EXPIRE = "EXPIRE"  # 満期: the end instant has passed


class ApplicationState(enum.StrEnum):
    REFERRED = "REFERRED"  # 要審査: waits for an underwriter
    APPROVED = "APPROVED"  # may be bound
    DECLINED = "DECLINED"  # お引き受け不可
    BOUND = "BOUND"  # a policy was issued from it


class ApplicationAction(enum.StrEnum):
    APPROVE = "APPROVE"  # underwriter
    DECLINE = "DECLINE"  # underwriter
    BIND = "BIND"  # agent or policyholder


class ChangeRequestState(enum.StrEnum):
    """A mid-term change referred to an underwriter (product.md §5)."""

    PENDING = "PENDING"  # 審査待ち
    APPROVED = "APPROVED"  # applied on its effective date
    DECLINED = "DECLINED"


class ChangeRequestAction(enum.StrEnum):
    APPROVE = "APPROVE"  # underwriter
    DECLINE = "DECLINE"  # underwriter


_P, _PA = PolicyState, PolicyAction
POLICY_TRANSITIONS: Final[TransitionTable[PolicyState, PolicyAction]] = transitions.table(
    "policy",
    (_P.IN_FORCE, _PA.CHANGE, _P.IN_FORCE),
    (_P.IN_FORCE, _PA.CANCEL, _P.CANCELLED),
    (_P.IN_FORCE, _PA.LAPSE, _P.LAPSED),
    (_P.IN_FORCE, _PA.EXPIRE, _P.EXPIRED),
    refusals=dict.fromkeys((_P.CANCELLED, _P.LAPSED, _P.EXPIRED), "E_POLICY_NOT_IN_FORCE"),
)

_AS, _AA = ApplicationState, ApplicationAction
APPLICATION_TRANSITIONS: Final[TransitionTable[ApplicationState, ApplicationAction]] = transitions.table(
    "application",
    (_AS.REFERRED, _AA.APPROVE, _AS.APPROVED),
    (_AS.REFERRED, _AA.DECLINE, _AS.DECLINED),
    (_AS.APPROVED, _AA.BIND, _AS.BOUND),
)

#: Refusals of a bind, told as "this application cannot be bound" (the other moves keep the general one).
NOT_BINDABLE: Final = "E_NOT_BINDABLE"

_CS, _CA = ChangeRequestState, ChangeRequestAction
CHANGE_REQUEST_TRANSITIONS: Final[TransitionTable[ChangeRequestState, ChangeRequestAction]] = transitions.table(
    "change_request",
    (_CS.PENDING, _CA.APPROVE, _CS.APPROVED),
    (_CS.PENDING, _CA.DECLINE, _CS.DECLINED),
)

#: The state an application opens in, from the quote's decision (``mamori.rating`` ``Decision``).
APPLICATION_STATE_OF_DECISION: Final[Mapping[str, ApplicationState]] = MappingProxyType(
    {"quoted": _AS.APPROVED, "referred": _AS.REFERRED, "declined": _AS.DECLINED}
)


# ------------------------------------------------------------------------------------------- lapse


@dataclass(frozen=True, slots=True, kw_only=True)
class Lapse:
    """The policy lapses from ``due_date`` of installment ``installment_number``, unpaid by ``grace_end_date``."""

    installment_number: int
    due_date: dt.date
    grace_end_date: dt.date
    lapsed_at: dt.datetime  # cover ends at the start time on the due date
    cancelled: tuple[int, ...]  # the later installments cancelled (what was paid on them returns: the account)
    installments: tuple[Installment, ...]  # after the lapse


def grace_end_date(version: ProductVersion, due_date: dt.date) -> dt.date:
    """The last day an installment due on ``due_date`` may be paid: the end of the month the product names."""
    first_of_month = due_date.replace(day=1)
    return calendar.add_months(first_of_month, version.policy.lapse_grace_months + 1) - dt.timedelta(days=1)


def lapse(*, version: ProductVersion, installments: tuple[Installment, ...], on_date: dt.date) -> Lapse | None:
    """Whether the policy has lapsed by ``on_date``: the first installment still due after its grace end.

    An installment is unpaid "by" its grace end when it is still due on the day after; the policy then
    lapses from its due date and every later installment is cancelled (what was paid on one returns to the
    policy's credit: :func:`mamori.policy.account.cancel_from`).
    """
    overdue = [
        i for i in installments if i.status is InstallmentStatus.DUE and grace_end_date(version, i.due_date) < on_date
    ]
    if not overdue:
        return None
    first = min(overdue, key=lambda i: i.number)
    later = {i.number for i in installments if i.number > first.number and i.status is not InstallmentStatus.CANCELLED}
    after = tuple(replace(i, status=InstallmentStatus.CANCELLED) if i.number in later else i for i in installments)
    return Lapse(
        installment_number=first.number,
        due_date=first.due_date,
        grace_end_date=grace_end_date(version, first.due_date),
        lapsed_at=calendar.at_time(first.due_date, version.term.start_time, version.tz),
        cancelled=tuple(sorted(later)),
        installments=after,
    )


# ----------------------------------------------------------------------------------------- expiry


def expires_at(version: ProductVersion, start_date: dt.date) -> dt.datetime:
    """The end instant: the start time on the same calendar date ``term.months`` later."""
    schedule.end_date(version, start_date)  # a start date the calendar accepts
    return version.term_end_at(start_date)


def has_expired(*, version: ProductVersion, start_date: dt.date, now: dt.datetime) -> bool:
    """Whether the end instant has been reached at ``now`` (an aware date-time)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise NaiveDateTime(field="now", value=now)
    return now >= expires_at(version, start_date)


# ---------------------------------------------------------------------------------------- renewal


@dataclass(frozen=True, slots=True, kw_only=True)
class Renewal:
    """The renewal of a policy: offered on ``offer_date``, starting where the policy ends.

    It is re-rated with the product version in force at ``start_date`` (the catalogue's choice, not
    this module's); the retroactive date carries over.
    """

    offer_date: dt.date
    start_date: dt.date
    retroactive_date: dt.date


def renewal(*, version: ProductVersion, start_date: dt.date, retroactive_date: dt.date | None) -> Renewal:
    """The renewal of the policy that started on ``start_date`` (its version gives the offer lead time).

    A policy without a retroactive date is covered from its start date; the renewal carries that date
    explicitly, so that continuity is not lost at the renewal start.
    """
    end = schedule.end_date(version, start_date)
    return Renewal(
        offer_date=end - dt.timedelta(days=version.policy.renewal_offer_days),
        start_date=end,
        retroactive_date=start_date if retroactive_date is None else retroactive_date,
    )


def renewal_offer_due(*, version: ProductVersion, start_date: dt.date, on_date: dt.date) -> bool:
    """Whether the renewal offer is due on ``on_date``: from the offer date until the end date."""
    offer = renewal(version=version, start_date=start_date, retroactive_date=None)
    return offer.offer_date <= on_date < offer.start_date
