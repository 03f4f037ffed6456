"""Reading incidents and cases: a policyholder their own business's, an agent their agency's, the support
desk and claims staff the cases of their team (administrators all); the deadlines with the time left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mamori.claims import answer
from mamori.claims.schema import PersonalData
from mamori.support import deadlines
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.incidents.documents import PERSONAL_DATA_KEYS
from mamori.web.incidents.models import Attachment, Case, Incident
from mamori.web.policies import selectors as policy_selectors


def _team(user: User | None) -> str:
    profile = accounts.profile_of(user) if user is not None else None
    return profile.team if profile is not None else ""


def incidents_visible(user: User | None) -> QuerySet[Incident]:
    """Reporters see their businesses' incidents; desk and claims staff those of their team's cases."""
    incidents = Incident.objects.select_related("policy", "business")
    if user is None or not user.is_authenticated:
        return incidents.none()
    if accounts.has_role(user, roles.ADMINISTRATOR):
        return incidents
    mine = (
        Q(business__in=accounts.visible_businesses(user))
        if accounts.has_role(user, roles.POLICYHOLDER, roles.AGENT)
        else Q(pk=None)
    )
    if accounts.has_role(user, roles.SUPPORT_DESK, roles.CLAIMS_HANDLER):
        return incidents.filter(mine | Q(case__team=_team(user)) | Q(status=Incident.Status.DRAFT, reported_by=user))
    return incidents.filter(mine)


def incident_get(*, user: User | None, incident_id: Any) -> Incident | None:
    try:
        return incidents_visible(user).filter(pk=incident_id).first()
    except (ValueError, TypeError, ValidationError):  # a malformed id is simply not found
        return None


def attachment_get(*, user: User | None, attachment_id: Any) -> Attachment | None:
    """An attachment, only to those who may see its incident (None otherwise, or for a malformed id)."""
    try:
        return Attachment.objects.filter(pk=attachment_id, incident__in=incidents_visible(user)).first()
    except (ValueError, TypeError, ValidationError):
        return None


def cases_for_desk(user: User | None) -> QuerySet[Case]:
    """The support desk's queue: the open cases of the user's team (all for administrators)."""
    cases = Case.objects.select_related("incident", "incident__policy", "incident__business")
    if accounts.has_role(user, roles.ADMINISTRATOR):
        return cases
    if accounts.has_role(user, roles.SUPPORT_DESK):
        return cases.filter(team=_team(user))
    return cases.none()


def desk_queue(user: User | None, *, search: str = "", overdue: bool = False) -> QuerySet[Case]:
    """The open cases of the desk, the nearest deadline first (cases without one last, oldest first), with
    what a row of the queue shows selected and prefetched: a page costs the same at any size of the book."""
    cases = (
        cases_for_desk(user)
        .filter(status=Case.Status.OPEN)
        .select_related("incident__policy__product_version")
        .prefetch_related("incident__filings")
        .defer("incident__draft")  # the form as typed: not a queue's business
    )
    if overdue:
        cases = cases.filter(next_deadline_at__lt=timezone.now())
    search = search.strip()[:100]
    if search:
        cases = cases.filter(Q(incident__policy__number__iexact=search) | Q(incident__business__name__icontains=search))
    return cases.order_by(F("next_deadline_at").asc(nulls_last=True), "opened_at", "pk")


#: The reports the desk tracks, in the order shown (interfaces.md §2 ``deadlines[].kind``).
REPORT_KINDS = ("preliminary", "final", "gdpr", "card_brands")
#: Their names (ja, en), as the desk, the policyholder and the reminders call them.
REPORT_NAMES = {
    "preliminary": (
        "個人情報保護委員会への速報",
        "preliminary report to the Personal Information Protection Commission",
    ),
    "final": ("個人情報保護委員会への確報", "final report to the Personal Information Protection Commission"),
    "gdpr": ("EU監督機関への通知（GDPR・72時間以内）", "notice to the EU supervisory authority (GDPR, 72 hours)"),
    "card_brands": ("カード会社（加盟店契約会社）への通知", "notice to the card acquirer and brands"),
}


def phases_of(case: Case, lang: str) -> list[dict[str, Any]]:
    """The four response phases of the product's support terms, each with its checklist (ticked or not),
    the vendor categories it refers to, and whether it is the case's current phase, in ``lang``."""
    support = policy_selectors.version_of(case.incident.policy).support
    ticked = set(case.ticks.values_list("phase", "item"))
    en = lang == "en"
    return [
        {
            "id": phase.id,
            "name": phase.en if en else phase.ja,
            "current": phase.id == case.phase,
            "vendors": [
                {"id": v, "name": support.vendors[v].en if en else support.vendors[v].ja}
                for v in phase.vendors
                if v in support.vendors
            ],
            "checklist": [
                {"item": n, "text": item[1] if en else item[0], "done": (phase.id, n) in ticked}
                for n, item in enumerate(phase.checklist)
            ],
        }
        for phase in support.phases
    ]


