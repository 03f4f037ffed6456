"""Reading the audit log (administrators)."""

from __future__ import annotations

from django.db.models import QuerySet

from mamori.web.audit.models import AuditEvent


def audit_events(
    *, object_type: str | None = None, object_id: str | None = None, action: str | None = None
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if action:
        events = events.filter(action__startswith=action)
    return events
