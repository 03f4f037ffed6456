"""``Idempotency-Key``: a request that creates money or documents, repeated with the same key, returns the
first answer and changes nothing — also when the repeats arrive at the same moment.

The key is claimed first (a row with a unique (user, key), committed on its own), so that of two
concurrent requests only one runs the action; the other waits for the answer and returns it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from mamori.web.api.models import IdempotencyRecord
from mamori.web.errors import Conflict

PENDING = 0
WAIT_SECONDS = 10.0


def _request_hash(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(request.path.encode())
    digest.update(b"\0")
    digest.update(request.body or b"")
    return digest.hexdigest()


def idempotent(request: HttpRequest, action: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """Run ``action`` (→ status, JSON body) once per ``Idempotency-Key`` of the user."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return action()
    user = request.user
    operation = f"{request.method} {request.path}"
    fingerprint = _request_hash(request)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user, key=key[:200], operation=operation, request_hash=fingerprint, status_code=PENDING, body={}
            )
    except IntegrityError:
        return _replay(user, key[:200], fingerprint)
    try:
        status, body = action()
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()  # the action changed nothing: a retry may run it
        raise
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=status, body=body)
    return status, body


def _replay(user: Any, key: str, fingerprint: str) -> tuple[int, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:  # the first request failed and released the key: this one may not run blind
            raise Conflict("Idempotency-Key", "E_IDEMPOTENCY_IN_PROGRESS")
        if record.request_hash != fingerprint:
            raise Conflict("Idempotency-Key", "E_IDEMPOTENCY_REUSED")
        if record.status_code != PENDING:
            return record.status_code, record.body
        if time.monotonic() > deadline:
            raise Conflict("Idempotency-Key", "E_IDEMPOTENCY_IN_PROGRESS")
        time.sleep(0.05)
