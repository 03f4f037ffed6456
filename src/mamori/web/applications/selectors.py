"""Reading applications: the applicant's own (or their agency's), and the underwriting queue."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.applications.models import Application


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
    if not accounts.has_role(user, roles.UNDERWRITER):
        return Application.objects.none()
    return (
        Application.objects.filter(status=Application.Status.REFERRED).select_related("business").order_by("created_at")
    )


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
