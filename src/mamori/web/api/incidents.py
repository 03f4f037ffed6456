"""API of incident reports, attachments and the emergency support desk (interfaces.md §2), a ninja router.

Bodies are typed and bounded (:mod:`mamori.web.api.schemas`); what depends on the product (a phase, a
category, the incident's facts) is validated by the services, and every bad value is answered with the one
error model (422 naming the field), never with a framework's message.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, Field, JsonValue

from mamori import authority
from mamori.authority import Action
from mamori.claims import answer
from mamori.errors import FieldError, InvalidInput
from mamori.web import paging
from mamori.web.accounts import selectors as accounts
from mamori.web.api import errors as api_errors
from mamori.web.api.schemas import (
    ERRORS,
    Between,
    DeadlineOut,
    Document,
    Id,
    IncidentBlock,
    Inputs,
    Instant,
    Open,
    RowId,
    Text,
    binary,
)
from mamori.web.errors import NotFound
from mamori.web.incidents import documents
from mamori.web.incidents import selectors as incident_selectors
from mamori.web.incidents import services as incidents
from mamori.web.incidents.models import Case, Incident, Vendor

router = Router(tags=["incidents and the support desk"])


class IncidentIn(BaseModel):
    policy_number: Id | None = Field(None, examples=["MC2026-000001"])
    incident: IncidentBlock | None = Field(
        None, description="the incident block of a claim document (interfaces.md §1.3)"
    )
    summary: Text | None = Field("", description="what happened, in the reporter's words")
    data_description: Text | None = Field("", description="which data may be affected")
    draft: bool = Field(
        False, strict=True, description="true: keep as typed, as a draft (nothing validated; finish it later)"
    )


class DraftIn(BaseModel):
    draft: Document | None = Field(..., description="the report form as typed (kept as is)")


class PhaseIn(BaseModel):
    phase: str = Field(..., max_length=32, examples=["attacked"])


class TickIn(BaseModel):
    phase: str = Field(..., max_length=32)
    item: Annotated[int, Between(0, 1000)] = Field(
        ..., strict=True, description="the checklist item's index in its phase, from 0"
    )
    done: bool = True


class ReferralIn(BaseModel):
    vendor_id: RowId
    note: Text | None = ""


class NoteIn(BaseModel):
    text: Text


class FilingIn(BaseModel):
    kind: Literal["preliminary", "final", "gdpr", "card_brands"] = Field(..., examples=["preliminary"])
    filed_at: Instant | None = Field(None, description="when the report was made (default: now)")
    note: Text | None = ""


# ------------------------------------------------------------------------------------------ answers


class AttachmentOut(Open):
    id: str
    kind: str
    name: str | None = None
    size: int
    content_type: str | None = None


class CaseRef(Open):
    id: int
    phase: str
    status: str
    available: bool


class IncidentOut(Open):
    """A reported incident: emergency support, regulatory block and deadlines; a draft: the form as typed."""

    id: str
    status: str = Field(description="draft or submitted")
    policy_number: str
    draft: dict[str, JsonValue] | None = None
    incident: dict[str, JsonValue] | None = None
    summary: str | None = None
    emergency_support: dict[str, JsonValue] | None = None
    regulatory: dict[str, JsonValue] | None = None
    deadlines: list[DeadlineOut] | None = None
    attachments: list[AttachmentOut] | None = None
    case: CaseRef | None = None


class IncidentItem(Open):
    id: str
    status: str
    policy_number: str
    business: str
    discovered_at: str | None
    created_at: str


class ReferralOut(Open):
    vendor: str
    category: str
    at: str
    note: str


class EventOut(Open):
    at: str
    kind: str
    actor: str | None
    text: str
    data: JsonValue


class CaseItem(Open):
    id: int
    incident_id: str
    policy_number: str
    business: str
    phase: str
    status: str
    available: bool
    deadlines: list[DeadlineOut]


class CaseOut(CaseItem):
    team: str
    unavailable_reason: str | None
    unavailable_message: str | None
    phases: list[dict[str, JsonValue]]
    referrals: list[ReferralOut]
    timeline: list[EventOut]


class VendorOut(Open):
    id: int
    category: str
    name: str
    contact: str
    phone: str
    email: str
    area: str
    active: bool


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def incident_json(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    """The incident as interfaces.md §2 answers it: emergency support, regulatory block, deadlines."""
    lang = api_errors.lang_of(request)
    body: dict[str, Any] = {
        "id": str(incident.pk),
        "status": incident.status.lower(),
        "policy_number": incident.policy.number,
    }
    if incident.status == Incident.Status.DRAFT:
        body["draft"] = incident.draft
        return body
    full = answer.to_json_dict(incidents.assess(incident, documents.block_of(incident)), lang)
    body.update(
        incident=documents.block_of(incident),
        summary=incident.summary,
        emergency_support=full["emergency_support"],
        regulatory=full["regulatory"],
        deadlines=incident_selectors.deadlines_of(incident),
        attachments=[
            {"id": str(a.pk), "kind": a.kind.lower(), "name": a.original_name, "size": a.size}
            for a in incident.attachments.order_by("uploaded_at")
        ],
    )
    case = getattr(incident, "case", None)
    if case is not None:
        body["case"] = {"id": case.pk, "phase": case.phase, "status": case.status.lower(), "available": case.available}
    return body


@router.post("/incidents", exclude_unset=True, response={201: IncidentOut, **ERRORS})
def incident_create(request: HttpRequest, payload: IncidentIn) -> Any:
    """Report an incident (policyholder, agent or support desk) at any hour; ``draft: true`` keeps it as typed."""
    if payload.draft is True:
        incident = incidents.incident_draft_save(
            user=request.user,
            policy_number=_text(payload.policy_number),
            draft=payload.incident if isinstance(payload.incident, dict) else {},
        )
        return Status(201, incident_json(request, incident))
    if not isinstance(payload.incident, dict):
        raise InvalidInput([FieldError("incident", "E_OBJECT", {"value": payload.incident})])
    incident, _ = incidents.incident_submit(
        user=request.user,
        policy_number=_text(payload.policy_number),
        block=payload.incident,
        summary=_text(payload.summary),
        data_description=_text(payload.data_description),
    )
    return Status(201, incident_json(request, incident))


@router.get("/incidents", exclude_unset=True, response={200: list[IncidentItem], **ERRORS})
def incident_list(
    request: HttpRequest,
    limit: Annotated[int, Between(1, paging.API_MAX_LIMIT)] = paging.API_LIMIT,
    offset: Annotated[int, Between(0, 10**9)] = 0,
) -> Any:
    """The incidents the caller may see (their own business's; staff: their team's), newest first: a
    window of ``limit`` (at most 500) from ``offset``."""
    incidents = incident_selectors.incidents_visible(request.user).select_related("policy", "business")
    return [
        {
            "id": str(i.pk),
            "status": i.status.lower(),
            "policy_number": i.policy.number,
            "business": i.business.name,
            "discovered_at": i.discovered_at.isoformat() if i.discovered_at else None,
            "created_at": i.created_at.isoformat(),
        }
        for i in paging.window(incidents.order_by("-created_at", "pk"), limit, offset)
    ]


@router.get("/incidents/{incident_id}", exclude_unset=True, response={200: IncidentOut, **ERRORS})
def incident_get(request: HttpRequest, incident_id: str) -> Any:
    incident = incident_selectors.incident_get(user=request.user, incident_id=incident_id)
    if incident is None:
        raise NotFound
    return incident_json(request, incident)


@router.put("/incidents/{incident_id}/draft", exclude_unset=True, response={200: IncidentOut, **ERRORS})
def incident_draft(request: HttpRequest, incident_id: str, payload: DraftIn) -> Any:
    """Keep the report form as typed (autosave); a reported incident is no longer a draft (409)."""
    draft = payload.draft if isinstance(payload.draft, dict) else {}
    incident = incidents.incident_draft_save(user=request.user, incident_id=incident_id, draft=draft)
    return incident_json(request, incident)


@router.post("/incidents/{incident_id}/submission", exclude_unset=True, response={200: IncidentOut, **ERRORS})
def incident_finish(request: HttpRequest, incident_id: str, payload: IncidentIn) -> Any:
    """Report a draft: its facts are validated as on ``POST /incidents``; the draft stays as typed if not."""
    if not isinstance(payload.incident, dict):
        raise InvalidInput([FieldError("incident", "E_OBJECT", {"value": payload.incident})])
    incident, _ = incidents.incident_submit(
        user=request.user,
        incident_id=incident_id,
        block=payload.incident,
        summary=_text(payload.summary),
        data_description=_text(payload.data_description),
    )
    return incident_json(request, incident)


@router.post("/incidents/{incident_id}/attachments", exclude_unset=True, response={201: AttachmentOut, **ERRORS})
def attachment_create(
    request: HttpRequest,
    incident_id: str,
    file: File[UploadedFile],
    kind: Form[Annotated[str, Field(max_length=16)]] = "OTHER",
) -> Any:
    """Attach a screenshot, letter or invoice (PNG, JPEG, PDF or text; size limited; checked by content)."""
    attachment = incidents.attachment_add(
        user=request.user,
        incident_id=incident_id,
        kind=kind.upper(),
        name=file.name or "upload",
        content_type=file.content_type or "",
        data=file,
    )
    body = {"id": str(attachment.pk), "kind": attachment.kind.lower(), "size": attachment.size}
    return Status(201, {**body, "content_type": attachment.content_type})


def attachment_response(attachment: Any) -> HttpResponse:
    """The file as a download (never rendered by the browser), streamed, to whoever the caller checked may
    see it; named from its kind and detected type."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.download_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    openapi_extra=binary("application/octet-stream", "the file, as a download"),
)
def attachment_get(request: HttpRequest, attachment_id: str) -> HttpResponse:
    """The file, to those who may see its incident (never from a public address)."""
    attachment = incident_selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    if attachment is None:
        raise NotFound
    return attachment_response(attachment)