def unavailable_reason(case: Case, lang: str) -> str | None:
    """Why the emergency support is not available for the case, in ``lang`` (None when it is)."""
    if case.available or not case.unavailable_reason:
        return None
    return answer.support_reason_text(policy_selectors.version_of(case.incident.policy), case.unavailable_reason, lang)


def deadlines_of(incident: Incident, *, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The regulatory deadlines of a reported incident, with the time left (negative when overdue) or when
    the report was filed. Card brands are told "without delay": no due time, never late.

    The core's deadline rules (``support.deadlines``, as a claim calculation applies them) on the facts as
    they were validated when the incident was reported; no claim is calculated for it.
    """
    if incident.status != Incident.Status.SUBMITTED or incident.discovered_at is None:
        return []
    now = now or timezone.now()
    version = policy_selectors.version_of(incident.policy)
    tz = version.tz
    regulatory = deadlines.regulatory(
        version.regulatory,
        tz=tz,
        discovered_at=incident.discovered_at,
        affected_persons=incident.affected_persons,
        data=PersonalData(**{k: bool(incident.personal_data.get(k, False)) for k in PERSONAL_DATA_KEYS}),
    )
    due_of: dict[str, dt.date | dt.datetime | None] = {
        "preliminary": regulatory.preliminary_due,
        "final": regulatory.final_due,
        "gdpr": regulatory.gdpr_due,
    }
    filed = {f.kind: f for f in incident.filings.all()}
    out = []
    for kind in REPORT_KINDS:
        if kind == "card_brands" and not regulatory.notify_card_brands:
            continue
        due = due_of.get(kind)
        if kind != "card_brands" and due is None:
            continue
        entry: dict[str, Any] = {"kind": kind, "due": due.isoformat() if due is not None else None}
        filing = filed.get(kind)
        entry["filed_at"] = filing.filed_at.isoformat() if filing is not None else None
        left = deadlines.time_left(due, now, tz) if due is not None and filing is None else None
        entry["time_left_seconds"] = int(left.total_seconds()) if left is not None else None
        entry["time_left"] = _duration(left) if left is not None else None
        entry["overdue"] = left is not None and left.total_seconds() < 0
        out.append(entry)
    return out


def _duration(left: dt.timedelta) -> str:
    """ISO 8601 duration, signed: ``P2DT3H`` (``-PT5H`` when overdue)."""
    seconds = int(left.total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    return f"{sign}P{days}DT{hours}H{minutes}M"


def next_deadline_at(incident: Incident, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """The earliest regulatory deadline of the incident not yet met (None when none is left): what the
    desk's queue is sorted by (stored on the case by the services that change it)."""
    now = now or timezone.now()
    lefts = [d["time_left_seconds"] for d in deadlines_of(incident, now=now) if d["time_left_seconds"] is not None]
    return now + dt.timedelta(seconds=min(lefts)) if lefts else None
