"""Writes of claims handling. The calculation is always the core's, on a document built from the policy, the
incident, the cost lines and the claims ledger; a payment is checked against a fresh calculation while the
policy row is locked, so the payments of a policy year never exceed a limit or a sublimit, even when several
claims are paid at once. Payments and ledger entries are never edited: a correction is a new entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mamori import authority, usecases
from mamori.authority import Action, Target
from mamori.claims import answer, ledger, payments
from mamori.claims.lifecycle import ClaimAction, ClaimPaymentState, ClaimState
from mamori.claims.result import ClaimResult
from mamori.errors import FieldError, InvalidInput
from mamori.support import emergency
from mamori.usecases import claims_handling
from mamori.web import mail
from mamori.web.accounts import selectors as accounts
from mamori.web.audit.services import audit_record
from mamori.web.claimsdesk import selectors
from mamori.web.claimsdesk.models import Calculation, Claim, ClaimPayment, CostLine, LedgerEntry, ReserveChange
from mamori.web.errors import Conflict, NotFound
from mamori.web.incidents import documents
from mamori.web.incidents import selectors as incident_selectors
from mamori.web.incidents.models import Incident
from mamori.web.policies import selectors as policy_selectors
from mamori.web.policies.models import Policy
from mamori.web.rows import locked

#: Keys a cost line may give (the cost line of a claim document, interfaces.md §1.3).
COST_KEYS = (
    "id",
    "item",
    "amount",
    "persons",
    "businesses",
    "betterment",
    "contractual_excess",
    "bearer",
    "description",
)


def _target(claim: Claim, **facts: Any) -> Target:
    return Target(team=claim.team, **facts)


def _claim(user: AbstractBaseUser, claim_id: Any, action: ClaimAction) -> Claim:
    """The claim, if the user's team handles it, locked until the transaction ends (else NotFound), when
    the authority table and the claim's lifecycle allow ``action``."""
    authority.require_role(accounts.subject_of(user), Action.HANDLE_CLAIM)
    claim: Claim = locked(selectors.claims_for_staff(user), claim_id)
    claims_handling.claim_step(accounts.subject_of(user), _target(claim), ClaimState(claim.status), action)
    return claim


def book_of(claim: Claim) -> payments.Book:
    return payments.Book(
        state=ClaimState(claim.status),
        decision=claim.decision,
        payments=payments.records(
            claim.payments.values_list("pk", "amount_yen", "status", "requested_by_id", "correction_of_id")
        ),
    )


def _set_reserve(claim: Claim, amount: int, *, user: AbstractBaseUser | None, reason: Any) -> None:
    """The claim's case reserve becomes ``amount``, with a row of its history (only when it changes)."""
    if claim.reserve_yen == amount and claim.reserve_history.exists():
        return
    claim.reserve_yen = amount
    claim.save(update_fields=["reserve_yen"])
    ReserveChange.objects.create(claim=claim, reserve_yen=amount, reason=reason, set_by=user)


def _line_dict(line: CostLine) -> dict[str, Any]:
    out: dict[str, Any] = {"id": line.line_id, "item": line.item, "amount": line.amount_yen, "bearer": line.bearer}
    if line.persons is not None:
        out["persons"] = line.persons
    if line.businesses is not None:
        out["businesses"] = line.businesses
    if line.betterment_yen:
        out["betterment"] = line.betterment_yen
    if line.contractual_excess_yen:
        out["contractual_excess"] = line.contractual_excess_yen
    return out


def paid_on_claim(claim: Claim) -> ledger.Paid:
    return selectors.paid_on_claim(claim)


def prior_for(claim: Claim) -> ledger.Paid:
    return selectors.prior_for(claim)


def document_of(
    claim: Claim, costs: list[dict[str, Any]] | None = None, bi: Mapping[str, Any] | str | None = "stored"
) -> dict[str, Any]:
    lines = costs if costs is not None else [_line_dict(c) for c in claim.costs.order_by("id")]
    return documents.claim_document(
        policy=claim.policy,
        incident=documents.block_of(claim.incident),
        costs=lines,
        bi=claim.bi if bi == "stored" else bi,  # type: ignore[arg-type]
        prior=prior_for(claim),
    )


