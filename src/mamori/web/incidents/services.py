"""Writes of incidents and the support desk. The incident's facts are validated by the core, as the incident
block of a claim document of the policy; its emergency-support availability and regulatory deadlines come
from the core's calculation of that document (no costs yet) — whether or not the insurance will pay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from mamori import authority, usecases
from mamori.authority import Action, Target
from mamori.claims.result import ClaimResult
from mamori.errors import FieldError, InvalidInput
from mamori.support import deadlines, emergency
from mamori.support.lifecycle import CaseAction, CaseState, IncidentAction, IncidentState
from mamori.usecases import claims_handling
from mamori.web import mail
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.audit.services import audit_record
from mamori.web.errors import Conflict, NotFound
from mamori.web.incidents import documents, selectors, uploads
from mamori.web.incidents.models import (
    Attachment,
    Case,
    CaseEvent,
    ChecklistTick,
    DeadlineNotice,
    Incident,
    Referral,
    ReportFiling,
    Vendor,
)
from mamori.web.policies import selectors as policy_selectors
from mamori.web.policies.models import Policy
from mamori.web.rows import is_id, locked


def _reportable_policy(user: AbstractBaseUser, number: str | None) -> Policy:
    """The policy an incident is reported on, if the user may report on it (authority table)."""
    subject = accounts.subject_of(user)
    authority.require_role(subject, Action.REPORT_INCIDENT)
    if not number:
        raise InvalidInput([FieldError("policy_number", "E_REQUIRED")])
    policy = Policy.objects.filter(business__in=accounts.visible_businesses(user), number=str(number)[:32]).first()
    if policy is None:
        raise NotFound
    authority.require(subject, Action.REPORT_INCIDENT, accounts.business_target(policy.business))
    return policy


def _visible_incident(user: AbstractBaseUser, incident_id: Any, action: IncidentAction) -> Incident:
    """The incident, if the user may see it, locked until the transaction ends (else NotFound), when the
    authority table and the incident's lifecycle allow ``action``."""
    incident: Incident = locked(selectors.incidents_visible(user), incident_id)
    subject = accounts.subject_of(user)
    claims_handling.incident_step(
        subject, accounts.business_target(incident.business), IncidentState(incident.status), action
    )
    return incident


def incident_draft_save(
    *, user: AbstractBaseUser, draft: Mapping[str, Any], policy_number: str | None = None, incident_id: Any = None
) -> Incident:
    """Keep the form exactly as typed (a draft is never validated, so nothing typed is ever lost)."""
    clean = {str(k): v for k, v in draft.items() if isinstance(v, str | int | float | bool | list) or v is None}
    with transaction.atomic():
        if incident_id is not None:
            incident = _visible_incident(user, incident_id, IncidentAction.SAVE_DRAFT)
            incident.draft = clean
            incident.updated_at = timezone.now()
            incident.save(update_fields=["draft", "updated_at"])
            return incident
        policy = _reportable_policy(user, policy_number)
        incident = Incident.objects.create(policy=policy, business=policy.business, draft=clean, reported_by=user)
        audit_record(
            actor=user,
            action="incident.draft",
            object_type="incident",
            object_id=incident.pk,
            after={"policy": policy.number},
        )
        return incident


def assess(incident: Incident | Policy, block: Mapping[str, Any]) -> ClaimResult:
    """The core's view of an incident of a policy (no costs): support availability and regulatory deadlines."""
    policy = incident.policy if isinstance(incident, Incident) else incident
    document = documents.claim_document(policy=policy, incident=block, costs=[], bi=None, prior=None)
    return usecases.calculate_claim(documents.catalog(), document, version=policy_selectors.version_of(policy))


