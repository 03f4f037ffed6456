"""``Idempotency-Key``: a request that creates money or documents, repeated with the same key, returns the
first answer and changes nothing — also when the repeats arrive at the same moment, and also when the
first request died half-way (a worker killed, a lost connection).

The key is claimed inside the action's own transaction: the row holding the answer is inserted first, the
action runs, and the answer is written — all committed together. A concurrent repeat's insert waits on the
unique (user, key) index until the first transaction ends: committed, the repeat gets the stored answer;
rolled back (the action failed, or its worker died and the database ended its transaction), nothing of it
remains and the repeat runs the action itself. No key is ever left pending. A repeat waits at most
``MAMORI_IDEMPOTENCY_WAIT_SECONDS`` (PostgreSQL's lock timeout) for a first request still running, then
answers 409 ``E_IDEMPOTENCY_IN_PROGRESS``: a worker is never held for the whole of another request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpRequest

from mamori.web.api.models import IdempotencyRecord
from mamori.web.errors import Conflict

#: The status of a row written by the earlier scheme before its answer (never written now).
PENDING = 0
KEY_MAX = 200


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(request.path.encode())
    digest.update(b"\0")
    digest.update(request.body or b"")
    return digest.hexdigest()


def idempotent(request: HttpRequest, action: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """Run ``action`` (→ status, JSON body) once per ``Idempotency-Key`` of the user."""
    key = request.headers.get("Idempotency-Key", "").strip()[:KEY_MAX]
    if not key:
        return action()
    user = request.user
    operation = f"{request.method} {request.path}"[:200]
    fingerprint = _request_hash(request)
    # A row left pending by the earlier scheme (its request died) is stale: it is released.
    IdempotencyRecord.objects.filter(user=user, key=key, status_code=PENDING).delete()
    with transaction.atomic():
        _lock_timeout(int(settings.MAMORI_IDEMPOTENCY_WAIT_SECONDS * 1000))
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, operation=operation, request_hash=fingerprint, status_code=PENDING, body={}
                )
        except IntegrityError:
            return _replay(user, key, fingerprint)
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                raise Conflict("Idempotency-Key", "E_IDEMPOTENCY_IN_PROGRESS") from None
            raise
        _lock_timeout(0)  # the action's own locks wait as they always did
        status, body = action()
        IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=status, body=body)
    return status, body


#: PostgreSQL's "lock not available" (a lock timeout).
LOCK_NOT_AVAILABLE = "55P03"


def _lock_timeout(milliseconds: int) -> None:
    """How long this transaction waits for a lock (PostgreSQL; SQLite waits for its write lock anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"])


def _replay(user: Any, key: str, fingerprint: str) -> tuple[int, Any]:
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None or record.status_code == PENDING:  # released meanwhile: the caller may simply retry
        raise Conflict("Idempotency-Key", "E_IDEMPOTENCY_IN_PROGRESS")
    if record.request_hash != fingerprint:
        raise Conflict("Idempotency-Key", "E_IDEMPOTENCY_REUSED")
    return record.status_code, record.body