def calculate(claim: Claim, document: Mapping[str, Any] | None = None) -> ClaimResult:
    doc = document if document is not None else document_of(claim)
    return usecases.calculate_claim(documents.catalog(), doc, version=policy_selectors.version_of(claim.policy))


def claim_open(
    *,
    user: AbstractBaseUser,
    incident_id: Any,
    costs: list[Mapping[str, Any]] | None = None,
    bi: Mapping[str, Any] | None = None,
) -> tuple[Claim, Calculation]:
    """Open a claim on a reported incident (claims staff of the case's team), with its cost lines and BI
    inputs; calculated."""
    authority.require_role(accounts.subject_of(user), Action.HANDLE_CLAIM)
    with transaction.atomic():
        incident = locked(incident_selectors.incidents_visible(user), incident_id)
        team = getattr(getattr(incident, "case", None), "team", "")
        authority.require(accounts.subject_of(user), Action.HANDLE_CLAIM, Target(team=team))
        if incident.status != Incident.Status.SUBMITTED:
            raise Conflict("status", "E_INCIDENT_DRAFT")
        Policy.objects.select_for_update().get(pk=incident.policy_id)
        claim = Claim.objects.create(
            incident=incident,
            policy=incident.policy,
            team=team,
            handler=user,
            created_by=user,
            bi=dict(bi) if bi else None,
        )
        lines = [_cost_dict(c, i) for i, c in enumerate(costs or [])]
        result = calculate(claim, document_of(claim, costs=lines, bi=dict(bi) if bi else None))
        for line in lines:
            _store_line(claim, line, user)
        calculation = _record(claim, user, result)
        _set_reserve(claim, result.payable_total, user=user, reason=ReserveChange.Reason.OPEN)
        audit_record(
            actor=user,
            action="claim.open",
            object_type="claim",
            object_id=claim.pk,
            after={"incident": str(incident.pk), "policy": claim.policy.number, "payable_total": result.payable_total},
        )
    return claim, calculation


def _cost_dict(raw: Mapping[str, Any], index: int) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidInput([FieldError(f"costs[{index}]", "E_OBJECT", {"value": raw})])
    line = {k: v for k, v in raw.items() if k != "description"}
    line.setdefault("id", f"c{index + 1}")
    return line


def _store_line(claim: Claim, line: Mapping[str, Any], user: AbstractBaseUser, description: str = "") -> CostLine:
    return CostLine.objects.create(
        claim=claim,
        line_id=str(line["id"]),
        item=str(line["item"]),
        amount_yen=int(line["amount"]),
        persons=line.get("persons"),
        businesses=line.get("businesses"),
        betterment_yen=int(line.get("betterment", 0)),
        contractual_excess_yen=int(line.get("contractual_excess", 0)),
        bearer=str(line.get("bearer", "insured")),
        description=description[:300],
        created_by=user,
    )


def _record(
    claim: Claim, user: AbstractBaseUser, result: ClaimResult, document: Mapping[str, Any] | None = None
) -> Calculation:
    return Calculation.objects.create(
        claim=claim,
        document=dict(document) if document is not None else document_of(claim),
        answer=answer.to_json_dict(result, "ja"),
        payable_total_yen=result.payable_total,
        calculated_by=user,
    )


def _open_claim(user: AbstractBaseUser, claim_id: Any) -> Claim:
    return _claim(user, claim_id, ClaimAction.EDIT)


def cost_line_add(
    *, user: AbstractBaseUser, claim_id: Any, line: Mapping[str, Any], evidence: list[Any] | None = None
) -> Calculation:
    """Add a cost line (with evidence attached to the incident); validated by recalculating the claim."""
    with transaction.atomic():
        claim = _open_claim(user, claim_id)
        Policy.objects.select_for_update().get(pk=claim.policy_id)
        lines = [_line_dict(c) for c in claim.costs.order_by("id")]
        taken = {c["id"] for c in lines}
        new = _cost_dict(line, len(lines))
        if "id" not in line:  # the next free c1, c2, …; a given id that is taken is refused by the core
            new["id"] = next(f"c{n}" for n in range(1, len(taken) + 2) if f"c{n}" not in taken)
        result = calculate(claim, document_of(claim, costs=[*lines, new]))
        stored = _store_line(claim, new, user, str(line.get("description", "")))
        if evidence:
            stored.evidence.set(_evidence(claim, evidence))
        calculation = _record(claim, user, result)
        audit_record(
            actor=user,
            action="claim.cost_line",
            object_type="claim",
            object_id=claim.pk,
            after={**new, "payable_total": result.payable_total},
        )
    return calculation


