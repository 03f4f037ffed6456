"""Who may do what (interfaces.md §2.1): one table of role × action with its conditions, as data.

Every use case asks :func:`require` before it decides anything; pages and the API show the actions a
user may take from :func:`allowed` (never from rules of their own). A permission is never "the user can
see it": seeing is narrower than nothing and wider than acting — staff see every business of their desk,
yet an underwriter may not apply for a client, and a claims handler may not raise the limits of the
policy whose claim they pay.

A refusal says why, in the API's terms: a role that may never take the action is 403 (``E_FORBIDDEN``);
an object outside what the caller may act on — another business, another agency's client, another team's
claim — is 404, whether or not it exists (:class:`mamori.errors.NotVisible`); a rule about who acts
(never one's own submission, never the requester) is 403 with its own code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from mamori.errors import Denied, NotVisible

__all__ = [
    "AUTHORITY",
    "PUBLIC",
    "Action",
    "Condition",
    "Grant",
    "Role",
    "Subject",
    "Target",
    "allowed",
    "check",
    "may",
    "may_role",
    "require",
    "require_role",
    "role_may",
    "roles_for",
]


class Role(enum.StrEnum):
    """The roles of the application (a user may hold several); the values are the stored group names."""

    POLICYHOLDER = "policyholder"
    AGENT = "agent"
    UNDERWRITER = "underwriter"
    CLAIMS = "claims_handler"
    SUPPORT = "support_desk"
    ADMIN = "administrator"


class Action(enum.StrEnum):
    """What a user may be allowed to do (interfaces.md §2.1, one row each)."""

    QUOTE = "quote"  # public
    ESTIMATE = "estimate"  # public
    APPLY = "application.create"
    BIND = "application.bind"
    CHANGE = "policy.change"
    CANCEL = "policy.cancel"
    RENEW = "policy.renew"  # accept a renewal offer
    DECIDE_APPLICATION = "application.decide"
    DECIDE_CHANGE = "change_request.decide"
    RECORD_PAYMENT = "payment.record"  # a premium payment (by hand or bank file)
    REPORT_INCIDENT = "incident.report"
    WORK_CASE = "case.work"  # phases, checklists, notes, vendors, filings, closing
    HANDLE_CLAIM = "claim.handle"  # open a claim, costs, decision, reserve, request a payment, close
    APPROVE_CLAIM_PAYMENT = "claim_payment.approve"
    CALCULATE_CLAIM = "claim.calculate"  # a claim-calculation document, not a claim (interfaces.md §2: staff)
    BOOKS = "books.read"
    PORTFOLIO = "portfolio.run"
    AUDIT = "audit.read"
    VENDORS = "vendor.manage"


class Condition(enum.StrEnum):
    """A condition of a grant, on the subject and the target of an action."""

    OWN_BUSINESS = "own_business"  # the target is the caller's own business
    AGENCY_CLIENT = "agency_client"  # the target is a client of the caller's agency
    OWN_TEAM = "own_team"  # the target belongs to the caller's team (or to no team)
    NOT_OWN_SUBMISSION = "not_own_submission"  # the caller did not submit the target
    NOT_REQUESTER = "not_requester"  # the caller did not request the target


#: Conditions that narrow what a caller may act on: failing one is a 404 (the object is not theirs).
SCOPES: Final = frozenset({Condition.OWN_BUSINESS, Condition.AGENCY_CLIENT, Condition.OWN_TEAM})
#: The code of each rule about who acts, when it fails (a 403).
RULE_CODES: Final[Mapping[Condition, str]] = MappingProxyType(
    {Condition.NOT_OWN_SUBMISSION: "E_OWN_SUBMISSION", Condition.NOT_REQUESTER: "E_FOUR_EYES"}
)


@dataclass(frozen=True, slots=True)
class Grant:
    """``role`` may take ``action`` when every condition holds."""

    role: Role
    action: Action
    conditions: tuple[Condition, ...] = ()


_R, _A, _C = Role, Action, Condition
#: Actions anyone may take, signed in or not.
PUBLIC: Final = frozenset({_A.QUOTE, _A.ESTIMATE})

#: The table of interfaces.md §2.1. Anything not granted here is refused.
AUTHORITY: Final[tuple[Grant, ...]] = (
    # the policyholder's and the agent's side: their own business, their agency's clients
    *(
        grant
        for action in (_A.APPLY, _A.BIND, _A.CHANGE, _A.CANCEL, _A.RENEW)
        for grant in (
            Grant(_R.POLICYHOLDER, action, (_C.OWN_BUSINESS,)),
            Grant(_R.AGENT, action, (_C.AGENCY_CLIENT,)),
        )
    ),
    # underwriting: never a submission of one's own
    Grant(_R.UNDERWRITER, _A.DECIDE_APPLICATION, (_C.NOT_OWN_SUBMISSION,)),
    Grant(_R.UNDERWRITER, _A.DECIDE_CHANGE, (_C.NOT_OWN_SUBMISSION,)),
    # billing
    Grant(_R.ADMIN, _A.RECORD_PAYMENT),
    # incidents: the policyholder, their agent, the support desk (24-hour intake by telephone)
    Grant(_R.POLICYHOLDER, _A.REPORT_INCIDENT, (_C.OWN_BUSINESS,)),
    Grant(_R.AGENT, _A.REPORT_INCIDENT, (_C.AGENCY_CLIENT,)),
    Grant(_R.SUPPORT, _A.REPORT_INCIDENT),
    Grant(_R.SUPPORT, _A.WORK_CASE, (_C.OWN_TEAM,)),
    # claims: the team's claims; a payment beyond the requester's authority needs a second claims user
    Grant(_R.CLAIMS, _A.HANDLE_CLAIM, (_C.OWN_TEAM,)),
    Grant(_R.CLAIMS, _A.APPROVE_CLAIM_PAYMENT, (_C.OWN_TEAM, _C.NOT_REQUESTER)),
    # a claim-calculation document, as the CLI calculates it (no claim, no money): staff roles
    *(Grant(role, _A.CALCULATE_CLAIM) for role in (_R.UNDERWRITER, _R.CLAIMS, _R.SUPPORT, _R.ADMIN)),
    # the insurer's administration
    Grant(_R.ADMIN, _A.BOOKS),
    Grant(_R.ADMIN, _A.PORTFOLIO),
    Grant(_R.ADMIN, _A.AUDIT),
    Grant(_R.ADMIN, _A.VENDORS),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """Who acts: a user id (None when anonymous), their roles, their business, agency and team."""

    user_id: int | None = None
    roles: frozenset[Role] = frozenset()
    business_id: int | None = None
    agency_id: int | None = None
    team: str = ""

    @property
    def anonymous(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """What is acted on, as far as authority cares: whose business (and its agency), which team's, who
    submitted it and who requested it. A fact that does not apply is None."""

    business_id: int | None = None
    agency_id: int | None = None
    team: str | None = None
    submitted_by: int | None = None
    requested_by: int | None = None


#: An action with no object (opening the underwriting queue, the books, a new application's form).
NOTHING: Final = Target()


def _holds(condition: Condition, subject: Subject, target: Target) -> bool:
    if condition is Condition.OWN_BUSINESS:
        return subject.business_id is not None and target.business_id == subject.business_id
    if condition is Condition.AGENCY_CLIENT:
        return subject.agency_id is not None and target.agency_id == subject.agency_id
    if condition is Condition.OWN_TEAM:
        return target.team is None or target.team in ("", subject.team)
    if condition is Condition.NOT_OWN_SUBMISSION:
        return target.submitted_by is None or target.submitted_by != subject.user_id
    return target.requested_by is None or target.requested_by != subject.user_id  # NOT_REQUESTER


def _grants(action: Action, roles: Iterable[Role]) -> tuple[Grant, ...]:
    held = frozenset(roles)
    return tuple(g for g in AUTHORITY if g.action is action and g.role in held)


def check(subject: Subject, action: Action, target: Target = NOTHING) -> Denied | NotVisible | None:
    """None when ``subject`` may take ``action`` on ``target``; otherwise the refusal (not raised).

    Any one grant of the subject's roles whose conditions all hold allows it. With none: a failed scope
    (another business, agency or team) means the object is not theirs (404); a failed rule about who
    acts is a 403 with the rule's code; no grant at all is a 403 ``E_FORBIDDEN``.
    """
    if action in PUBLIC:
        return None
    grants = _grants(action, subject.roles) if not subject.anonymous else ()
    if not grants:
        return Denied("E_FORBIDDEN", action=action.value)
    failures = [[c for c in g.conditions if not _holds(c, subject, target)] for g in grants]
    if any(not failed for failed in failures):
        return None
    # The refusal of the grant that came closest: a rule about who acts is told before a scope.
    rules = [c for failed in failures for c in failed if c not in SCOPES]
    if rules and any(all(c not in SCOPES for c in failed) for failed in failures):
        return Denied(RULE_CODES[rules[0]], action=action.value)
    return NotVisible()


def may(subject: Subject, action: Action, target: Target = NOTHING) -> bool:
    return check(subject, action, target) is None


def require(subject: Subject, action: Action, target: Target = NOTHING) -> None:
    """Raise the refusal of :func:`check` (:class:`~mamori.errors.Denied` 403 or ``NotVisible`` 404)."""
    refusal = check(subject, action, target)
    if refusal is not None:
        raise refusal


def allowed(subject: Subject, target: Target, actions: Iterable[Action]) -> frozenset[Action]:
    """The actions of ``actions`` that ``subject`` may take on ``target`` (what a page may offer)."""
    return frozenset(a for a in actions if may(subject, a, target))


def role_may(role: Role, action: Action) -> bool:
    """Whether ``role`` has any grant for ``action`` (a navigation link: the role may use that page)."""
    return action in PUBLIC or any(g.role is role and g.action is action for g in AUTHORITY)


def roles_for(action: Action) -> frozenset[Role]:
    """The roles with a grant for ``action`` (every role for a public one)."""
    if action in PUBLIC:
        return frozenset(Role)
    return frozenset(g.role for g in AUTHORITY if g.action is action)


def may_role(subject: Subject, action: Action) -> bool:
    """Whether any of the subject's roles may ever take ``action`` (a menu entry, a page that serves it)."""
    return bool(subject.roles & roles_for(action))


def require_role(subject: Subject, action: Action) -> None:
    """:class:`~mamori.errors.Denied` (403) when none of the subject's roles may ever take ``action`` — the
    check a form makes before it knows the object (a new application)."""
    if not may_role(subject, action):
        raise Denied("E_FORBIDDEN", action=action.value)