def incident_submit(
    *,
    user: AbstractBaseUser,
    block: Mapping[str, Any],
    policy_number: str | None = None,
    incident_id: Any = None,
    summary: str = "",
    data_description: str = "",
) -> tuple[Incident, ClaimResult]:
    """Report an incident: its facts validated by the core (InvalidInput names each field), the support
    desk's case opened with the core's triage, the support team and the policyholder told after commit."""
    with transaction.atomic():
        if incident_id is not None:
            incident = _visible_incident(user, incident_id, IncidentAction.SUBMIT)
        else:
            policy = _reportable_policy(user, policy_number)
            incident = Incident(policy=policy, business=policy.business, reported_by=user)
        block = documents.with_third_party(block)
        result = assess(incident, block)
        discovered = documents.instant(block.get("discovered_at"))
        claims_handling.not_in_future("incident.discovered_at", discovered, block.get("discovered_at"), timezone.now())
        documents.store(incident, block)
        incident.summary, incident.data_description = summary[:5000], data_description[:5000]
        incident.status = Incident.Status.SUBMITTED
        incident.submitted_at = incident.updated_at = timezone.now()
        incident.save()
        support = result.support
        case = Case.objects.create(
            incident=incident,
            team=settings.MAMORI_DEFAULT_TEAM,
            phase=support.phases[0] if support.phases else "",
            available=support.available,
            unavailable_reason=support.reason or "",
            next_deadline_at=selectors.next_deadline_at(incident),
        )
        CaseEvent.objects.create(
            case=case,
            actor=user,
            kind="opened",
            data={"phases": list(support.phases), "vendors": list(support.vendors), "available": support.available},
        )
        audit_record(
            actor=user,
            action="incident.submit",
            object_type="incident",
            object_id=incident.pk,
            after={
                "policy": incident.policy.number,
                "accident_types": incident.accident_types,
                "available": support.available,
                "reason": support.reason,
            },
        )
        _notify_case_opened(incident.pk)  # queued: sent by a worker once this commits
    return incident, result


def _emergency_footer(incident: Incident) -> str:
    """The 24-hour line, what to do now and the link to the incident (every incident e-mail, issue 15)."""
    link = settings.SITE_URL + reverse("pages:incident", kwargs={"incident_id": incident.pk})
    return emergency.email_footer(policy_selectors.version_of(incident.policy).support, link)


def _notify_case_opened(incident_id: Any) -> None:
    incident = Incident.objects.select_related("policy", "business").get(pk=incident_id)
    to = [u.email for u in accounts.users_with_role(roles.SUPPORT_DESK) if u.email]
    if incident.business.email:
        to.append(incident.business.email)
    if to:
        mail.mail_queue(
            subject=f"【守り】事故受付 / Incident reported: {incident.policy.number}",
            message=(
                f"事故を受け付けました（証券番号 {incident.policy.number}）。緊急時サポート窓口からご連絡します。\n"
                f"An incident was reported on policy {incident.policy.number}; the support desk will contact you.\n\n"
                + _emergency_footer(incident)
            ),
            to=to,
        )


def attachment_add(
    *, user: AbstractBaseUser, incident_id: Any, kind: str, name: str, content_type: str, data: bytes | IO[bytes]
) -> Attachment:
    """Attach a file (checked by its content, not its name; ``data`` is the bytes or the uploaded file,
    read in chunks); a refused file changes nothing else. The stored name is random, the download name
    comes from the detected type."""
    found = uploads.check(name=name, content_type=content_type, data=data, kind=kind)
    with transaction.atomic():
        incident: Incident = locked(selectors.incidents_visible(user), incident_id)
        team = getattr(getattr(incident, "case", None), "team", None)
        claims_handling.attach(
            accounts.subject_of(user),
            accounts.business_target(incident.business, team=team),
            IncidentState(incident.status),
        )
        attachment = Attachment(
            incident=incident,
            kind=found.kind,
            original_name=name[:255],
            content_type=found.content_type,
            size=found.size,
            sha256=found.sha256,
            uploaded_by=user,
        )
        attachment.file.save(f"upload.{found.extension}", found.file, save=False)
        attachment.save()
        audit_record(
            actor=user,
            action="attachment.add",
            object_type="incident",
            object_id=incident.pk,
            after={
                "attachment": str(attachment.pk),
                "kind": attachment.kind,
                "size": attachment.size,
                "content_type": attachment.content_type,
            },
        )
    return attachment