# ------------------------------------------------------------------------------------------ support desk


def _desk(request: HttpRequest) -> None:
    authority.require_role(accounts.subject_of(request.user), Action.WORK_CASE)


def case_json(case: Case, lang: str) -> dict[str, Any]:
    phases = incident_selectors.phases_of(case, lang)
    return {
        "id": case.pk,
        "incident_id": str(case.incident_id),
        "policy_number": case.incident.policy.number,
        "business": case.incident.business.name,
        "team": case.team,
        "phase": case.phase,
        "status": case.status.lower(),
        "available": case.available,
        "unavailable_reason": case.unavailable_reason or None,
        "unavailable_message": incident_selectors.unavailable_reason(case, lang),
        "phases": phases,
        "deadlines": incident_selectors.deadlines_of(case.incident),
        "referrals": [
            {"vendor": r.vendor.name, "category": r.vendor.category, "at": r.at.isoformat(), "note": r.note}
            for r in case.referrals.select_related("vendor").order_by("at")
        ],
        "timeline": [
            {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor.username if e.actor else None, "text": e.text,
             "data": e.data}
            for e in case.events.select_related("actor")
        ],
    }  # fmt: skip


@router.get("/cases", exclude_unset=True, response={200: list[CaseItem], **ERRORS})
def case_list(
    request: HttpRequest,
    overdue: bool = False,
    limit: Annotated[int, Between(1, paging.API_MAX_LIMIT)] = paging.API_LIMIT,
    offset: Annotated[int, Between(0, 10**9)] = 0,
) -> Any:
    """The desk's queue: the open cases of the caller's team with their deadlines, the nearest deadline
    first (``overdue``: only those past one), a window of ``limit`` (at most 500) from ``offset``."""
    _desk(request)
    return [
        {
            "id": c.pk,
            "incident_id": str(c.incident_id),
            "policy_number": c.incident.policy.number,
            "business": c.incident.business.name,
            "phase": c.phase,
            "status": c.status.lower(),
            "available": c.available,
            "deadlines": incident_selectors.deadlines_of(c.incident),
        }
        for c in paging.window(incident_selectors.desk_queue(request.user, overdue=overdue), limit, offset)
    ]


