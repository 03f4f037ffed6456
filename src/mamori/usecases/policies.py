"""Use cases of policy administration and billing (product.md §5): what the API, the pages and the jobs call
to bind, change, cancel, renew, lapse and expire a policy, decide a referred change, and record a premium
payment. Each asks :mod:`mamori.authority` who may act, the lifecycle tables what the state allows, and
the core (:mod:`mamori.policy.administration`, :mod:`mamori.policy.account`) what the money does; it
returns the decision as values. The web's services only lock the rows, build these records from them,
call, persist what comes back and audit it — no rule of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from mamori import authority
from mamori.authority import Action, Subject, Target
from mamori.catalog import Catalog, ProductVersion
from mamori.errors import FieldError, InvalidInput, Refused
from mamori.money import Yen
from mamori.policy import account, administration, lifecycle, schedule
from mamori.policy.account import Account, Move
from mamori.policy.administration import Terms
from mamori.policy.lifecycle import (
    APPLICATION_TRANSITIONS,
    CHANGE_REQUEST_TRANSITIONS,
    POLICY_TRANSITIONS,
    ApplicationAction,
    ApplicationState,
    ChangeRequestAction,
    ChangeRequestState,
    PolicyAction,
    PolicyState,
)
from mamori.rating import engine, inputs, values
from mamori.rating.eligibility import Reason
from mamori.rating.inputs import Risk
from mamori.usecases.quotes import quote

__all__ = [
    "DECISIONS",
    "ApplicationRecord",
    "Bound",
    "ChangeOutcome",
    "ChangeRequestRecord",
    "PolicyRecord",
    "application_offers",
    "bind",
    "cancel",
    "change",
    "change_request_offers",
    "decide_application",
    "decide_change",
    "end_of_day",
    "offers",
    "record_payment",
    "terms_of",
]

#: The decisions an underwriter makes.
DECISIONS: Final = ("approve", "decline")


# ------------------------------------------------------------------------------------------ records


def terms_of(risk: Risk) -> Terms:
    return Terms(
        liability_limit=risk.liability_limit,
        expense_limit=risk.expense_limit,
        deductible=risk.deductible,
        bi_limit=risk.bi_limit,
        pd_rider=risk.pd_rider,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyRecord:
    """A policy as the use cases see it: state, terms, premium and account, and who it belongs to."""

    number: str
    state: PolicyState
    version: ProductVersion
    payment: str
    start_date: dt.date
    risk: Risk  # the current version's risk
    monthly_premium: Yen
    annual_premium: Yen
    account: Account
    open_incident: bool
    target: Target
    #: The day the current terms took effect (the latest change's effective date; the start at issue).
    terms_from: dt.date | None = None

    @property
    def terms(self) -> Terms:
        return terms_of(self.risk)

    @property
    def premium(self) -> Yen:
        """The installment premium of the payment method (monthly, or the annual premium)."""
        return premium_by_method(self.payment, monthly=self.monthly_premium, annual=self.annual_premium)

    @property
    def standing(self) -> administration.Standing:
        return administration.Standing(
            version=self.version,
            payment=self.payment,
            start_date=self.start_date,
            premium=self.premium,
            account=self.account,
        )


def premium_by_method(payment: str, *, monthly: Yen, annual: Yen) -> Yen:
    """One installment of ``payment``: the monthly premium for ``monthly``, the annual for ``annual`` (the
    one place the premium of a payment method is picked from the stored pair)."""
    return {"monthly": monthly, "annual": annual}[payment]


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationRecord:
    state: ApplicationState
    version: ProductVersion
    payment: str
    start_date: dt.date
    monthly_premium: Yen | None
    annual_premium: Yen | None
    target: Target  # the business applying; ``submitted_by``: who submitted it


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeRequestRecord:
    state: ChangeRequestState
    effective_date: dt.date
    changes: Mapping[str, Any]
    requested_by: int | None


# ------------------------------------------------------------------------------------------ offers


def offers(subject: Subject, policy: PolicyRecord, *, renewal_offered: bool) -> frozenset[str]:
    """What ``subject`` may do with ``policy`` now, by name (``change``, ``cancel``, ``renew``): the pages show
    these buttons and no others; the actions themselves check the same again."""
    out = set()
    for name, step, action in (
        ("change", PolicyAction.CHANGE, Action.CHANGE),
        ("cancel", PolicyAction.CANCEL, Action.CANCEL),
    ):
        if POLICY_TRANSITIONS.can(current=policy.state, action=step) and authority.may(subject, action, policy.target):
            out.add(name)
    if renewal_offered and authority.may(subject, Action.RENEW, policy.target):
        out.add("renew")
    return frozenset(out)


def application_offers(subject: Subject, application: ApplicationRecord) -> frozenset[str]:
    """What ``subject`` may do with an application now: ``decide`` (an underwriter, on a referral that is
    not their own) and ``bind`` (the policyholder or their agent, once approved)."""
    out = set()
    steps = (
        ("decide", ApplicationAction.APPROVE, Action.DECIDE_APPLICATION),
        ("bind", ApplicationAction.BIND, Action.BIND),
    )
    for name, step, action in steps:
        if APPLICATION_TRANSITIONS.can(current=application.state, action=step) and authority.may(
            subject, action, application.target
        ):
            out.add(name)
    return frozenset(out)


def change_request_offers(subject: Subject, request: ChangeRequestRecord, target: Target) -> frozenset[str]:
    """``decide`` when ``subject`` may decide the referred change now."""
    decidable = CHANGE_REQUEST_TRANSITIONS.can(current=request.state, action=ChangeRequestAction.APPROVE)
    allowed = authority.may(subject, Action.DECIDE_CHANGE, replace(target, submitted_by=request.requested_by))
    return frozenset({"decide"}) if decidable and allowed else frozenset()


# ------------------------------------------------------------------------------------------ reading


def _date(field: str, raw: Any) -> dt.date:
    read = values.read_date(raw) if not values.is_null(raw) else values.Failure("E_REQUIRED")
    if isinstance(read, values.Failure):
        raise InvalidInput([FieldError(field, str(read), {"value": raw})])
    return read


def _changes(raw: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [k for k in raw if k not in administration.CHANGEABLE]
    if unknown:
        raise InvalidInput(
            [inputs.unknown_field_error(k, [*administration.CHANGEABLE, "effective_date"]) for k in unknown]
        )
    if not raw:
        raise InvalidInput([FieldError("$", "E_NOTHING_CHANGES", {"allowed": list(administration.CHANGEABLE)})])
    return dict(raw)


def end_of_day(version: ProductVersion, day: dt.date) -> dt.datetime:
    """The last instant of ``day`` where the product is sold (the daily job's "now")."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), version.tz)


# ------------------------------------------------------------------------------------------ changes


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeOutcome:
    """A change: referred to an underwriter (``reasons``), or applied (``changed``) with the new terms."""

    effective_date: dt.date
    risk: Risk  # the new terms' risk
    reasons: tuple[Reason, ...] = ()
    premium: engine.Premium | None = None
    changed: administration.Changed | None = None

    @property
    def referred(self) -> bool:
        return self.changed is None


def _rated(catalog: Catalog, policy: PolicyRecord, changes: Mapping[str, Any]) -> engine.Quote:
    return quote(catalog, {**policy.risk.as_inputs(), **changes}, version=policy.version)


def _reasons(policy: PolicyRecord, rated: engine.Quote) -> tuple[Reason, ...]:
    new = terms_of(rated.risk)
    codes = administration.referral_reasons(
        current=policy.terms,
        new=new,
        rating_reasons=tuple(r.code for r in rated.reasons) if rated.status != "quoted" else (),
        open_incident=policy.open_incident,
    )
    texts = policy.version.rating.reasons
    by_code = {r.code: r for r in rated.reasons}
    return tuple(
        by_code.get(c) or Reason(code=c, kind=texts[c].kind, message_ja=texts[c].ja, message_en=texts[c].en)
        for c in codes
    )


def _apply(policy: PolicyRecord, day: dt.date, premium: engine.Premium, risk: Risk) -> ChangeOutcome:
    changed = administration.change(policy.standing, effective_date=day, new_premium=premium.by_method[policy.payment])
    return ChangeOutcome(effective_date=day, risk=risk, premium=premium, changed=changed)


def change(
    catalog: Catalog,
    *,
    subject: Subject,
    policy: PolicyRecord,
    effective_date: Any,
    changes: Mapping[str, Any],
    today: dt.date,
) -> ChangeOutcome:
    """A mid-term change (異動) asked for on ``today``: rated with the policy's own version and its original
    answers; referred to an underwriter when the new terms are referred or declined, or widen cover while
    an incident is open; otherwise applied with its settlement."""
    authority.require(subject, Action.CHANGE, policy.target)
    POLICY_TRANSITIONS.apply(current=policy.state, action=PolicyAction.CHANGE)
    day = _date("effective_date", effective_date)
    wanted = _changes(changes)
    administration.check_effective_date(
        policy.version, policy.start_date, day, requested_on=today, terms_from=policy.terms_from
    )
    rated = _rated(catalog, policy, wanted)
    administration.check_terms_change(policy.terms, terms_of(rated.risk))
    reasons = _reasons(policy, rated)
    if reasons or rated.premium is None:
        return ChangeOutcome(effective_date=day, risk=rated.risk, reasons=reasons)
    return _apply(policy, day, rated.premium, rated.risk)


def _underwriter_premium(version: ProductVersion, raw: Any) -> engine.Premium | None:
    if values.is_null(raw):
        return None
    minimum = version.rating.payments["monthly"].minimum
    return engine.premium_for_monthly(version, values.read_yen("monthly_premium", raw, minimum=minimum))


def _decision(decision: Any, reason: Any) -> tuple[str, str]:
    errors = []
    if decision not in DECISIONS:
        errors.append(FieldError("decision", "E_CHOICE", {"value": decision, "allowed": list(DECISIONS)}))
    if not isinstance(reason, str) or not reason.strip():
        errors.append(FieldError("reason", "E_REASON_REQUIRED"))
    if errors:
        raise InvalidInput(errors)
    return str(decision), str(reason).strip()


def decide_change(  # noqa: PLR0913 - keyword-only: the request, the policy and the underwriter's answer
    catalog: Catalog,
    *,
    subject: Subject,
    request: ChangeRequestRecord,
    policy: PolicyRecord,
    decision: Any,
    reason: Any,
    monthly_premium: Any = None,
) -> tuple[ChangeRequestState, ChangeOutcome | None]:
    """An underwriter decides a referred change (never one they asked for): approved, it applies on its
    effective date at the rated premium or the one the underwriter sets (required when the new terms have
    no rated price); declined, nothing changes."""
    target = replace(policy.target, submitted_by=request.requested_by)
    authority.require(subject, Action.DECIDE_CHANGE, target)
    verdict, _ = _decision(decision, reason)
    step = ChangeRequestAction.APPROVE if verdict == "approve" else ChangeRequestAction.DECLINE
    state = CHANGE_REQUEST_TRANSITIONS.apply(current=request.state, action=step)
    if step is ChangeRequestAction.DECLINE:
        return state, None
    POLICY_TRANSITIONS.apply(current=policy.state, action=PolicyAction.CHANGE)
    administration.check_effective_date(
        policy.version, policy.start_date, request.effective_date, requested_on=None, terms_from=policy.terms_from
    )
    rated = _rated(catalog, policy, request.changes)
    premium = _underwriter_premium(policy.version, monthly_premium) or rated.premium
    if premium is None:
        raise InvalidInput([FieldError("monthly_premium", "E_REQUIRED", {"minimum": 1})])
    return state, _apply(policy, request.effective_date, premium, rated.risk)


# ------------------------------------------------------------------------------------------ cancellation


def cancel(*, subject: Subject, policy: PolicyRecord, effective_date: Any, today: dt.date) -> administration.Cancelled:
    """Cancellation by the policyholder (or their agent) asked for on ``today``, effective on ``effective_date``."""
    authority.require(subject, Action.CANCEL, policy.target)
    POLICY_TRANSITIONS.apply(current=policy.state, action=PolicyAction.CANCEL)
    day = _date("effective_date", effective_date)
    administration.check_effective_date(
        policy.version, policy.start_date, day, requested_on=today, terms_from=policy.terms_from
    )
    return administration.cancel(policy.standing, effective_date=day)


# ------------------------------------------------------------------------------------------ the daily job


def end(*, policy: PolicyRecord, on_date: dt.date) -> administration.Ended | None:
    """What the daily job does to an in-force policy on ``on_date``: lapse (an installment unpaid past its
    grace end) or expiry (its end instant passed by the end of the day); None when it stays in force."""
    if not POLICY_TRANSITIONS.can(current=policy.state, action=PolicyAction.LAPSE):
        return None
    lapsed = administration.lapse(policy.standing, on_date=on_date)
    if lapsed is not None:
        return lapsed
    return administration.expire(policy.standing, now=end_of_day(policy.version, on_date))


def renewal_offer_due(*, policy: PolicyRecord, on_date: dt.date) -> lifecycle.Renewal | None:
    """The renewal to offer on ``on_date`` (from the offer date until the end), or None."""
    if not lifecycle.renewal_offer_due(version=policy.version, start_date=policy.start_date, on_date=on_date):
        return None
    return lifecycle.renewal(version=policy.version, start_date=policy.start_date, retroactive_date=None)


# ------------------------------------------------------------------------------------------ applications


def decide_application(
    *, subject: Subject, application: ApplicationRecord, decision: Any, reason: Any, monthly_premium: Any
) -> tuple[ApplicationState, engine.Premium | None, str]:
    """An underwriter approves (a referral with the premium they set) or declines an application — never
    one they submitted themselves."""
    authority.require(subject, Action.DECIDE_APPLICATION, application.target)
    errors: list[FieldError] = []
    premium = None
    try:
        verdict, why = _decision(decision, reason)
    except InvalidInput as exc:
        errors.extend(exc.errors)
        verdict, why = str(decision), ""
    if verdict == "approve":
        try:
            premium = _underwriter_premium(application.version, monthly_premium)
        except InvalidInput as exc:
            errors.extend(exc.errors)
        else:
            if premium is None:
                minimum = application.version.rating.payments["monthly"].minimum
                errors.append(FieldError("monthly_premium", "E_REQUIRED", {"minimum": minimum}))
    if errors:
        raise InvalidInput(errors)
    step = ApplicationAction.APPROVE if verdict == "approve" else ApplicationAction.DECLINE
    state = APPLICATION_TRANSITIONS.apply(current=application.state, action=step)
    return state, premium, why


@dataclass(frozen=True, slots=True, kw_only=True)
class Bound:
    state: ApplicationState
    end_date: dt.date
    account: Account


def bind(*, subject: Subject, application: ApplicationRecord, today: dt.date) -> Bound:
    """Bind an approved application (not one starting in the past): the policy's installments, all owed."""
    authority.require(subject, Action.BIND, application.target)
    if not APPLICATION_TRANSITIONS.can(current=application.state, action=ApplicationAction.BIND):
        raise Refused("status", lifecycle.NOT_BINDABLE, status=application.state.value.lower())
    state = APPLICATION_TRANSITIONS.apply(current=application.state, action=ApplicationAction.BIND)
    if application.start_date < today:
        raise InvalidInput(
            [FieldError("start", "E_START_PAST", {"value": application.start_date.isoformat(), "today": today})]
        )
    assert application.monthly_premium is not None and application.annual_premium is not None  # noqa: S101 - approved
    premium = premium_by_method(
        application.payment, monthly=application.monthly_premium, annual=application.annual_premium
    )
    plan = schedule.payment_plan(
        version=application.version, payment=application.payment, start_date=application.start_date, premium=premium
    )
    return Bound(
        state=state,
        end_date=schedule.end_date(application.version, application.start_date),
        account=account.open_account(plan.installments),
    )


# ------------------------------------------------------------------------------------------ payments


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentInput:
    policy_number: str
    amount: Yen
    paid_date: dt.date
    reference: str


#: The longest payment reference a bank file or a person may give.
REFERENCE_MAX: Final = 100


def read_payment(*, policy_number: Any, amount: Any, paid_date: Any, reference: Any) -> PaymentInput:
    """A premium payment's fields, every problem named at once (InvalidInput)."""
    errors: list[FieldError] = []
    number = policy_number.strip() if isinstance(policy_number, str) else ""
    if not number:
        errors.append(FieldError("policy_number", "E_REQUIRED"))
    yen = 0
    try:
        yen = values.read_yen("amount", amount, minimum=1)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    day = values.read_date(paid_date) if not values.is_null(paid_date) else values.Failure("E_REQUIRED")
    if isinstance(day, values.Failure):
        errors.append(FieldError("paid_date", str(day), {"value": paid_date}))
    ref = reference.strip() if isinstance(reference, str) else str(reference or "").strip()
    if not ref or len(ref) > REFERENCE_MAX:
        errors.append(FieldError("reference", "E_REQUIRED" if not ref else "E_TEXT", {"value": reference}))
    if errors or isinstance(day, values.Failure):
        raise InvalidInput(errors)
    return PaymentInput(policy_number=number, amount=yen, paid_date=day, reference=ref)


def check_record_payment(subject: Subject | None) -> None:
    """Who may record a premium payment (the daily bank file of a job runs as no one: None)."""
    if subject is not None:
        authority.require(subject, Action.RECORD_PAYMENT)


def record_payment(*, policy: PolicyRecord, amount: Yen) -> tuple[Account, list[Move]]:
    """A premium payment received for ``policy``: credit, which pays what is owed oldest first; a surplus
    stays as credit, refunded when the policy ends — at once when it has already ended."""
    after, moves = account.receive(policy.account, amount)
    if policy.state is not PolicyState.IN_FORCE:
        after, more = account.close(after)
        moves += more
    return after, moves