# ------------------------------------------------------------------------------------------ vendor directory

VENDOR_FIELDS = ("category", "name", "contact", "phone", "email", "area", "active")


def vendor_save(*, user: AbstractBaseUser, data: Mapping[str, Any], vendor_id: Any = None) -> Vendor:
    """Add a vendor to the directory, or change one (administrators); a vendor no longer used is made
    inactive, never deleted (referrals keep pointing at it)."""
    authority.require(accounts.subject_of(user), Action.VENDORS)
    categories = sorted(documents.catalog().latest().support.vendors)
    errors = [
        FieldError(k, "E_UNKNOWN_FIELD", {"value": k, "allowed": list(VENDOR_FIELDS)})
        for k in data
        if k not in VENDOR_FIELDS
    ]
    text = {k: data[k] for k in VENDOR_FIELDS if k in data and k != "active"}
    for key, value in text.items():
        if not isinstance(value, str):
            errors.append(FieldError(key, "E_TEXT", {"value": value}))
    if "category" in text and text["category"] not in categories:
        errors.append(FieldError("category", "E_CHOICE", {"value": text["category"], "allowed": categories}))
    if vendor_id is None and not str(text.get("name", "")).strip():
        errors.append(FieldError("name", "E_REQUIRED"))
    if vendor_id is None and "category" not in text:
        errors.append(FieldError("category", "E_REQUIRED", {"allowed": categories}))
    if isinstance(text.get("email"), str) and text["email"].strip() and not _is_email(text["email"].strip()):
        errors.append(FieldError("email", "E_EMAIL", {"value": text["email"]}))
    if "active" in data and not isinstance(data["active"], bool):
        errors.append(FieldError("active", "E_BOOLEAN", {"value": data["active"]}))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        vendor = Vendor() if vendor_id is None else locked(Vendor.objects.all(), vendor_id)
        before = {k: getattr(vendor, k) for k in VENDOR_FIELDS} if vendor.pk else None
        for key, value in text.items():
            setattr(vendor, key, value.strip()[:200])
        if "active" in data:
            vendor.active = data["active"]
        vendor.save()
        audit_record(
            actor=user,
            action="vendor.save",
            object_type="vendor",
            object_id=vendor.pk,
            before=before,
            after={k: getattr(vendor, k) for k in VENDOR_FIELDS},
        )
    return vendor


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# ------------------------------------------------------------------------------------------ support desk


def _desk_case(user: AbstractBaseUser, case_id: Any, action: CaseAction = CaseAction.WORK) -> Case:
    """The case, if the desk of the user's team works it, locked (else NotFound), when the authority table
    and the case's lifecycle allow ``action`` (an open case)."""
    authority.require_role(accounts.subject_of(user), Action.WORK_CASE)
    case: Case = locked(selectors.cases_for_desk(user), case_id)
    claims_handling.case_step(accounts.subject_of(user), Target(team=case.team), CaseState(case.status), action)
    return case


def case_set_phase(*, user: AbstractBaseUser, case_id: Any, phase: str) -> Case:
    with transaction.atomic():
        case = _desk_case(user, case_id)
        known = [p.id for p in policy_selectors.version_of(case.incident.policy).support.phases]
        if phase not in known:
            raise InvalidInput([FieldError("phase", "E_CHOICE", {"value": phase, "allowed": known})])
        before = case.phase
        case.phase = phase
        case.save(update_fields=["phase"])
        CaseEvent.objects.create(case=case, actor=user, kind="phase", data={"from": before, "to": phase})
        audit_record(
            actor=user,
            action="case.phase",
            object_type="case",
            object_id=case.pk,
            before={"phase": before},
            after={"phase": phase},
        )
    return case


