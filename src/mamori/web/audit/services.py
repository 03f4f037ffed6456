"""Writing the audit log. Only inside the transaction of the change it records: both commit, or neither."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from mamori.web.audit.models import AuditEvent


class AuditOutsideTransaction(RuntimeError):
    """An audit row must be written in the transaction of the change it records."""


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction(f"{action} on {object_type}:{object_id} is not in a transaction")
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user is not None else "anonymous",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
    )