def _case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = incident_selectors.cases_for_desk(request.user).filter(pk=case_id).first()
    if case is None:
        raise NotFound
    return case_json(case, api_errors.lang_of(request))


@router.get("/cases/{case_id}", exclude_unset=True, response={200: CaseOut, **ERRORS})
def case_get(request: HttpRequest, case_id: int) -> Any:
    _desk(request)
    return _case(request, case_id)


@router.post("/cases/{case_id}/phase", exclude_unset=True, response={200: CaseOut, **ERRORS})
def case_phase(request: HttpRequest, case_id: int, payload: PhaseIn) -> Any:
    incidents.case_set_phase(user=request.user, case_id=case_id, phase=_text(payload.phase))
    return _case(request, case_id)


@router.post("/cases/{case_id}/checklist", exclude_unset=True, response={200: CaseOut, **ERRORS})
def case_checklist(request: HttpRequest, case_id: int, payload: TickIn) -> Any:
    if not isinstance(payload.item, int) or isinstance(payload.item, bool):
        raise InvalidInput([FieldError("item", "E_INTEGER", {"value": payload.item})])
    done = payload.done is not False
    incidents.case_tick(user=request.user, case_id=case_id, phase=_text(payload.phase), item=payload.item, done=done)
    return _case(request, case_id)


