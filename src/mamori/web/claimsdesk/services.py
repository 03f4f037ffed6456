"""Writes of claims handling. The calculation is always the core's, on a document built from the policy, the
incident, the cost lines and the claims ledger; a payment is checked against a fresh calculation while the
policy row is locked, so the payments of a policy year never exceed a limit or a sublimit, even when several
claims are paid at once. Payments and ledger entries are never edited: a correction is a new entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from mamori import usecases
from mamori.claims import answer, ledger
from mamori.claims.result import ClaimResult
from mamori.errors import FieldError, InvalidInput
from mamori.rating import values
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.audit.services import audit_record
from mamori.web.claimsdesk.models import Calculation, Claim, ClaimPayment, CostLine, LedgerEntry, ReserveChange
from mamori.web.errors import Conflict, Forbidden, NotFound
from mamori.web.incidents import documents
from mamori.web.incidents import selectors as incident_selectors
from mamori.web.incidents.models import Incident
from mamori.web.policies import services as policy_services
from mamori.web.policies.models import Policy
from mamori.web.rows import is_id, locked

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


def _staff(user: AbstractBaseUser) -> None:
    if not accounts.has_role(user, roles.CLAIMS_HANDLER):
        raise Forbidden


def _claim(user: AbstractBaseUser, claim_id: Any) -> Claim:
    """The claim, if the user's team handles it, locked until the transaction ends (else NotFound)."""
    from mamori.web.claimsdesk import selectors

    claim: Claim = locked(selectors.claims_for_staff(user), claim_id)
    return claim


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


def _paid(entries: Any) -> ledger.Paid:
    return ledger.total(
        ledger.Paid(expense=e.expense_yen, liability=e.liability_yen, bi=e.bi_yen, sublimits=dict(e.sublimits))
        for e in entries
    )


def paid_on_claim(claim: Claim) -> ledger.Paid:
    return _paid(LedgerEntry.objects.filter(claim=claim))


def prior_for(claim: Claim) -> ledger.Paid:
    """What the other claims of the policy year were paid (the policy is one year: its term)."""
    return _paid(LedgerEntry.objects.filter(policy=claim.policy).exclude(claim=claim))


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
    return usecases.calculate_claim(documents.catalog(), doc, version=policy_services.version_of(claim.policy))


