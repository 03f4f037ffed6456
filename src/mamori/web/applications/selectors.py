"""Reading applications: the applicant's own (or their agency's), and the underwriting queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from mamori import authority
from mamori.authority import Action
from mamori.policy import lifecycle
from mamori.usecases import policies as policy_usecases
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.applications.models import Application
from mamori.web.productdb import selectors as productdb


def applications_visible(user: User | None) -> QuerySet[Application]:
    return Application.objects.filter(business__in=accounts.visible_businesses(user)).select_related(
        "business", "quote"
    )


def application_get(*, user: User | None, application_id: Any) -> Application | None:
    try:
        key = uuid.UUID(str(application_id))
    except ValueError:
        return None
    return applications_visible(user).filter(pk=key).first()


def underwriting_queue(user: User | None) -> QuerySet[Application]:
    if not authority.may_role(accounts.subject_of(user), Action.DECIDE_APPLICATION):
        return Application.objects.none()
    return (
        Application.objects.filter(status=Application.Status.REFERRED).select_related("business").order_by("created_at")
    )


def record_of(app: Application) -> policy_usecases.ApplicationRecord:
    """``app`` as the use cases see it."""
    return policy_usecases.ApplicationRecord(
        state=lifecycle.ApplicationState(app.status),
        version=productdb.catalog().by_hash(app.product_version.content_hash),
        payment=app.payment,
        start_date=app.start_date,
        monthly_premium=app.monthly_premium_yen,
        annual_premium=app.annual_premium_yen,
        target=accounts.business_target(app.business, submitted_by=app.created_by_id),
    )


def with_offers(user: User | None, apps: Iterable[Application]) -> list[Application]:
    """The applications, each with ``actions``: what ``user`` may do with it now (``decide``, ``bind``)."""
    subject = accounts.subject_of(user)
    out = list(apps)
    for app in out:
        app.actions = policy_usecases.application_offers(subject, record_of(app))
    return out


def application_json(app: Application, lang: str = "ja") -> dict[str, Any]:
    reasons = [
        {"code": r["code"], "kind": r.get("kind"), "message": r.get(f"message_{lang}") or r.get("message")}
        for r in app.reasons
    ]
    policy = getattr(app, "policy", None) if app.status == Application.Status.BOUND else None
    return {
        "id": str(app.pk),
        "status": app.status.lower(),
        "reasons": reasons,
        "monthly_premium": app.monthly_premium_yen,
        "annual_premium": app.annual_premium_yen,
        "start": app.start_date.isoformat(),
        "payment": app.payment,
        "business": {"id": app.business_id, "name": app.business.name, "entity": app.business.entity},
        "quote_id": str(app.quote_id),
        "product_version": app.product_version.version,
        "decision_reason": app.decision_reason or None,
        "premium_reason": app.premium_reason or None,
        "policy_number": policy.number if policy is not None else None,
    }
