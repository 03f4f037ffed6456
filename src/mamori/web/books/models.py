"""The monthly close's documents (PDF and CSV), made by a worker and kept through Django's storage API (this
machine's disk, or S3 by configuration)."""

from __future__ import annotations

import uuid

from django.db import models

from mamori.web import background


def _upload_to(document: CloseDocument, filename: str) -> str:
    return f"books/close/{document.pk}/{filename}"


class CloseDocument(background.Job):
    """The PDF and CSV of a month's close asked for from the books page: made in the background (``mamori
    worker``), retried on failure, their progress shown while they are made; kept once done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    month = models.CharField(max_length=7)  # YYYY-MM
    loss_ratio = models.CharField(max_length=32, blank=True, default="")  # as typed; empty: the portfolio's
    lang = models.CharField(max_length=2, default="ja")
    pdf = models.FileField(upload_to=_upload_to, blank=True, max_length=200)
    csv = models.FileField(upload_to=_upload_to, blank=True, max_length=200)
    made_at = models.DateTimeField(null=True, blank=True)

    class Meta(background.Job.Meta):
        pass