@router.post("/cases/{case_id}/referrals", exclude_unset=True, response={201: CaseOut, **ERRORS})
def case_referral(request: HttpRequest, case_id: int, payload: ReferralIn) -> Any:
    incidents.case_refer(user=request.user, case_id=case_id, vendor_id=payload.vendor_id, note=_text(payload.note))
    return Status(201, _case(request, case_id))


@router.post("/cases/{case_id}/notes", exclude_unset=True, response={201: CaseOut, **ERRORS})
def case_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    incidents.case_note(user=request.user, case_id=case_id, text=_text(payload.text))
    return Status(201, _case(request, case_id))


@router.post("/cases/{case_id}/filings", exclude_unset=True, response={201: CaseOut, **ERRORS})
def case_filing(request: HttpRequest, case_id: int, payload: FilingIn) -> Any:
    """Record that a regulatory report was made; its deadline is then met and no reminder is sent."""
    incidents.report_filed(
        user=request.user,
        case_id=case_id,
        kind=_text(payload.kind),
        filed_at=payload.filed_at,
        note=_text(payload.note),
    )
    return Status(201, _case(request, case_id))


@router.post("/cases/{case_id}/close", exclude_unset=True, response={200: CaseOut, **ERRORS})
def case_close(request: HttpRequest, case_id: int) -> Any:
    incidents.case_close(user=request.user, case_id=case_id)
    return _case(request, case_id)


@router.get("/vendors", exclude_unset=True, response={200: list[VendorOut], **ERRORS})
def vendor_list(request: HttpRequest, category: Annotated[str, Field(max_length=32)] | None = None) -> Any:
    """The vendor directory (forensics, lawyers, PR, call centre, data recovery), for the desk."""
    _desk(request)
    vendors = Vendor.objects.filter(active=True)
    if category:
        vendors = vendors.filter(category=category)
    return [_vendor_json(v) for v in vendors]


class VendorIn(Inputs):
    """A vendor of the directory (the lengths are the directory's own)."""

    category: str | None = Field(None, max_length=32, description="a vendor category of the product's support terms")
    name: str | None = Field(None, max_length=200)
    contact: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    area: str | None = Field(None, max_length=100)
    active: bool | None = None


def _vendor_json(v: Vendor) -> dict[str, Any]:
    return {
        "id": v.pk,
        "category": v.category,
        "name": v.name,
        "contact": v.contact,
        "phone": v.phone,
        "email": v.email,
        "area": v.area,
        "active": v.active,
    }


@router.post("/vendors", exclude_unset=True, response={201: VendorOut, **ERRORS})
def vendor_create(request: HttpRequest, payload: VendorIn) -> Any:
    """Add a vendor to the directory (administrators)."""
    data = payload.model_dump(exclude_unset=True)
    return Status(201, _vendor_json(incidents.vendor_save(user=request.user, data=data)))


@router.patch("/vendors/{vendor_id}", exclude_unset=True, response={200: VendorOut, **ERRORS})
def vendor_change(request: HttpRequest, vendor_id: int, payload: VendorIn) -> Any:
    """Change a vendor, or make it inactive with ``{"active": false}`` (administrators)."""
    data = payload.model_dump(exclude_unset=True)
    return _vendor_json(incidents.vendor_save(user=request.user, data=data, vendor_id=vendor_id))