def _evidence(claim: Claim, ids: list[Any]) -> list[Any]:
    """The incident's attachments named as evidence; an id that is not one of them is refused."""
    files = {str(a.pk): a for a in claim.incident.attachments.all()}
    unknown = [i for i in ids if str(i) not in files]
    if unknown:
        raise InvalidInput([FieldError("evidence", "E_CHOICE", {"value": unknown[0], "allowed": list(files)})])
    return [files[str(i)] for i in ids]


def cost_line_remove(*, user: AbstractBaseUser, claim_id: Any, line_id: str) -> Calculation:
    with transaction.atomic():
        claim = _open_claim(user, claim_id)
        line = claim.costs.filter(line_id=line_id).first()
        if line is None:
            raise NotFound
        before = _line_dict(line)
        line.evidence.clear()
        line.delete()
        result = calculate(claim)
        calculation = _record(claim, user, result)
        audit_record(
            actor=user,
            action="claim.cost_line_remove",
            object_type="claim",
            object_id=claim.pk,
            before=before,
            after={"payable_total": result.payable_total},
        )
    return calculation


def claim_set_bi(*, user: AbstractBaseUser, claim_id: Any, bi: Mapping[str, Any] | None) -> Calculation:
    with transaction.atomic():
        claim = _open_claim(user, claim_id)
        result = calculate(claim, document_of(claim, bi=dict(bi) if bi else None))
        before = claim.bi
        claim.bi = dict(bi) if bi else None
        claim.save(update_fields=["bi"])
        calculation = _record(claim, user, result)
        audit_record(
            actor=user,
            action="claim.bi",
            object_type="claim",
            object_id=claim.pk,
            before={"bi": before},
            after={"bi": claim.bi, "payable_total": result.payable_total},
        )
    return calculation


def claim_recalculate(*, user: AbstractBaseUser, claim_id: Any) -> Calculation:
    with transaction.atomic():
        claim = _claim(user, claim_id, ClaimAction.RECALCULATE)
        return _record(claim, user, calculate(claim))


def claim_decide(*, user: AbstractBaseUser, claim_id: Any, decision: str, notes: str) -> Claim:
    """The handler's decision with notes; the policyholder is told after commit."""
    allowed = [d.lower() for d in Claim.Decision.values]
    if decision not in allowed:
        raise InvalidInput([FieldError("decision", "E_CHOICE", {"value": decision, "allowed": allowed})])
    if not notes.strip():
        raise InvalidInput([FieldError("notes", "E_REASON_REQUIRED")])
    with transaction.atomic():
        claim = _claim(user, claim_id, ClaimAction.DECIDE)
        result = calculate(claim)
        _record(claim, user, result)
        claim.status = ClaimState.DECIDED.value
        claim.decision, claim.decision_notes = decision.upper(), notes.strip()[:5000]
        claim.decided_by, claim.decided_at = user, timezone.now()
        claim.save()
        paid = paid_on_claim(claim).amount
        reserve = payments.reserve_after(payable_total=result.payable_total, paid=paid) if decision == "pay" else 0
        _set_reserve(claim, reserve, user=user, reason=ReserveChange.Reason.DECISION)
        audit_record(
            actor=user,
            action=f"claim.decide.{decision}",
            object_type="claim",
            object_id=claim.pk,
            after={
                "decision": claim.decision,
                "notes": claim.decision_notes[:200],
                "payable_total": result.payable_total,
            },
        )
        _notify(claim.pk, "decided")  # queued: sent by a worker once this commits
    return claim


def claim_set_reserve(*, user: AbstractBaseUser, claim_id: Any, amount: Any, reason: str) -> Claim:
    """The handler sets the case reserve (支払備金) of a claim that is not closed, with a reason."""
    with transaction.atomic():
        claim = _claim(user, claim_id, ClaimAction.RESERVE)
        read = claims_handling.reserve(accounts.subject_of(user), _target(claim), ClaimState(claim.status), amount)
        before = claim.reserve_yen
        _set_reserve(claim, read, user=user, reason=ReserveChange.Reason.MANUAL)
        audit_record(
            actor=user,
            action="claim.reserve",
            object_type="claim",
            object_id=claim.pk,
            before={"reserve_yen": before},
            after={"reserve_yen": read, "reason": reason[:500]},
        )
    return claim


