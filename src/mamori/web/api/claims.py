"""API of claims handling and claim payments (interfaces.md §2), a ninja router.

The policy's terms and what the policy year already paid come from the policy and the claims ledger,
never from a body; a payment is at most what the current calculation still allows (409 beyond); above the
four-eyes threshold a second claims user approves. Money-moving requests honour ``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import BaseModel, Field

from mamori import authority, usecases
from mamori.authority import Action
from mamori.claims import answer
from mamori.errors import FieldError, InvalidInput
from mamori.web import paging
from mamori.web.accounts import selectors as accounts
from mamori.web.api import errors as api_errors
from mamori.web.api.idempotency import idempotent
from mamori.web.api.schemas import (
    ERRORS,
    LIST_MAX,
    Between,
    BiInputs,
    CalculationOut,
    Document,
    Id,
    Open,
    PositiveYen,
    Text,
    Yen,
)
from mamori.web.claimsdesk import selectors as claim_selectors
from mamori.web.claimsdesk import services as claims
from mamori.web.claimsdesk.models import Claim, ClaimPayment
from mamori.web.errors import NotFound
from mamori.web.productdb import selectors as productdb

router = Router(tags=["claims"])


class ClaimIn(BaseModel):
    incident_id: Id
    costs: list[Document] = Field(
        default_factory=list, max_length=LIST_MAX, description="cost lines of a claim document (interfaces.md §1.3)"
    )
    bi: BiInputs | None = Field(None, description="business-interruption inputs (product.md §3.4), or null")


class CostIn(BaseModel):
    line: Document = Field(..., description="a cost line of a claim document (interfaces.md §1.3); `description`")
    evidence: list[Id] | None = Field(
        None, max_length=LIST_MAX, description="ids of the incident's attachments that evidence the cost"
    )


class BiIn(BaseModel):
    bi: BiInputs | None = Field(..., description="business-interruption inputs (product.md §3.4), or null")


class DecisionIn(BaseModel):
    decision: Literal["pay", "decline"] = Field(..., examples=["pay"], description="pay or decline")
    notes: Text = Field(..., description="why (recorded, shown to the policyholder)")


class ReserveIn(BaseModel):
    reserve: PositiveYen = Field(..., description="the estimated amount still to pay, yen")
    reason: Text | None = ""


class CloseIn(BaseModel):
    notes: Text | None = ""


class PaymentIn(BaseModel):
    amount: Yen = Field(..., description="yen; negative: a correction of earlier payments (a new entry)")
    note: Text | None = ""
    correction_of: Annotated[int, Between(1, 2**63 - 1)] | None = Field(
        None, description="the payment a correction corrects"
    )


# ------------------------------------------------------------------------------------------ answers


class ClaimPaymentOut(Open):
    id: int
    status: str = Field(description="paid, awaiting_approval, rejected …")
    amount: int
    claim_id: str
    correction_of: int | None


class AwaitingOut(ClaimPaymentOut):
    requested_by: str
    requested_at: str


class ClaimCreated(Open):
    id: str
    calculation: CalculationOut | None


class ClaimItem(Open):
    id: str
    incident_id: str
    policy_number: str
    status: str
    decision: str | None
    created_at: str


class PaymentLine(Open):
    id: int
    amount: int
    status: str
    requested_at: str
    correction_of: int | None


class CostLine(Open):
    id: str
    item: str
    amount: int
    description: str
    evidence: list[str]


class ClaimOut(Open):
    """The claim, its payments and the latest calculation; staff also see the cost lines and the reserve."""

    id: str
    incident_id: str
    policy_number: str
    status: str
    decision: str | None
    decision_notes: str | None
    paid: int
    payments: list[PaymentLine]
    calculation: CalculationOut | None
    reserve: int | None = None
    costs: list[CostLine] | None = None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _claim(request: HttpRequest, claim_id: Any) -> dict[str, Any]:
    claim = claim_selectors.claim_get(user=request.user, claim_id=claim_id)
    if claim is None:
        raise NotFound
    staff = claim_selectors.claims_for_staff(request.user).filter(pk=claim.pk).exists()
    return claim_selectors.claim_json(claim, api_errors.lang_of(request), staff=staff)


#: The body of /claims/calculate is read by the core from the request's bytes: its schema is the core's.
_CLAIM_DOCUMENT: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClaimDocument"}}},
    }
}


# Before /claims/{claim_id}: the first pattern that matches a path answers it.
@router.post(
    "/claims/calculate", exclude_unset=True, response={200: CalculationOut, **ERRORS}, openapi_extra=_CLAIM_DOCUMENT
)
def claim_calculate(request: HttpRequest) -> Any:
    """Calculate a claim-calculation document (staff roles): the answer of ``mamori claim calculate --json``."""
    authority.require(accounts.subject_of(request.user), Action.CALCULATE_CLAIM)
    result = usecases.calculate_claim(productdb.catalog(), request.body)
    return answer.to_json_dict(result, api_errors.lang_of(request))


@router.post("/claims", exclude_unset=True, response={201: ClaimCreated, **ERRORS})
def claim_create(request: HttpRequest, payload: ClaimIn) -> Any:
    """Open a claim on a reported incident (claims staff), calculated by the core."""
    if not isinstance(payload.costs, list):
        raise InvalidInput([FieldError("costs", "E_LIST", {"value": payload.costs})])
    if payload.bi is not None and not isinstance(payload.bi, dict):
        raise InvalidInput([FieldError("bi", "E_OBJECT", {"value": payload.bi})])
    claim, _ = claims.claim_open(
        user=request.user, incident_id=payload.incident_id, costs=list(payload.costs), bi=payload.bi
    )
    lang = api_errors.lang_of(request)
    return Status(201, {"id": str(claim.pk), "calculation": claim_selectors.answer_in(claim, lang)})


@router.get("/claims", exclude_unset=True, response={200: list[ClaimItem], **ERRORS})
def claim_list(
    request: HttpRequest,
    status: Annotated[str, Field(max_length=40)] = "",
    limit: Annotated[int, Between(1, paging.API_MAX_LIMIT)] = paging.API_LIMIT,
    offset: Annotated[int, Between(0, 10**9)] = 0,
) -> Any:
    """The claims the caller may see (claims staff: their team's; a policyholder: their business's), newest
    first: ``status`` (open, decided, closed) and a window of ``limit`` (at most 500) from ``offset``."""
    claims = claim_selectors.claims_visible(request.user).select_related("policy")
    if status.upper() in Claim.Status.values:
        claims = claims.filter(status=status.upper())
    return [
        {
            "id": str(c.pk),
            "incident_id": str(c.incident_id),
            "policy_number": c.policy.number,
            "status": c.status.lower(),
            "decision": c.decision.lower() or None,
            "created_at": c.created_at.isoformat(),
        }
        for c in paging.window(claims.order_by("-created_at", "pk"), limit, offset)
    ]


@router.get("/claims/{claim_id}", exclude_unset=True, response={200: ClaimOut, **ERRORS})
def claim_get(request: HttpRequest, claim_id: str) -> Any:
    """The claim, its payments and the latest calculation's worksheet in the reader's language; staff also
    see the cost lines and the reserve."""
    return _claim(request, claim_id)


@router.post("/claims/{claim_id}/costs", exclude_unset=True, response={201: ClaimOut, **ERRORS})
def claim_cost(request: HttpRequest, claim_id: str, payload: CostIn) -> Any:
    if not isinstance(payload.line, dict):
        raise InvalidInput([FieldError("line", "E_OBJECT", {"value": payload.line})])
    evidence = payload.evidence if isinstance(payload.evidence, list) else None
    claims.cost_line_add(user=request.user, claim_id=claim_id, line=payload.line, evidence=evidence)
    return Status(201, _claim(request, claim_id))


@router.delete("/claims/{claim_id}/costs/{line_id}", exclude_unset=True, response={200: ClaimOut, **ERRORS})
def claim_cost_remove(request: HttpRequest, claim_id: str, line_id: str) -> Any:
    claims.cost_line_remove(user=request.user, claim_id=claim_id, line_id=line_id)
    return _claim(request, claim_id)


@router.put("/claims/{claim_id}/bi", exclude_unset=True, response={200: ClaimOut, **ERRORS})
def claim_bi(request: HttpRequest, claim_id: str, payload: BiIn) -> Any:
    if payload.bi is not None and not isinstance(payload.bi, dict):
        raise InvalidInput([FieldError("bi", "E_OBJECT", {"value": payload.bi})])
    claims.claim_set_bi(user=request.user, claim_id=claim_id, bi=payload.bi)
    return _claim(request, claim_id)


@router.post("/claims/{claim_id}/decision", exclude_unset=True, response={200: ClaimOut, **ERRORS})
def claim_decision(request: HttpRequest, claim_id: str, payload: DecisionIn) -> Any:
    claims.claim_decide(
        user=request.user, claim_id=claim_id, decision=_text(payload.decision), notes=_text(payload.notes)
    )
    return _claim(request, claim_id)


@router.post("/claims/{claim_id}/reserve", exclude_unset=True, response={200: ClaimOut, **ERRORS})
def claim_reserve(request: HttpRequest, claim_id: str, payload: ReserveIn) -> Any:
    claims.claim_set_reserve(user=request.user, claim_id=claim_id, amount=payload.reserve, reason=_text(payload.reason))
    return _claim(request, claim_id)


@router.post("/claims/{claim_id}/close", exclude_unset=True, response={200: ClaimOut, **ERRORS})
def claim_close(request: HttpRequest, claim_id: str, payload: CloseIn) -> Any:
    claims.claim_close(user=request.user, claim_id=claim_id, notes=_text(payload.notes))
    return _claim(request, claim_id)


def _payment_json(payment: ClaimPayment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "status": payment.status.lower(),
        "amount": payment.amount_yen,
        "claim_id": str(payment.claim_id),
        "correction_of": payment.correction_of_id,
    }


@router.post("/claims/{claim_id}/payments", exclude_unset=True, response={201: ClaimPaymentOut, **ERRORS})
def claim_payment(request: HttpRequest, claim_id: str, payload: PaymentIn) -> Any:
    """Pay (claims staff) at most what the current calculation still allows (409 beyond); above 10,000,000
    yen it awaits a second claims user's approval. A repeat with the same Idempotency-Key pays once."""

    def action() -> tuple[int, Any]:
        payment = claims.payment_request(
            user=request.user,
            claim_id=claim_id,
            amount=payload.amount,
            note=_text(payload.note),
            correction_of=payload.correction_of,
        )
        return 201, _payment_json(payment)

    return Status(*idempotent(request, action))


