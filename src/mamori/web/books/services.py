"""The monthly close's PDF and CSV made in the background (administrators): asked for from the books page,
made by a worker (``mamori worker``) — the close computed, the documents written — and kept through Django's
storage API (this machine's disk, or S3 by configuration); never made inside a web request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from mamori import authority
from mamori.errors import Denied, InvalidInput
from mamori.usecases import books as usecase
from mamori.web import background
from mamori.web.accounts import selectors as accounts
from mamori.web.audit.services import audit_record
from mamori.web.books import documents, selectors
from mamori.web.books.models import CloseDocument


def close_documents_request(
    *, user: AbstractBaseUser, month: Any, loss_ratio: Any = None, lang: str = "ja"
) -> CloseDocument:
    """Ask for the PDF and CSV of a month's close in ``lang`` (checked now, made by a worker): the job, queued."""
    authority.require(accounts.subject_of(user), authority.Action.BOOKS)
    chosen = usecase.parse_month(month)
    selectors.read_ratio(loss_ratio)
    with transaction.atomic():
        document = CloseDocument.objects.create(
            created_by=user,
            month=chosen,
            loss_ratio="" if loss_ratio in (None, "") else str(loss_ratio).strip()[:32],
            lang="ja" if lang == "ja" else "en",
        )
        audit_record(
            actor=user,
            action="books.close_documents",
            object_type="close_document",
            object_id=document.pk,
            after={"month": chosen, "loss_ratio": document.loss_ratio or None, "lang": document.lang},
        )
        background.enqueue(close_documents_job, str(document.pk))  # in the transaction, as the portfolio's
    document.refresh_from_db()
    return document


@task()
def close_documents_job(document_id: str) -> None:
    """The background task of a queued close (its retries are :func:`close_documents_run`'s)."""
    close_documents_run(document_id)


def close_documents_run(document_id: str) -> CloseDocument | None:
    """Make a queued close's documents (the worker's task), their progress kept as they are made; a failure
    is tried again later, then the job is marked failed with the error (a refused month at once)."""

    def work(document: CloseDocument, progress: Callable[[int], None]) -> dict[str, Any]:
        close = selectors.close(user=document.created_by, month=document.month, loss_ratio=document.loss_ratio)
        progress(30)
        made_at = timezone.now()
        pdf = documents.close_pdf(close, lang=document.lang, made_at=made_at)
        progress(80)
        text = "\ufeff" + documents.close_csv(close, document.lang)
        stem = f"close-{document.month}-{document.lang}"
        document.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        document.csv.save(f"{stem}.csv", ContentFile(text.encode("utf-8")), save=False)
        return {"pdf": document.pdf.name, "csv": document.csv.name, "made_at": made_at}

    return background.job_run(
        CloseDocument, document_id, work=work, again=close_documents_job, final=(InvalidInput, Denied)
    )