def claim_close(*, user: AbstractBaseUser, claim_id: Any, notes: str = "") -> Claim:
    """Close a decided claim (nothing awaiting approval); its reserve becomes nothing."""
    with transaction.atomic():
        claim = _claim(user, claim_id, ClaimAction.CLOSE)
        state = claims_handling.close(
            accounts.subject_of(user), _target(claim), ClaimState(claim.status), book_of(claim)
        )
        before = {"status": claim.status, "reserve_yen": claim.reserve_yen}
        claim.status = state.value
        claim.save(update_fields=["status"])
        _set_reserve(claim, 0, user=user, reason=ReserveChange.Reason.CLOSE)
        audit_record(
            actor=user,
            action="claim.close",
            object_type="claim",
            object_id=claim.pk,
            before=before,
            after={"status": claim.status, "notes": notes[:500]},
        )
    return claim


# ------------------------------------------------------------------------------------------ payments


def _pay(
    claim: Claim, payment: ClaimPayment, decision: claims_handling.PaymentDecision, user: AbstractBaseUser
) -> None:
    """The ledger entry of a payment made, and the claim's reserve after it (both decided by the use case)."""
    assert decision.share is not None and decision.reserve is not None  # noqa: S101 - a payment made now
    LedgerEntry.objects.create(
        policy=claim.policy,
        claim=claim,
        payment=payment,
        expense_yen=decision.share.expense,
        liability_yen=decision.share.liability,
        bi_yen=decision.share.bi,
        sublimits=dict(decision.share.sublimits),
    )
    _set_reserve(claim, decision.reserve, user=user, reason=ReserveChange.Reason.PAYMENT)


def _locked_for_payment(user: AbstractBaseUser, claim_id: Any) -> tuple[Claim, ClaimResult, ledger.Paid]:
    """The claim and its policy locked (one payment of a policy year at a time), freshly calculated."""
    authority.require_role(accounts.subject_of(user), Action.HANDLE_CLAIM)
    claim: Claim = locked(selectors.claims_for_staff(user), claim_id)
    Policy.objects.select_for_update().get(pk=claim.policy_id)
    return claim, calculate(claim), paid_on_claim(claim)


def payment_request(
    *, user: AbstractBaseUser, claim_id: Any, amount: Any, note: str = "", correction_of: Any = None
) -> ClaimPayment:
    """Pay part or all of what the current calculation still allows (a negative amount: a correction of one
    payment). Beyond the product's authority threshold — the claim's total with this payment and those
    awaiting approval — the payment waits for a second claims user's approval."""
    with transaction.atomic():
        claim, result, paid = _locked_for_payment(user, claim_id)
        decision = claims_handling.request_payment(
            subject=accounts.subject_of(user),
            target=_target(claim),
            book=book_of(claim),
            amount=amount,
            correction_of=correction_of,
            result=result,
            paid=paid,
        )
        made = decision.state is ClaimPaymentState.PAID
        payment = ClaimPayment.objects.create(
            claim=claim,
            amount_yen=decision.amount,
            note=note[:2000],
            requested_by=user,
            correction_of_id=decision.correction_of,
            status=decision.state.value,
            decided_at=timezone.now() if made else None,
        )
        if made:
            _pay(claim, payment, decision, user)
        audit_record(
            actor=user,
            action="claim.payment_request",
            object_type="claim_payment",
            object_id=payment.pk,
            after={"claim": str(claim.pk), "amount_yen": decision.amount, "status": payment.status},
        )
        if made:
            _notify(claim.pk, "paid", decision.amount)  # queued: sent once this commits
    return payment


def _awaiting(
    user: AbstractBaseUser, payment_id: Any, action: Action
) -> tuple[ClaimPayment, Claim, ClaimResult, ledger.Paid]:
    authority.require_role(accounts.subject_of(user), action)
    payment: ClaimPayment = locked(ClaimPayment.objects.filter(claim__in=_staff_claims(user)), payment_id)
    claim, result, paid = _locked_for_payment(user, payment.claim_id)
    return payment, claim, result, paid