@router.get("/claim-payments", exclude_unset=True, response={200: list[AwaitingOut], **ERRORS})
def payments_awaiting(request: HttpRequest) -> Any:
    """Payments of the caller's team awaiting a second claims user's approval."""
    authority.require_role(accounts.subject_of(request.user), Action.APPROVE_CLAIM_PAYMENT)
    return [
        {**_payment_json(p), "requested_by": p.requested_by.username, "requested_at": p.requested_at.isoformat()}
        for p in claim_selectors.awaiting_approval(request.user)
    ]


@router.post("/claim-payments/{payment_id}/rejection", exclude_unset=True, response={200: ClaimPaymentOut, **ERRORS})
def claim_payment_rejection(request: HttpRequest, payment_id: int, payload: CloseIn) -> Any:
    """A claims user of the team rejects (or the requester withdraws) a payment awaiting approval."""
    return _payment_json(claims.payment_reject(user=request.user, payment_id=payment_id, note=_text(payload.notes)))


@router.post("/claim-payments/{payment_id}/approval", exclude_unset=True, response={200: ClaimPaymentOut, **ERRORS})
def claim_payment_approval(request: HttpRequest, payment_id: int) -> Any:
    """A second claims user approves; the requester cannot (403). Approved at once by two: paid once."""

    def action() -> tuple[int, Any]:
        return 200, _payment_json(claims.payment_approve(user=request.user, payment_id=payment_id))

    return Status(*idempotent(request, action))
