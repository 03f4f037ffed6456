"""Pages of incidents, the emergency support desk and claims handling (issue 8).

An incident report is saved as a draft while the user types (htmx) and again before it is submitted, so a
report that the core refuses keeps everything typed; its errors are shown next to their fields. Every
other form posts to a view that calls a service and redirects (POST/redirect/GET) with a message, or shows
the page again with the errors next to the fields and the values typed. What a user may not see is 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mamori import authority
from mamori import catalog as catalog_mod
from mamori.authority import Action, Target
from mamori.claims import answer as answer_mod
from mamori.errors import FieldError, InvalidInput
from mamori.support import deadlines
from mamori.support.lifecycle import CaseState
from mamori.usecases import claims_handling
from mamori.web import paging
from mamori.web.accounts import selectors as accounts
from mamori.web.claimsdesk import selectors as claim_selectors
from mamori.web.claimsdesk import services as claim_services
from mamori.web.claimsdesk.models import Claim, ClaimPayment, CostLine
from mamori.web.errors import Conflict, Forbidden, NotFound
from mamori.web.incidents import documents
from mamori.web.incidents import selectors as incident_selectors
from mamori.web.incidents import services as incident_services
from mamori.web.incidents.models import Attachment, Case, Incident, Vendor
from mamori.web.pages import incident_forms as forms
from mamori.web.pages.views import action_required, lang, refused, say_refused
from mamori.web.policies import selectors as policy_selectors
from mamori.web.policies.models import Policy

#: The forms of the claim page and the inputs an error may name.
CLAIM_FORMS = {
    "cost": forms.COST_TEXT,
    "bi": (*forms.BI_TIMES, *forms.BI_AMOUNTS),
    "decision": ("decision", "notes"),
    "reserve": ("reserve", "reason"),
    "pay": ("amount", "note", "correction_of"),
}
#: The inputs of the incident form that an error may name.
INCIDENT_FIELDS = (*forms.INCIDENT_TEXT, "accident_types", *forms.INCIDENT_FLAGS, "personal_data")


def _version(policy: Policy) -> catalog_mod.ProductVersion:
    return policy_selectors.version_of(policy)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "mamori/error.html", {"message": _("You may not open this page.")}, status=403)


def _local(at: dt.datetime | None) -> str:
    return "" if at is None else timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------------------------------ labels
# Statuses are named here rather than by the models' choices: "Open" and "Paid" already name other things
# in the catalogue (a link; an installment received), and a claim's words differ from a policy's.


def labelled_case(case: Case) -> Case:
    case.status_text = {"OPEN": _("In progress"), "CLOSED": _("Case closed")}.get(case.status, case.status)
    return case


def labelled_claim(claim: Claim) -> Claim:
    claim.status_text = {"OPEN": _("Being assessed"), "DECIDED": _("Decided"), "CLOSED": _("Closed")}.get(
        claim.status, claim.status
    )
    claim.decision_text = {"PAY": _("Payment as calculated"), "DECLINE": _("Not payable")}.get(claim.decision, "")
    return claim


def labelled_payment(payment: ClaimPayment) -> ClaimPayment:
    texts = {"AWAITING_APPROVAL": _("Awaiting approval"), "PAID": _("Paid out"), "REJECTED": _("Rejected")}
    payment.status_text = texts.get(payment.status, payment.status)
    return payment


# ------------------------------------------------------------------------------------------ deadlines


def _deadline_name(kind: str) -> str:
    """The report's name as the desk, the policyholder and the reminders call it."""
    ja, en = incident_selectors.REPORT_NAMES.get(kind, (kind, kind))
    return ja if lang() == "ja" else en[:1].upper() + en[1:]


