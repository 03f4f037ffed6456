"""Row locks of the services: the object a caller may see, locked for the rest of the transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from mamori.web.errors import NotFound


def locked(visible: QuerySet[Any], pk: Any) -> Any:
    """Row ``pk`` of ``visible`` (the caller's view: it may join other tables), locked until the transaction
    ends. The lock is taken on the row alone — PostgreSQL does not lock the nullable side of an outer join —
    and the row is read again once locked. NotFound when the caller may not see it, or ``pk`` is malformed."""
    try:
        found = visible.filter(pk=pk).values_list("pk", flat=True).first()
    except (ValueError, TypeError, ValidationError):
        found = None
    if found is None:
        raise NotFound
    return visible.model._default_manager.select_for_update().get(pk=found)


def is_id(value: Any) -> bool:
    """A whole number as a row id: an int, or its digits as text."""
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, str) and value.isdigit())