def case_tick(*, user: AbstractBaseUser, case_id: Any, phase: str, item: int, done: bool = True) -> Case:
    with transaction.atomic():
        case = _desk_case(user, case_id)
        phases = {p.id: p for p in policy_selectors.version_of(case.incident.policy).support.phases}
        if phase not in phases or not 0 <= item < len(phases[phase].checklist):
            raise InvalidInput([FieldError("item", "E_CHOICE", {"value": f"{phase}/{item}", "allowed": list(phases)})])
        existing = ChecklistTick.objects.filter(case=case, phase=phase, item=item)
        if done and not existing.exists():
            ChecklistTick.objects.create(case=case, phase=phase, item=item, done_by=user)
        elif not done:
            existing.delete()
        CaseEvent.objects.create(
            case=case, actor=user, kind="checklist", data={"phase": phase, "item": item, "done": done}
        )
        audit_record(
            actor=user,
            action="case.checklist",
            object_type="case",
            object_id=case.pk,
            after={"phase": phase, "item": item, "done": done},
        )
    return case


def case_note(*, user: AbstractBaseUser, case_id: Any, text: str) -> CaseEvent:
    if not text.strip():
        raise InvalidInput([FieldError("text", "E_REQUIRED")])
    with transaction.atomic():
        case = _desk_case(user, case_id)
        event = CaseEvent.objects.create(case=case, actor=user, kind="note", text=text.strip()[:5000])
        audit_record(
            actor=user, action="case.note", object_type="case", object_id=case.pk, after={"note": event.text[:200]}
        )
    return event


def case_refer(*, user: AbstractBaseUser, case_id: Any, vendor_id: Any, note: str = "") -> Referral:
    with transaction.atomic():
        case = _desk_case(user, case_id)
        active = Vendor.objects.filter(active=True)
        vendor = active.filter(pk=vendor_id).first() if is_id(vendor_id) else None
        if vendor is None:
            raise InvalidInput(
                [
                    FieldError(
                        "vendor",
                        "E_CHOICE",
                        {
                            "value": vendor_id,
                            "allowed": list(Vendor.objects.filter(active=True).values_list("pk", flat=True)),
                        },
                    )
                ]
            )
        referral = Referral.objects.create(case=case, vendor=vendor, referred_by=user, note=note[:2000])
        CaseEvent.objects.create(
            case=case,
            actor=user,
            kind="referral",
            text=note[:2000],
            data={"vendor": vendor.name, "category": vendor.category},
        )
        audit_record(
            actor=user,
            action="case.referral",
            object_type="case",
            object_id=case.pk,
            after={"vendor": vendor.name, "category": vendor.category},
        )
    return referral


def case_close(*, user: AbstractBaseUser, case_id: Any) -> Case:
    with transaction.atomic():
        case = _desk_case(user, case_id, CaseAction.CLOSE)
        case.status = CaseState.CLOSED.value
        case.save(update_fields=["status"])
        CaseEvent.objects.create(case=case, actor=user, kind="closed")
        audit_record(
            actor=user,
            action="case.close",
            object_type="case",
            object_id=case.pk,
            before={"status": "OPEN"},
            after={"status": "CLOSED"},
        )
    return case


def report_filed(
    *, user: AbstractBaseUser, case_id: Any, kind: str, filed_at: Any = None, note: str = ""
) -> ReportFiling:
    """Record that a regulatory report was made (when: now unless given); its deadline is then met."""
    with transaction.atomic():
        case = _desk_case(user, case_id)
        kinds = [d["kind"] for d in selectors.deadlines_of(case.incident)]
        if kind not in kinds:
            raise InvalidInput([FieldError("kind", "E_CHOICE", {"value": kind, "allowed": kinds})])
        at = _read_instant("filed_at", filed_at) if filed_at not in (None, "") else timezone.now()
        if ReportFiling.objects.filter(incident=case.incident, kind=kind).exists():
            raise Conflict("kind", "E_REPORT_FILED", kind=kind)
        filing = ReportFiling.objects.create(
            incident=case.incident, kind=kind, filed_at=at, filed_by=user, note=note[:2000]
        )
        CaseEvent.objects.create(
            case=case, actor=user, kind="filed", text=note[:2000], data={"kind": kind, "filed_at": at.isoformat()}
        )
        Case.objects.filter(pk=case.pk).update(next_deadline_at=selectors.next_deadline_at(case.incident))
        audit_record(
            actor=user,
            action="case.report_filed",
            object_type="case",
            object_id=case.pk,
            after={"kind": kind, "filed_at": at.isoformat()},
        )
    return filing