def time_left_text(seconds: int | None) -> str:
    """``3 days 4 hours left`` or ``5 hours 10 minutes overdue``, in the reader's language."""
    if seconds is None:
        return ""
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        span = _("%(days)d days %(hours)d hours") % {"days": days, "hours": hours}
    else:
        span = _("%(hours)d hours %(minutes)d minutes") % {"hours": hours, "minutes": rest // 60}
    return (_("%(time)s overdue") if seconds < 0 else _("%(time)s left")) % {"time": span}


def _due_text(due: str | None) -> str:
    if not due:
        return _("without delay")
    if "T" in due:
        return _local(dt.datetime.fromisoformat(due))
    return _("%(date)s (end of the day, Japan time)") % {"date": due}


def deadline_rows(incident: Incident) -> list[dict[str, Any]]:
    """The incident's regulatory deadlines as shown: name, due, time left (overdue ones flagged), filed."""
    rows = []
    terms = policy_selectors.version_of(incident.policy).regulatory
    for deadline in incident_selectors.deadlines_of(incident):
        filed = deadline.get("filed_at")
        left = deadline["time_left_seconds"]
        rows.append(
            {
                **deadline,
                "soon": left is not None and deadlines.reminder_stage(dt.timedelta(seconds=left), terms) is not None,
                "name": _deadline_name(deadline["kind"]),
                "due_text": _due_text(deadline["due"]),
                "left": time_left_text(deadline["time_left_seconds"]),
                "filed_text": _local(dt.datetime.fromisoformat(filed)) if filed else "",
            }
        )
    return rows


def _next_deadline(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    timed = [r for r in rows if r["time_left_seconds"] is not None]
    return min(timed, key=lambda r: r["time_left_seconds"]) if timed else None


# ------------------------------------------------------------------------------------------ incident report


def _reportable_policies(user: Any) -> list[Policy]:
    return list(policy_selectors.policies_visible(user).filter(status=Policy.Status.IN_FORCE).order_by("number")[:500])


def _form(
    request: HttpRequest,
    *,
    values: Mapping[str, Any],
    incident: Incident | None,
    status: int = 200,
    errors: Mapping[str, list[str]] | None = None,
    attach_errors: Mapping[str, list[str]] | None = None,
) -> HttpResponse:
    policies = _reportable_policies(request.user)
    version = _version(incident.policy) if incident is not None else None
    if version is None:
        version = _version(policies[0]) if policies else documents.catalog().latest()
    context = {
        "incident": incident,
        "values": values,
        "errors": errors or {},
        "attach_errors": attach_errors or {},
        "policies": policies,
        "types": forms.accident_type_choices(version, lang()),
        "culprits": [(c, _culprit_name(c)) for c in forms.CULPRITS],
        "kinds": Attachment.Kind.choices,
        "attachments": incident.attachments.order_by("uploaded_at") if incident is not None else [],
        "saved_at": _local(incident.updated_at)[-5:] if incident is not None else "",
    }
    return render(request, "mamori/incident_form.html", context, status=status)


def _culprit_name(code: str) -> str:
    names = {
        "external": _("An outside attacker"),
        "former_employee": _("A former employee"),
        "employee": _("An employee"),
        "director": _("A director or officer"),
    }
    return names.get(code, code)


@login_required
def incidents(request: HttpRequest) -> HttpResponse:
    """The user's drafts (to finish) and the incidents they may see."""
    visible = incident_selectors.incidents_visible(request.user)
    context = {
        "drafts": visible.filter(status=Incident.Status.DRAFT).order_by("-updated_at")[:50],
        "reported": visible.filter(status=Incident.Status.SUBMITTED).order_by("-submitted_at")[:100],
        "can_report": authority.may_role(accounts.subject_of(request.user), Action.REPORT_INCIDENT),
    }
    return render(request, "mamori/incidents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    """事故受付: a new report (any hour)."""
    if not authority.may_role(accounts.subject_of(request.user), Action.REPORT_INCIDENT):
        return _forbidden(request)
    if request.method == "POST":
        return _submit(request, _draft_id(request))
    values = forms.incident_values(None)
    policies = _reportable_policies(request.user)
    wanted = request.GET.get("policy", "")
    values["policy_number"] = (
        wanted if any(p.number == wanted for p in policies) else policies[0].number if policies else ""
    )
    return _form(request, values=values, incident=None)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, incident_id: str) -> HttpResponse:
    """A draft reopened: the form as it was typed."""
    incident = incident_selectors.incident_get(user=request.user, incident_id=incident_id)
    if incident is None:
        raise Http404
    if incident.status != Incident.Status.DRAFT:
        return redirect("pages:incident", incident_id=incident.pk)
    if request.method == "POST":
        return _submit(request, incident.pk)
    return _form(request, values=forms.incident_values(incident.draft), incident=incident)


def _draft_id(request: HttpRequest) -> uuid.UUID | None:
    """The draft the form is for (set by the first autosave); a malformed one is not found."""
    raw = request.POST.get("incident_id") or None
    found = forms.uuid_or_none(raw)
    if raw is not None and found is None:
        raise Http404
    return found


def _save_draft(request: HttpRequest, draft: dict[str, Any], incident_id: Any) -> Incident:
    return incident_services.incident_draft_save(
        user=request.user,
        draft=draft,
        incident_id=incident_id,
        policy_number=None if incident_id is not None else (draft.get("policy_number") or None),
    )


def _draft_error(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, InvalidInput):
        return forms.errors_for(exc.errors, lang(), known=INCIDENT_FIELDS)
    if isinstance(exc, Conflict | Forbidden):
        return {"general": [exc.error.message(lang(), plain=True)]}
    return {"policy_number": [FieldError("policy_number", "E_NOT_FOUND").message(lang(), plain=True)]}


def _submit(request: HttpRequest, incident_id: Any) -> HttpResponse:
    """Keep what was typed (the draft), then report it; a refusal shows the errors with everything kept."""
    draft = forms.incident_draft(request.POST)
    try:
        incident = _save_draft(request, draft, incident_id)
    except Conflict:
        messages.info(request, _("This incident has already been reported."))
        return redirect("pages:incident", incident_id=incident_id)
    except (InvalidInput, NotFound, Forbidden) as exc:
        return _form(request, values=forms.incident_values(draft), incident=None, errors=_draft_error(exc), status=422)
    block = forms.incident_block(draft, _version(incident.policy).tz)
    try:
        incident, _result = incident_services.incident_submit(
            user=request.user,
            incident_id=incident.pk,
            block=block,
            summary=draft["summary"],
            data_description=draft["data_description"],
        )
    except InvalidInput as exc:
        errors = forms.errors_for(exc.errors, lang(), known=INCIDENT_FIELDS)
        return _form(request, values=forms.incident_values(draft), incident=incident, errors=errors, status=422)
    except (Conflict, Forbidden) as exc:
        return refused(request, exc, reverse("pages:incident", kwargs={"incident_id": incident.pk}))
    messages.success(request, _("The incident was reported. The emergency support desk will contact you."))
    return redirect("pages:incident", incident_id=incident.pk)


@login_required
@require_POST
def incident_draft(request: HttpRequest) -> HttpResponse:
    """Autosave (htmx): the form as typed becomes (or updates) a draft; answers "saved at HH:MM"."""
    draft = forms.incident_draft(request.POST)
    incident_id = _draft_id(request)
    try:
        incident = _save_draft(request, draft, incident_id)
    except (InvalidInput, NotFound, Forbidden, Conflict) as exc:
        problem = " ".join(m for ms in _draft_error(exc).values() for m in ms)
        return render(request, "mamori/_draft_status.html", {"problem": problem})
    context = {"incident": incident, "saved_at": _local(incident.updated_at)[-5:], "created": incident_id is None}
    response = render(request, "mamori/_draft_status.html", context)
    response["HX-Replace-Url"] = reverse("pages:incident-edit", kwargs={"incident_id": incident.pk})
    return response


# ------------------------------------------------------------------------------------------ incident page


def _incident_page(
    request: HttpRequest, incident: Incident, *, attach_errors: Mapping[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    version = _version(incident.policy)
    shown = answer_mod.to_json_dict(incident_services.assess(incident, documents.block_of(incident)), lang())
    case: Case | None = getattr(incident, "case", None)
    if case is not None:
        labelled_case(case)
    claims = [
        {
            "claim": labelled_claim(claim),
            "paid": claim_services.paid_on_claim(claim).amount,
            "worksheet": forms.worksheet(claim_selectors.answer_in(claim, lang()), version, lang()),
        }
        for claim in claim_selectors.claims_visible(request.user).filter(incident=incident).order_by("created_at")
    ]
    context = {
        "incident": incident,
        "types": forms.accident_type_names(version, incident.accident_types, lang()),
        "culprit": _culprit_name(incident.culprit) if incident.culprit else "",
        "personal": [(k, _personal_name(k)) for k in documents.PERSONAL_DATA_KEYS if incident.personal_data.get(k)],
        "support": shown["emergency_support"],
        "intake": _("Incidents are received %(hours)d hours a day.")
        % {"hours": shown["emergency_support"]["intake_hours"]},
        "regulatory": shown["regulatory"],
        "deadlines": deadline_rows(incident),
        "case": case,
        "phase_name": forms.phase_names(version, lang()).get(case.phase, case.phase) if case else "",
        "attachments": incident.attachments.order_by("uploaded_at"),
        "kinds": Attachment.Kind.choices,
        "attach_errors": attach_errors or {},
        "claims": claims,
        "can_open_claim": not claims
        and incident.status == Incident.Status.SUBMITTED
        and authority.may(
            accounts.subject_of(request.user), Action.HANDLE_CLAIM, Target(team=case.team if case else "")
        ),
        "can_desk": case is not None and incident_selectors.cases_for_desk(request.user).filter(pk=case.pk).exists(),
    }
    return render(request, "mamori/incident.html", context, status=status)


def _personal_name(key: str) -> str:
    names = {
        "special_care": _("Special-care-required personal information (health, beliefs, criminal record…)"),
        "financial": _("Data whose misuse may cause financial loss (card numbers, bank log-ins)"),
        "improper_purpose": _("The leak may have been caused with an improper purpose (attack, theft)"),
        "eu_residents": _("Residents of the EU/EEA are affected"),
        "card_data": _("Payment-card data is involved"),
    }
    return names.get(key, key)


@login_required
def incident_page(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = incident_selectors.incident_get(user=request.user, incident_id=incident_id)
    if incident is None:
        raise Http404
    if incident.status == Incident.Status.DRAFT:
        return redirect("pages:incident-edit", incident_id=incident.pk)
    return _incident_page(request, incident)


@login_required
@require_POST
def incident_attach(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Attach a file; a refused one is explained next to the file input, and nothing else changes."""
    incident = incident_selectors.incident_get(user=request.user, incident_id=incident_id)
    if incident is None:
        raise Http404
    upload = request.FILES.get("file")
    kind = str(request.POST.get("kind", ""))
    try:
        if upload is None:
            raise InvalidInput([FieldError("file", "E_REQUIRED")])
        attachment = incident_services.attachment_add(
            user=request.user,
            incident_id=incident.pk,
            kind=kind,
            name=upload.name or "upload",
            content_type=upload.content_type or "",
            data=upload,
        )
    except InvalidInput as exc:
        errors = forms.errors_for(exc.errors, lang(), known=("file", "kind"))
        if incident.status == Incident.Status.DRAFT:
            values = forms.incident_values(incident.draft)
            return _form(request, values=values, incident=incident, attach_errors=errors, status=422)
        return _incident_page(request, incident, attach_errors=errors, status=422)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The file %(name)s was attached.") % {"name": attachment.original_name})
    if incident.status == Incident.Status.DRAFT:
        return redirect("pages:incident-edit", incident_id=incident.pk)
    return redirect("pages:incident", incident_id=incident.pk)


@login_required
def attachment_download(request: HttpRequest, attachment_id: str) -> FileResponse:
    """The file, only to those who may see its incident (404 for anyone else), always as a download."""
    attachment = incident_selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.download_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------------------------------ support desk


def _support_text(case: Case) -> str:
    if case.available:
        return _("Available")
    return incident_selectors.unavailable_reason(case, lang()) or _("Not available")


@action_required(Action.WORK_CASE)
def desk(request: HttpRequest) -> HttpResponse:
    """The support desk's queue: the open cases of the user's team, the most urgent deadline first."""
    rows = []
    cases = incident_selectors.desk_queue(
        request.user, search=request.GET.get("q", ""), overdue=request.GET.get("overdue") == "1"
    )
    page = paging.page_of(request, cases)
    for case in page:
        version = _version(case.incident.policy)
        deadlines = deadline_rows(case.incident)
        rows.append(
            {
                "case": case,
                "phase": forms.phase_names(version, lang()).get(case.phase, case.phase),
                "support": _support_text(case),
                "next": _next_deadline(deadlines),
                "overdue": any(d["overdue"] for d in deadlines),
            }
        )
    return render(request, "mamori/desk.html", {"rows": rows, "page": page})


def _desk_case(request: HttpRequest, case_id: int) -> Case:
    case = incident_selectors.cases_for_desk(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def _event_text(event: Any, version: catalog_mod.ProductVersion) -> str:
    data = event.data or {}
    phases = forms.phase_names(version, lang())
    checklist: dict[tuple[Any, Any], str] = {
        (p.id, i): ja if lang() == "ja" else en
        for p in version.support.phases
        for i, (ja, en) in enumerate(p.checklist)
    }
    texts: dict[str, Callable[[], str]] = {
        "opened": lambda: _("Case opened"),
        "phase": lambda: (
            _("Phase: %(before)s → %(after)s")
            % {
                "before": phases.get(data.get("from", ""), data.get("from") or "—"),
                "after": phases.get(data.get("to", ""), ""),
            }
        ),
        "checklist": lambda: (
            (_("Done: %(item)s") if data.get("done") else _("Not done: %(item)s"))
            % {"item": checklist.get((data.get("phase"), data.get("item")), "")}
        ),
        "referral": lambda: _("Referred to %(vendor)s") % {"vendor": data.get("vendor", "")},
        "note": lambda: _("Note"),
        "notice": lambda: _("Deadline reminder sent: %(kind)s") % {"kind": _deadline_name(str(data.get("kind", "")))},
        "filed": lambda: _("Report filed: %(kind)s") % {"kind": _deadline_name(str(data.get("kind", "")))},
        "closed": lambda: _("The case was closed."),
    }
    return texts[event.kind]() if event.kind in texts else event.kind


def _vendors(category: str) -> list[Vendor]:
    vendors = Vendor.objects.filter(active=True)
    return list(vendors.filter(category=category) if category else vendors)


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    errors: Mapping[str, list[str]] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    version = _version(case.incident.policy)
    category = str(request.GET.get("category") or (values or {}).get("category") or "")
    categories = dict(forms.vendor_categories(version, lang()))
    context = {
        "case": labelled_case(case),
        "actions": claims_handling.case_offers(
            accounts.subject_of(request.user), Target(team=case.team), CaseState(case.status)
        ),
        "incident": case.incident,
        "types": forms.accident_type_names(version, case.incident.accident_types, lang()),
        "support": _support_text(case),
        "phases": incident_selectors.phases_of(case, lang()),
        "deadlines": deadline_rows(case.incident),
        "categories": categories,
        "category": category,
        "vendors": _vendors(category),
        "referrals": [
            (r, categories.get(r.vendor.category, r.vendor.category)) for r in case.referrals.select_related("vendor")
        ],
        "events": [(e, _event_text(e, version)) for e in case.events.select_related("actor")],
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "mamori/case.html", context, status=status)


@action_required(Action.WORK_CASE)
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, _desk_case(request, case_id))


def _case_action(
    request: HttpRequest, case_id: int, *, known: Iterable[str], action: Callable[[], Any], done: str
) -> HttpResponse:
    case = _desk_case(request, case_id)
    back = reverse("pages:case", kwargs={"case_id": case.pk})
    try:
        action()
    except InvalidInput as exc:
        errors = forms.errors_for(exc.errors, lang(), known=known)
        values = {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        return _case_page(request, case, errors=errors, values=values, status=422)
    except (Conflict, Forbidden) as exc:
        return refused(request, exc, back)
    except NotFound:
        raise Http404 from None
    messages.success(request, done)
    return redirect(back)


@action_required(Action.WORK_CASE)
@require_POST
def case_phase(request: HttpRequest, case_id: int) -> HttpResponse:
    def action() -> Any:
        return incident_services.case_set_phase(user=request.user, case_id=case_id, phase=request.POST.get("phase", ""))

    return _case_action(request, case_id, known=("phase",), action=action, done=_("The phase was changed."))


@action_required(Action.WORK_CASE)
@require_POST
def case_tick(request: HttpRequest, case_id: int) -> HttpResponse:
    """A checklist item done or not done; with htmx, the phase's checklist is answered."""
    case = _desk_case(request, case_id)
    phase = str(request.POST.get("phase", ""))
    item = forms.whole_number(request.POST.get("item"), empty=-1)
    try:
        incident_services.case_tick(
            user=request.user,
            case_id=case.pk,
            phase=phase,
            item=item if isinstance(item, int) else -1,
            done=request.POST.get("done") in ("on", "true", "1"),
        )
    except (InvalidInput, Conflict, Forbidden) as exc:
        say_refused(request, exc)
    if not request.htmx:
        return redirect("pages:case", case_id=case.pk)
    checklist = next((c for c in incident_selectors.phases_of(case, lang()) if c["id"] == phase), None)
    if checklist is None:
        raise Http404
    actions = claims_handling.case_offers(
        accounts.subject_of(request.user), Target(team=case.team), CaseState(case.status)
    )
    return render(request, "mamori/_case_checklist.html", {"case": case, "phase": checklist, "actions": actions})


@action_required(Action.WORK_CASE)
@require_POST
def case_refer(request: HttpRequest, case_id: int) -> HttpResponse:
    def action() -> Any:
        vendor = forms.whole_or_none(request.POST.get("vendor"))
        if vendor is None:
            raise InvalidInput([FieldError("vendor", "E_REQUIRED")])
        return incident_services.case_refer(
            user=request.user, case_id=case_id, vendor_id=vendor, note=str(request.POST.get("note", ""))
        )

    return _case_action(request, case_id, known=("vendor", "note"), action=action, done=_("The referral was recorded."))


@action_required(Action.WORK_CASE)
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    def action() -> Any:
        return incident_services.case_note(user=request.user, case_id=case_id, text=str(request.POST.get("text", "")))

    return _case_action(request, case_id, known=("text",), action=action, done=_("The note was added."))


@action_required(Action.WORK_CASE)
@require_POST
def case_file(request: HttpRequest, case_id: int) -> HttpResponse:
    def action() -> Any:
        return incident_services.report_filed(
            user=request.user,
            case_id=case_id,
            kind=str(request.POST.get("kind", "")),
            filed_at=request.POST.get("filed_at") or None,
            note=str(request.POST.get("note", "")),
        )

    return _case_action(
        request, case_id, known=("kind", "filed_at"), action=action, done=_("The report was recorded as filed.")
    )


@action_required(Action.WORK_CASE)
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    def action() -> Any:
        return incident_services.case_close(user=request.user, case_id=case_id)

    return _case_action(request, case_id, known=(), action=action, done=_("The case was closed."))


# ------------------------------------------------------------------------------------------ claims


@action_required(Action.HANDLE_CLAIM)
def claims_queue(request: HttpRequest) -> HttpResponse:
    """Claims of the team, reported incidents without a claim, and payments waiting for a second approval."""
    user = request.user
    status = request.GET.get("status", "")
    claims = claim_selectors.claims_queue(user, status=status, search=request.GET.get("q", ""))
    page = paging.page_of(request, claims)
    context = {
        "claims": [labelled_claim(c) for c in page],
        "page": page,
        "incidents": incident_selectors.incidents_visible(user)
        .filter(status=Incident.Status.SUBMITTED, claims__isnull=True)
        .select_related("policy", "business")
        .defer("draft")
        .order_by("-submitted_at")[: paging.PER_PAGE],
        # The oldest first, a page of them (a second approval is work in order, like the queues).
        "awaiting": claim_selectors.awaiting_approval(user)
        .defer("claim__bi")
        .order_by("requested_at", "pk")[: paging.PER_PAGE],
    }
    return render(request, "mamori/claims.html", context)


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_open(request: HttpRequest, incident_id: str) -> HttpResponse:
    try:
        claim, _calculation = claim_services.claim_open(user=request.user, incident_id=incident_id)
    except NotFound:
        raise Http404 from None
    except (InvalidInput, Conflict, Forbidden) as exc:
        return refused(request, exc, reverse("pages:claims"))
    messages.success(request, _("The claim was opened."))
    return redirect("pages:claim", claim_id=claim.pk)


def _claim_defaults(claim: Claim) -> dict[str, dict[str, str]]:
    return {
        "cost": dict.fromkeys(forms.COST_TEXT, ""),
        "bi": forms.bi_stored(claim.bi),
        "decision": {"decision": "pay", "notes": ""},
        "reserve": {"reserve": str(claim.reserve_yen), "reason": ""},
        "pay": {"amount": "", "note": "", "correction_of": ""},
    }


def _bi_label(name: str) -> str:
    labels = {
        "outage_start": _("Outage start (Japan time)"),
        "outage_end": _("Outage end (Japan time)"),
        "fiscal_revenue": _("Revenue of the last fiscal year"),
        "operating_profit": _("Operating profit of the last fiscal year"),
        "fixed_costs": _("Fixed costs of the last fiscal year"),
        "standard_revenue": _("Revenue of the same period a year earlier (standard revenue)"),
        "actual_revenue": _("Actual revenue in the indemnity period"),
        "saved_fixed_costs": _("Fixed costs saved"),
        "prevention_spent": _("Spent to prevent a loss of revenue"),
        "revenue_loss_avoided": _("Loss of revenue avoided by it"),
        "continuation_spent": _("Spent to continue the business"),
        "costs_avoided": _("Costs avoided by it"),
    }
    return labels.get(name, name)


def _named(line: CostLine, version: catalog_mod.ProductVersion) -> CostLine:
    line.item_name = version.coverage.name(line.item, lang())
    return line


def _staff_context(
    claim: Claim, version: catalog_mod.ProductVersion, values: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    policy_terms = documents.policy_block(claim.policy, claim.incident.discovered_at)
    bi_values = values["bi"]
    return {
        "costs": [_named(line, version) for line in claim.costs.prefetch_related("evidence").order_by("id")],
        "items": forms.cost_item_choices(version, lang()),
        "evidence": claim.incident.attachments.order_by("uploaded_at"),
        "has_bi": policy_terms["bi_limit"] > 0 or bool(claim.bi),
        "bi_fields": [
            {
                "name": name,
                "label": _bi_label(name),
                "time": name in forms.BI_TIMES,
                "value": bi_values.get(name, ""),
                "error_key": f"bi.{name}",
            }
            for name in (*forms.BI_TIMES, *forms.BI_AMOUNTS)
        ],
        "reserve": claim.reserve_yen,
    }


def _claim_page(
    request: HttpRequest,
    claim: Claim,
    *,
    form: str = "",
    errors: Mapping[str, list[str]] | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    version = _version(claim.policy)
    staff = claim_selectors.claims_for_staff(request.user).filter(pk=claim.pk).exists()
    values = _claim_defaults(claim)
    if form and typed is not None:
        values[form] = {**values[form], **typed}
    subject = accounts.subject_of(request.user)
    book = claim_services.book_of(claim)
    target = Target(team=claim.team)
    context: dict[str, Any] = {
        "claim": labelled_claim(claim),
        "incident": claim.incident,
        "staff": staff,
        "actions": claims_handling.claim_offers(subject, target, book),
        "correctable": [p.id for p in book.correctable()],
        "worksheet": forms.worksheet(claim_selectors.answer_in(claim, lang()), version, lang()),
        "paid": claim_services.paid_on_claim(claim).amount,
        "payments": [
            _offered(labelled_payment(p), subject, target)
            for p in claim.payments.select_related("requested_by", "approved_by").order_by("requested_at", "id")
        ],
        "errors": errors or {},
        "values": values,
        "user_id": request.user.pk,
    }
    context["awaiting_approval"] = bool(book.awaiting())
    if staff:
        context.update(_staff_context(claim, version, values))
    return render(request, "mamori/claim.html", context, status=status)


def _offered(payment: ClaimPayment, subject: Any, target: Target) -> ClaimPayment:
    payment.actions = claims_handling.payment_offers(subject, target, claim_services.record_of(payment))
    return payment


@login_required
def claim_page(request: HttpRequest, claim_id: str) -> HttpResponse:
    claim = claim_selectors.claim_get(user=request.user, claim_id=claim_id)
    if claim is None:
        raise Http404
    return _claim_page(request, claim)


def _staff_claim(request: HttpRequest, claim_id: str) -> Claim:
    claim = claim_selectors.claim_get(user=request.user, claim_id=claim_id)
    if claim is None or not claim_selectors.claims_for_staff(request.user).filter(pk=claim.pk).exists():
        raise Http404
    return claim


def _claim_action(
    request: HttpRequest,
    claim_id: str,
    *,
    form: str,
    action: Callable[[Claim], Any],
    done: str | Callable[[Any], str],
    typed: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Run a claims service; its input errors (422) and a refused amount (409) are shown next to the field
    with what was typed; any other refusal is a message."""
    claim = _staff_claim(request, claim_id)
    back = reverse("pages:claim", kwargs={"claim_id": claim.pk})
    known = CLAIM_FORMS[form]
    typed = typed if typed is not None else {k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        result = action(claim)
    except InvalidInput as exc:
        errors = forms.errors_for(exc.errors, lang(), known=known, prefix=form)
        return _claim_page(request, claim, form=form, errors=errors, typed=typed, status=422)
    except Conflict as exc:
        if forms.short_field(exc.error.field) not in known:
            return refused(request, exc, back)
        errors = forms.errors_for([exc.error], lang(), known=known, prefix=form)
        return _claim_page(request, claim, form=form, errors=errors, typed=typed, status=409)
    except Forbidden as exc:
        return refused(request, exc, back)
    except NotFound:
        raise Http404 from None
    messages.success(request, done if isinstance(done, str) else done(result))
    return redirect(back)


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_cost_add(request: HttpRequest, claim_id: str) -> HttpResponse:
    line, typed = forms.cost_line(request.POST)
    evidence = [str(e) for e in map(forms.uuid_or_none, request.POST.getlist("evidence")) if e is not None]

    def action(claim: Claim) -> Any:
        return claim_services.cost_line_add(user=request.user, claim_id=claim.pk, line=line, evidence=evidence or None)

    return _claim_action(
        request,
        claim_id,
        form="cost",
        action=action,
        done=_("The cost line was added."),
        typed=typed,
    )


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_cost_remove(request: HttpRequest, claim_id: str, line_id: str) -> HttpResponse:
    def action(claim: Claim) -> Any:
        return claim_services.cost_line_remove(user=request.user, claim_id=claim.pk, line_id=line_id)

    return _claim_action(request, claim_id, form="cost", action=action, done=_("The cost line was removed."))


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_bi(request: HttpRequest, claim_id: str) -> HttpResponse:
    typed = forms.bi_typed(request.POST)
    clear = request.POST.get("clear") == "1"

    def action(claim: Claim) -> Any:
        bi = None if clear else forms.bi_inputs(typed, _version(claim.policy).tz)
        return claim_services.claim_set_bi(user=request.user, claim_id=claim.pk, bi=bi)

    return _claim_action(
        request,
        claim_id,
        form="bi",
        action=action,
        done=_("The business-interruption inputs were saved."),
        typed=typed,
    )


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_recalculate(request: HttpRequest, claim_id: str) -> HttpResponse:
    def action(claim: Claim) -> Any:
        return claim_services.claim_recalculate(user=request.user, claim_id=claim.pk)

    return _claim_action(request, claim_id, form="cost", action=action, done=_("The claim was recalculated."))


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_decide(request: HttpRequest, claim_id: str) -> HttpResponse:
    def action(claim: Claim) -> Any:
        return claim_services.claim_decide(
            user=request.user,
            claim_id=claim.pk,
            decision=str(request.POST.get("decision", "")),
            notes=str(request.POST.get("notes", "")),
        )

    return _claim_action(
        request,
        claim_id,
        form="decision",
        action=action,
        done=_("The decision was recorded."),
    )


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_reserve(request: HttpRequest, claim_id: str) -> HttpResponse:
    def action(claim: Claim) -> Any:
        return claim_services.claim_set_reserve(
            user=request.user,
            claim_id=claim.pk,
            amount=forms.whole_number(request.POST.get("reserve"), empty=""),
            reason=str(request.POST.get("reason", "")),
        )

    return _claim_action(request, claim_id, form="reserve", action=action, done=_("The reserve was set."))


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_close(request: HttpRequest, claim_id: str) -> HttpResponse:
    def action(claim: Claim) -> Any:
        return claim_services.claim_close(user=request.user, claim_id=claim.pk)

    return _claim_action(request, claim_id, form="decision", action=action, done=_("The claim was closed."))


@action_required(Action.HANDLE_CLAIM)
@require_POST
def claim_pay(request: HttpRequest, claim_id: str) -> HttpResponse:
    """Request a payment (a negative amount corrects earlier ones); above the four-eyes threshold it waits
    for a second claims user."""

    def action(claim: Claim) -> ClaimPayment:
        return claim_services.payment_request(
            user=request.user,
            claim_id=claim.pk,
            amount=forms.whole_number(request.POST.get("amount"), empty=""),
            note=str(request.POST.get("note", "")),
            correction_of=forms.whole_or_none(request.POST.get("correction_of")),
        )

    return _claim_action(request, claim_id, form="pay", action=action, done=_payment_done)


def _payment_done(payment: ClaimPayment) -> str:
    amount = f"{payment.amount_yen:,}"
    if payment.status == ClaimPayment.Status.AWAITING_APPROVAL:
        above = policy_selectors.version_of(payment.claim.policy).policy.claim_payment_approval_above
        text = _("The payment of %(amount)s yen waits for a second claims user (claim's total above %(above)s yen).")
        return text % {"amount": amount, "above": f"{above:,}"}
    return _("The payment of %(amount)s yen was made.") % {"amount": amount}


@action_required(Action.HANDLE_CLAIM)
@require_POST
def payment_approve(request: HttpRequest, payment_id: int) -> HttpResponse:
    """A second claims user approves a payment (never the one who requested it)."""
    back = request.POST.get("next") or reverse("pages:claims")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("pages:claims")
    try:
        payment = claim_services.payment_approve(user=request.user, payment_id=payment_id)
    except NotFound:
        raise Http404 from None
    except (Conflict, Forbidden) as exc:
        return refused(request, exc, back)
    messages.success(
        request, _("The payment of %(amount)s yen was approved and made.") % {"amount": f"{payment.amount_yen:,}"}
    )
    return redirect(back)