def record_of(payment: ClaimPayment) -> payments.PaymentRecord:
    return payments.PaymentRecord(
        id=payment.pk,
        amount=payment.amount_yen,
        state=ClaimPaymentState(payment.status),
        requested_by=payment.requested_by_id,
        correction_of=payment.correction_of_id,
    )


def payment_approve(*, user: AbstractBaseUser, payment_id: Any) -> ClaimPayment:
    """A second claims user of the team approves (never the requester); paid once, however many approve at
    once, and checked again against the calculation and the corrections as they are now."""
    with transaction.atomic():
        payment, claim, result, paid = _awaiting(user, payment_id, Action.APPROVE_CLAIM_PAYMENT)
        decision = claims_handling.approve_payment(
            subject=accounts.subject_of(user),
            target=_target(claim),
            book=book_of(claim),
            payment=record_of(payment),
            result=result,
            paid=paid,
        )
        payment.status, payment.approved_by, payment.decided_at = decision.state.value, user, timezone.now()
        payment.save(update_fields=["status", "approved_by", "decided_at"])
        _pay(claim, payment, decision, user)
        audit_record(
            actor=user,
            action="claim.payment_approve",
            object_type="claim_payment",
            object_id=payment.pk,
            before={"status": ClaimPaymentState.AWAITING_APPROVAL.value},
            after={"status": payment.status, "amount_yen": payment.amount_yen},
        )
        _notify(claim.pk, "paid", payment.amount_yen)  # queued: sent once this commits
    return payment


def payment_reject(*, user: AbstractBaseUser, payment_id: Any, note: str = "") -> ClaimPayment:
    """A claims user of the team rejects (or the requester withdraws) a payment awaiting approval."""
    with transaction.atomic():
        payment, claim, _, _ = _awaiting(user, payment_id, Action.HANDLE_CLAIM)
        state = claims_handling.reject_payment(
            subject=accounts.subject_of(user), target=_target(claim), payment=record_of(payment)
        )
        payment.status, payment.approved_by, payment.decided_at = state.value, user, timezone.now()
        payment.save(update_fields=["status", "approved_by", "decided_at"])
        audit_record(
            actor=user,
            action="claim.payment_reject",
            object_type="claim_payment",
            object_id=payment.pk,
            before={"status": ClaimPaymentState.AWAITING_APPROVAL.value},
            after={"status": payment.status, "note": note[:500]},
        )
    return payment


def _staff_claims(user: AbstractBaseUser) -> Any:
    return selectors.claims_for_staff(user).values("pk")


def _decision_words(decision: str) -> tuple[str, str]:
    """The decision of a claim in both languages, for the e-mail."""
    return {
        "PAY": ("算定どおり保険金をお支払いします", "the claim is paid as calculated"),
        "DECLINE": ("保険金のお支払いの対象外です", "the claim is not payable"),
    }.get(decision, (decision, decision))


def _notify(claim_id: Any, what: str, amount: int = 0) -> None:
    claim = Claim.objects.select_related("policy", "incident__business").get(pk=claim_id)
    email = claim.incident.business.email
    if not email:
        return
    texts = {
        "decided": ("保険金のお支払いについて判断しました", "A decision was made on your claim"),
        "paid": (f"保険金{amount:,}円をお支払いしました", f"A claim payment of {amount:,} yen was made"),
    }[what]
    said_ja = said_en = ""
    if what == "decided" and claim.decision:
        ja, en = _decision_words(claim.decision)
        said_ja, said_en = f"判断: {ja}。", f" Decision: {en}."
    link = settings.SITE_URL + reverse("pages:claim", kwargs={"claim_id": claim.pk})
    footer = emergency.email_footer(policy_selectors.version_of(claim.policy).support, link)
    mail.mail_queue(
        subject=f"【守り】{texts[0]} / {texts[1]} ({claim.policy.number})",
        message=(
            f"{texts[0]}（証券番号 {claim.policy.number}）。{said_ja}\n"
            f"{texts[1]} (policy {claim.policy.number}).{said_en}\n\n{footer}"
        ),
        to=[email],
    )
