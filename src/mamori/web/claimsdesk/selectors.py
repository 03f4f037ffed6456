"""Reading claims: claims staff see the claims of their team (administrators all); a policyholder or an
agent the claims of their businesses, with the worksheet in their language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from mamori import i18n, usecases
from mamori.claims import answer as answer_mod
from mamori.claims import ledger
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.claimsdesk.models import Calculation, Claim, ClaimPayment, LedgerEntry
from mamori.web.incidents import documents
from mamori.web.incidents.selectors import _team
from mamori.web.policies import selectors as policy_selectors


def claims_for_staff(user: User | None) -> QuerySet[Claim]:
    claims = Claim.objects.select_related("policy", "incident", "incident__business")
    if accounts.has_role(user, roles.ADMINISTRATOR):
        return claims
    if accounts.has_role(user, roles.CLAIMS_HANDLER):
        return claims.filter(team=_team(user))
    return claims.none()


def claims_queue(user: User | None, *, status: str = "", search: str = "") -> QuerySet[Claim]:
    """The claims of the user's team, newest first (``status``: OPEN, DECIDED or CLOSED; ``search``: a
    policy number or part of the business's name)."""
    claims = claims_for_staff(user)
    if status.upper() in Claim.Status.values:
        claims = claims.filter(status=status.upper())
    search = search.strip()[:100]
    if search:
        claims = claims.filter(Q(policy__number__iexact=search) | Q(incident__business__name__icontains=search))
    return claims.defer("bi", "incident__draft").order_by("-created_at", "pk")


def claims_visible(user: User | None) -> QuerySet[Claim]:
    if user is None or not user.is_authenticated:
        return Claim.objects.none()
    staff = claims_for_staff(user)
    mine = (
        Q(incident__business__in=accounts.visible_businesses(user))
        if accounts.has_role(user, roles.POLICYHOLDER, roles.AGENT)
        else Q(pk=None)
    )
    return Claim.objects.select_related("policy", "incident").filter(Q(pk__in=staff.values("pk")) | mine)


def claim_get(*, user: User | None, claim_id: Any) -> Claim | None:
    try:
        return claims_visible(user).filter(pk=claim_id).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id is simply not found
        return None


def _paid(entries: Any) -> ledger.Paid:
    return ledger.total(
        ledger.Paid(expense=e.expense_yen, liability=e.liability_yen, bi=e.bi_yen, sublimits=dict(e.sublimits))
        for e in entries
    )


def paid_on_claim(claim: Claim) -> ledger.Paid:
    """What the claims ledger holds for ``claim``, by section and sublimited item."""
    return _paid(LedgerEntry.objects.filter(claim=claim))


def prior_for(claim: Claim) -> ledger.Paid:
    """What the other claims of the policy year were paid (the policy is one year: its term)."""
    return _paid(LedgerEntry.objects.filter(policy=claim.policy).exclude(claim=claim))


def latest_calculation(claim: Claim) -> Calculation | None:
    return claim.calculations.order_by("-calculated_at", "-id").first()


def answer_in(claim: Claim, lang: i18n.Lang) -> dict[str, Any] | None:
    """The latest calculation's answer in the reader's language (recalculated from its stored document)."""
    calculation = latest_calculation(claim)
    if calculation is None:
        return None
    if lang == "ja":
        return calculation.answer
    result = usecases.calculate_claim(
        documents.catalog(), calculation.document, version=policy_selectors.version_of(claim.policy)
    )
    return answer_mod.to_json_dict(result, lang)


def claim_json(claim: Claim, lang: i18n.Lang, *, staff: bool) -> dict[str, Any]:
    paid = paid_on_claim(claim)
    doc: dict[str, Any] = {
        "id": str(claim.pk),
        "incident_id": str(claim.incident_id),
        "policy_number": claim.policy.number,
        "status": claim.status.lower(),
        "decision": claim.decision.lower() or None,
        "decision_notes": claim.decision_notes or None,
        "paid": paid.amount,
        "payments": [
            {
                "id": p.pk,
                "amount": p.amount_yen,
                "status": p.status.lower(),
                "requested_at": p.requested_at.isoformat(),
                "correction_of": p.correction_of_id,
            }
            for p in claim.payments.order_by("requested_at", "id")
        ],
        "calculation": answer_in(claim, lang),
    }
    if staff:
        doc["reserve"] = claim.reserve_yen
        doc["costs"] = [
            {
                "id": c.line_id,
                "item": c.item,
                "amount": c.amount_yen,
                "description": c.description,
                "evidence": [str(a.pk) for a in c.evidence.all()],
            }
            for c in claim.costs.order_by("id")
        ]
    return doc


def awaiting_approval(user: User | None) -> QuerySet[ClaimPayment]:
    return ClaimPayment.objects.filter(
        status=ClaimPayment.Status.AWAITING_APPROVAL, claim__in=claims_for_staff(user)
    ).select_related("claim", "claim__policy", "requested_by")