def _read_instant(field: str, raw: Any) -> dt.datetime:
    """An aware instant from ISO 8601 text; a time without an offset is read in Japan time."""
    if isinstance(raw, dt.datetime):
        at = raw
    else:
        try:
            at = dt.datetime.fromisoformat(str(raw))
        except ValueError:
            raise InvalidInput([FieldError(field, "E_DATETIME", {"value": raw})]) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo("Asia/Tokyo"))
    claims_handling.not_in_future(field, at, raw, timezone.now())
    return at


# ------------------------------------------------------------------------------------------ deadlines


def deadline_notices(*, now: dt.datetime | None = None) -> list[tuple[str, str, str]]:
    """Tell the support desk and the policyholder of every regulatory deadline that is approaching (within
    the warning hours) or overdue, once per deadline and stage: (incident, kind, stage) of each sent."""
    now = now or timezone.now()
    sent: list[tuple[str, str, str]] = []
    open_incidents = Incident.objects.filter(status=Incident.Status.SUBMITTED, case__status=Case.Status.OPEN)
    for incident in open_incidents.select_related("policy", "business"):
        for deadline in selectors.deadlines_of(incident, now=now):
            if deadline["time_left_seconds"] is None:  # filed, or "without delay"
                continue
            left = dt.timedelta(seconds=deadline["time_left_seconds"])
            stage = deadlines.reminder_stage(left, policy_selectors.version_of(incident.policy).regulatory)
            if stage is None:
                continue
            with transaction.atomic():
                _, created = DeadlineNotice.objects.get_or_create(incident=incident, kind=deadline["kind"], stage=stage)
                if created:
                    CaseEvent.objects.create(
                        case=incident.case,
                        kind="notice",
                        data={"kind": deadline["kind"], "stage": stage, "due": deadline["due"]},
                    )
                    _notify_deadline(incident, deadline, stage)  # a task each, queued once this commits
                    sent.append((str(incident.pk), deadline["kind"], stage))
    return sent


@task()
def deadline_reminders_job() -> int:
    """The deadline reminders as a worker's task (``mamori worker`` queues it every hour; ``mamori jobs
    deadlines`` does the same in the calling process): each reminder e-mail a task of its own. The number."""
    next_deadlines_refresh()
    return len(deadline_notices())


def _notify_deadline(incident: Incident, deadline: Mapping[str, Any], stage: str) -> None:
    to = [u.email for u in accounts.users_with_role(roles.SUPPORT_DESK) if u.email]
    if incident.business.email:
        to.append(incident.business.email)
    ja, en = selectors.REPORT_NAMES[deadline["kind"]]
    number, due = incident.policy.number, deadline["due"]
    state_ja, state_en = {
        "approaching": ("期限が近づいています", "is approaching"),
        "overdue": ("期限を過ぎています", "is overdue"),
    }[stage]
    if to:
        mail.mail_queue(
            subject=f"【守り】{ja}の{state_ja} / The {en} {state_en} ({number})",
            message=(
                f"{ja}（期限 {due}、証券番号 {number}）の{state_ja}。\n"
                f"The {en} (due {due}, policy {number}) {state_en}.\n\n" + _emergency_footer(incident)
            ),
            to=to,
        )


def next_deadlines_refresh() -> int:
    """Store the next deadline of the open cases that have none stored (cases opened before it was kept,
    or with no deadline left): run at start and by the hourly deadline job. The number updated."""
    updated = 0
    open_cases = Case.objects.filter(status=Case.Status.OPEN, next_deadline_at__isnull=True)
    for case in open_cases.select_related("incident", "incident__policy", "incident__policy__product_version"):
        at = selectors.next_deadline_at(case.incident)
        if at is not None:
            updated += Case.objects.filter(pk=case.pk, next_deadline_at__isnull=True).update(next_deadline_at=at)
    return updated
