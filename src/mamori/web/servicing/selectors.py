"""Reading policies for servicing: a policy as the use cases see it (:class:`PolicyRecord`), whether an
incident of it is open, what a user may do with it, the policy as the API answers (with its credit and
refunds), and the referred changes waiting for an underwriter."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from mamori import authority
from mamori.authority import Action
from mamori.policy.lifecycle import ChangeRequestState, PolicyState
from mamori.support.lifecycle import incident_is_open
from mamori.usecases import policies as policy_usecases
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.billing import selectors as billing
from mamori.web.billing.models import Refund
from mamori.web.claimsdesk.models import Claim
from mamori.web.incidents.models import Incident
from mamori.web.policies import selectors as policies
from mamori.web.policies.models import ChangeRequest, Policy


def open_incident(policy: Policy) -> bool:
    """Whether the policy has an incident that is not closed (its case open, or a claim on it not closed)."""
    claims_by_incident: dict[Any, list[str]] = {}
    for incident_id, status in Claim.objects.filter(policy=policy).values_list("incident_id", "status"):
        claims_by_incident.setdefault(incident_id, []).append(status)
    for incident_id, status, case in Incident.objects.filter(policy=policy).values_list("pk", "status", "case__status"):
        if incident_is_open(incident=status, case=case, claims=claims_by_incident.get(incident_id, ())):
            return True
    return False


def policy_record(policy: Policy) -> policy_usecases.PolicyRecord:
    """``policy`` as the use cases see it (read inside the caller's transaction, rows locked by it)."""
    v = policies.current_version(policy)
    return policy_usecases.PolicyRecord(
        number=policy.number,
        state=PolicyState(policy.status),
        version=policies.version_of(policy),
        payment=policy.payment,
        start_date=policy.start_date,
        risk=v.risk,
        monthly_premium=v.monthly_premium_yen,
        annual_premium=v.annual_premium_yen,
        account=billing.account_of(policy),
        open_incident=open_incident(policy),
        target=accounts.business_target(policy.business),
        terms_from=v.effective_date,
    )


def offers(user: User | None, policy: Policy) -> frozenset[str]:
    """What ``user`` may do with ``policy`` now (``change``, ``cancel``, ``renew``): the page's buttons."""
    offered = hasattr(policy, "renewal_offer") and not hasattr(policy, "renewal_application")
    return policy_usecases.offers(accounts.subject_of(user), policy_record(policy), renewal_offered=offered)


def policy_json(policy: Policy) -> dict[str, Any]:
    """A policy as ``GET /api/v1/policies/{number}`` answers (interfaces.md §2), with its credit and refunds."""
    v = policies.current_version(policy)
    acc = billing.account_of(policy)
    return {
        "number": policy.number,
        "status": policy.status.lower(),
        "version": v.number,
        "start_date": policy.start_date.isoformat(),
        "end_date": policy.end_date.isoformat(),
        "start_at": policy.start_at.isoformat(),
        "end_at": policy.end_at.isoformat(),
        "ended_at": policy.ended_at.isoformat() if policy.ended_at else None,
        "retroactive_date": policy.retroactive_date.isoformat(),
        "payment": policy.payment,
        "monthly_premium": v.monthly_premium_yen,
        "annual_premium": v.annual_premium_yen,
        "liability_limit": v.liability_limit_yen,
        "expense_limit": v.expense_limit_yen,
        "deductible": v.deductible_yen,
        "bi_limit": v.bi_limit_yen,
        "pd_rider": v.pd_rider,
        "business": {"id": policy.business_id, "name": policy.business.name, "entity": policy.business.entity},
        "product": policy.product_version.product_id,
        "product_version": policy.product_version.version,
        "product_hash": policy.product_version.content_hash,
        "installments": billing.installment_json(policy),
        "received": acc.received,
        "credit": acc.credit,
        "refunds": acc.refunded,
        "owed": acc.owed,
    }


def refunds_of(policy: Policy) -> QuerySet[Refund]:
    return Refund.objects.filter(policy=policy).order_by("created_at", "id")


# ------------------------------------------------------------------------------------------ change requests


def change_requests_pending(user: User | None) -> QuerySet[ChangeRequest]:
    """The referred changes waiting for an underwriter (the underwriting queue)."""
    if not accounts.subject_of(user).roles & authority.roles_for(Action.DECIDE_CHANGE):
        return ChangeRequest.objects.none()
    return ChangeRequest.objects.filter(status=ChangeRequestState.PENDING).select_related("policy__business")


def change_request_get(*, user: User | None, request_id: Any) -> ChangeRequest | None:
    """A change request the user may see: of a policy they may see."""
    if not str(request_id).isdigit():
        return None
    return (
        ChangeRequest.objects.filter(pk=int(request_id), policy__in=policies.policies_visible(user))
        .select_related("policy__business")
        .first()
    )


def change_request_record(request: ChangeRequest) -> policy_usecases.ChangeRequestRecord:
    return policy_usecases.ChangeRequestRecord(
        state=ChangeRequestState(request.status),
        effective_date=request.effective_date,
        changes=dict(request.changes),
        requested_by=request.requested_by_id,
    )


def change_request_json(request: ChangeRequest, lang: str = "ja") -> dict[str, Any]:
    return {
        "id": request.pk,
        "status": request.status.lower(),
        "policy_number": request.policy.number,
        "effective_date": request.effective_date.isoformat(),
        "changes": dict(request.changes),
        "reasons": [
            {"code": r["code"], "message": r.get(f"message_{lang}") or r.get("message")} for r in request.reasons
        ],
        "decision_reason": request.decision_reason or None,
        "version": request.applied_version.number if request.applied_version_id else None,
        "created_at": request.created_at.isoformat(),
    }


def change_request_offers(user: User | None, request: ChangeRequest) -> frozenset[str]:
    """``decide`` when the user may decide this referred change now (an underwriter, not its requester)."""
    return policy_usecases.change_request_offers(
        accounts.subject_of(user),
        change_request_record(request),
        accounts.business_target(request.policy.business),
    )


def terms_compared(request: ChangeRequest) -> list[tuple[str, Any, Any]]:
    """(term, now, asked for) of each term the referred change changes."""
    current = policies.current_version(request.policy).risk
    return [(name, getattr(current, name), value) for name, value in request.changes.items()]


def change_preview(
    *, user: User, number: str, effective_date: Any, changes: dict[str, Any], lang: str = "ja"
) -> dict[str, Any]:
    """What a mid-term change would do, computed by the core exactly as the change itself and saving nothing:
    the new monthly premium, the difference, or the referral to an underwriter with its reasons (issue 15).
    Raises what the change raises (InvalidInput E_NOTHING_CHANGES for a no-op, Forbidden, NotFound)."""
    from mamori.web.errors import NotFound
    from mamori.web.productdb import selectors as productdb

    policy = policies.policies_visible(user).filter(number=str(number)[:32]).first()
    if policy is None:
        raise NotFound
    record = policy_record(policy)
    catalog = productdb.catalog()
    outcome = policy_usecases.change(
        catalog,
        subject=accounts.subject_of(user),
        policy=record,
        effective_date=effective_date,
        changes=changes,
        today=catalog.latest().today(),
    )
    current = policy.versions.order_by("-number").first()
    before = current.monthly_premium_yen if current is not None else None
    after = outcome.premium.by_method["monthly"] if outcome.premium is not None else None
    return {
        "referred": outcome.referred,
        "reasons": [r.message(lang) for r in outcome.reasons],
        "effective_date": outcome.effective_date,
        "monthly_before": before,
        "monthly_after": after,
        "monthly_difference": after - before if after is not None and before is not None else None,
        "settlement": outcome.changed.change.premium_difference if outcome.changed is not None else None,
        "months_left": outcome.changed.change.months_left if outcome.changed is not None else None,
    }