def claim_open(
    *,
    user: AbstractBaseUser,
    incident_id: Any,
    costs: list[Mapping[str, Any]] | None = None,
    bi: Mapping[str, Any] | None = None,
) -> tuple[Claim, Calculation]:
    """Open a claim on a reported incident (claims staff), with its cost lines and BI inputs; calculated."""
    _staff(user)
    with transaction.atomic():
        incident = locked(incident_selectors.incidents_visible(user), incident_id)
        if incident.status != Incident.Status.SUBMITTED:
            raise Conflict("status", "E_INCIDENT_DRAFT")
        Policy.objects.select_for_update().get(pk=incident.policy_id)
        claim = Claim.objects.create(
            incident=incident,
            policy=incident.policy,
            team=getattr(getattr(incident, "case", None), "team", ""),
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
    _staff(user)
    claim = _claim(user, claim_id)
    if claim.status != Claim.Status.OPEN:
        raise Conflict("status", "E_CLAIM_STATE", status=claim.status)
    return claim


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
    _staff(user)
    with transaction.atomic():
        claim = _claim(user, claim_id)
        return _record(claim, user, calculate(claim))


def claim_decide(*, user: AbstractBaseUser, claim_id: Any, decision: str, notes: str) -> Claim:
    """The handler's decision with notes; the policyholder is told after commit."""
    allowed = [d.lower() for d in Claim.Decision.values]
    if decision not in allowed:
        raise InvalidInput([FieldError("decision", "E_CHOICE", {"value": decision, "allowed": allowed})])
    if not notes.strip():
        raise InvalidInput([FieldError("notes", "E_REASON_REQUIRED")])
    with transaction.atomic():
        claim = _open_claim(user, claim_id)
        result = calculate(claim)
        _record(claim, user, result)
        claim.status = Claim.Status.DECIDED
        claim.decision, claim.decision_notes = decision.upper(), notes.strip()[:5000]
        claim.decided_by, claim.decided_at = user, timezone.now()
        claim.save()
        reserve = max(result.payable_total - paid_on_claim(claim).amount, 0) if decision == "pay" else 0
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
        transaction.on_commit(lambda: _notify(claim.pk, "decided"))
    return claim


def claim_set_reserve(*, user: AbstractBaseUser, claim_id: Any, amount: Any, reason: str) -> Claim:
    read = values.read_integer(amount)
    if isinstance(read, values.Failure) or read < 0:
        raise InvalidInput([FieldError("reserve", "E_RANGE", {"value": amount, "minimum": 0, "maximum": 10**12})])
    _staff(user)
    with transaction.atomic():
        claim = _claim(user, claim_id)
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
    _staff(user)
    with transaction.atomic():
        claim = _claim(user, claim_id)
        if claim.status != Claim.Status.DECIDED or _pending(claim):
            raise Conflict("status", "E_CLAIM_STATE", status=claim.status)
        before = {"status": claim.status, "reserve_yen": claim.reserve_yen}
        claim.status = Claim.Status.CLOSED
        claim.save(update_fields=["status"])
        _set_reserve(claim, 0, user=user, reason=ReserveChange.Reason.CLOSE)
        audit_record(
            actor=user,
            action="claim.close",
            object_type="claim",
            object_id=claim.pk,
            before=before,
            after={"status": "CLOSED", "notes": notes[:500]},
        )
    return claim


# ------------------------------------------------------------------------------------------ payments


def _sublimited(claim: Claim) -> tuple[str, ...]:
    return policy_services.version_of(claim.policy).coverage.sublimit_items


def _pending(claim: Claim) -> int:
    return sum(p.amount_yen for p in claim.payments.filter(status=ClaimPayment.Status.AWAITING_APPROVAL))


def _pay(
    claim: Claim, payment: ClaimPayment, result: ClaimResult, paid: ledger.Paid, user: AbstractBaseUser
) -> LedgerEntry:
    """The ledger entry of a payment made (``paid``: what the claim was paid before it); the claim's reserve
    becomes what the calculation still leaves to pay."""
    share = ledger.allocate(result, paid, payment.amount_yen, _sublimited(claim))
    reserve = max(result.payable_total - paid.amount - share.amount, 0)
    _set_reserve(claim, reserve, user=user, reason=ReserveChange.Reason.PAYMENT)
    return LedgerEntry.objects.create(
        policy=claim.policy,
        claim=claim,
        payment=payment,
        expense_yen=share.expense,
        liability_yen=share.liability,
        bi_yen=share.bi,
        sublimits=dict(share.sublimits),
    )


def payment_request(
    *, user: AbstractBaseUser, claim_id: Any, amount: Any, note: str = "", correction_of: Any = None
) -> ClaimPayment:
    """Pay part or all of what the current calculation still allows (a negative amount: a correction).
    Above the four-eyes threshold the payment waits for a second claims user's approval."""
    read = values.read_integer(amount)
    if isinstance(read, values.Failure) or read == 0:
        raise InvalidInput(
            [
                FieldError(
                    "amount",
                    "E_INTEGER" if isinstance(read, values.Failure) else "E_RANGE",
                    {"value": amount, "minimum": 1, "maximum": 10**12},
                )
            ]
        )
    _staff(user)
    with transaction.atomic():
        claim = _claim(user, claim_id)
        if claim.status != Claim.Status.DECIDED or claim.decision != Claim.Decision.PAY:
            raise Conflict("status", "E_CLAIM_STATE", status=claim.status)
        Policy.objects.select_for_update().get(pk=claim.policy_id)  # one payment of a policy year at a time
        result = calculate(claim)
        paid = paid_on_claim(claim)
        if read > 0 and read > ledger.still_allowed(result, paid) - _pending(claim):
            raise Conflict(
                "amount",
                "E_PAYMENT_ABOVE_ALLOWED",
                value=read,
                allowed_amount=max(ledger.still_allowed(result, paid) - _pending(claim), 0),
            )
        if read < 0 and -read > paid.amount:
            raise Conflict("amount", "E_CORRECTION_ABOVE_PAID", value=-read, paid=paid.amount)
        original = None
        if correction_of not in (None, ""):
            original = claim.payments.filter(pk=correction_of).first() if is_id(correction_of) else None
            if original is None or original.amount_yen <= 0:
                raise InvalidInput(
                    [
                        FieldError(
                            "correction_of",
                            "E_CHOICE",
                            {
                                "value": correction_of,
                                "allowed": [p.pk for p in claim.payments.filter(amount_yen__gt=0)],
                            },
                        )
                    ]
                )
            if not -original.amount_yen <= read <= -1:  # a correction takes back at most that payment
                raise InvalidInput(
                    [FieldError("amount", "E_RANGE", {"value": read, "minimum": -original.amount_yen, "maximum": -1})]
                )
        needs_approval = abs(read) > settings.MAMORI_FOUR_EYES_ABOVE
        payment = ClaimPayment.objects.create(
            claim=claim,
            amount_yen=read,
            note=note[:2000],
            requested_by=user,
            correction_of=original,
            status=ClaimPayment.Status.AWAITING_APPROVAL if needs_approval else ClaimPayment.Status.PAID,
            decided_at=None if needs_approval else timezone.now(),
        )
        if not needs_approval:
            _pay(claim, payment, result, paid, user)
        audit_record(
            actor=user,
            action="claim.payment_request",
            object_type="claim_payment",
            object_id=payment.pk,
            after={"claim": str(claim.pk), "amount_yen": read, "status": payment.status},
        )
        if not needs_approval:
            transaction.on_commit(lambda: _notify(claim.pk, "paid", read))
    return payment


def payment_approve(*, user: AbstractBaseUser, payment_id: Any) -> ClaimPayment:
    """A second claims user approves (never the requester); paid once, however many approve at once."""
    _staff(user)
    with transaction.atomic():
        payment = locked(ClaimPayment.objects.filter(claim__in=_staff_claims(user)), payment_id)
        if payment.requested_by_id == user.pk:
            raise Forbidden("E_FOUR_EYES")
        if payment.status != ClaimPayment.Status.AWAITING_APPROVAL:
            raise Conflict("status", "E_PAYMENT_STATE", status=payment.status)
        claim = Claim.objects.select_for_update().get(pk=payment.claim_id)
        Policy.objects.select_for_update().get(pk=claim.policy_id)
        result = calculate(claim)
        paid = paid_on_claim(claim)
        if payment.amount_yen > 0 and payment.amount_yen > ledger.still_allowed(result, paid):
            raise Conflict(
                "amount",
                "E_PAYMENT_ABOVE_ALLOWED",
                value=payment.amount_yen,
                allowed_amount=ledger.still_allowed(result, paid),
            )
        if payment.amount_yen < 0 and -payment.amount_yen > paid.amount:
            raise Conflict("amount", "E_CORRECTION_ABOVE_PAID", value=-payment.amount_yen, paid=paid.amount)
        payment.status, payment.approved_by, payment.decided_at = ClaimPayment.Status.PAID, user, timezone.now()
        payment.save(update_fields=["status", "approved_by", "decided_at"])
        _pay(claim, payment, result, paid, user)
        audit_record(
            actor=user,
            action="claim.payment_approve",
            object_type="claim_payment",
            object_id=payment.pk,
            before={"status": "AWAITING_APPROVAL"},
            after={"status": "PAID", "amount_yen": payment.amount_yen},
        )
        transaction.on_commit(lambda: _notify(claim.pk, "paid", payment.amount_yen))
    return payment


def _staff_claims(user: AbstractBaseUser) -> Any:
    from mamori.web.claimsdesk import selectors

    return selectors.claims_for_staff(user).values("pk")


def _notify(claim_id: Any, what: str, amount: int = 0) -> None:
    claim = Claim.objects.select_related("policy", "incident__business").get(pk=claim_id)
    email = claim.incident.business.email
    if not email:
        return
    texts = {
        "decided": ("保険金のお支払いについて判断しました", "A decision was made on your claim"),
        "paid": (f"保険金{amount:,}円をお支払いしました", f"A claim payment of {amount:,} yen was made"),
    }[what]
    send_mail(
        subject=f"【守り】{texts[0]} / {texts[1]} ({claim.policy.number})",
        message=f"{texts[0]}（証券番号 {claim.policy.number}）。\n{texts[1]} (policy {claim.policy.number}).",
        from_email=None,
        recipient_list=[email],
        fail_silently=True,
    )
