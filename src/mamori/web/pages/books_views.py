"""The books page (administrators): the monthly close — premium, claims, IBNR by method, loss ratios by accident
period, the portfolio's 1-in-200 — with its PDF and CSV (made by a worker, kept, then downloaded), and the
premium books as CSV."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from mamori.authority import Action
from mamori.errors import InvalidInput
from mamori.web.books import documents, selectors, services
from mamori.web.pages.views import action_required, errors_by_field, lang

CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def _last_month() -> str:
    today = timezone.now().astimezone(selectors.JST).date()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last:%Y-%m}"


def _named(by_industry: dict[str, Any]) -> dict[str, Any]:
    """Industry codes as the product names them, in the reader's language."""
    from mamori.web.productdb import selectors as productdb

    industries = productdb.catalog().latest().rating.industries
    return {(industries[c].name(lang()) if c in industries else c): row for c, row in by_industry.items()}


@action_required(Action.BOOKS)
def books(request: HttpRequest) -> HttpResponse:
    """The close of a month (``?month=YYYY-MM``, default: last month); 422 with the field named when bad."""
    month = request.GET.get("month") or _last_month()
    ratio = request.GET.get("loss_ratio") or ""
    errors: dict[str, list[str]] = {}
    close: dict[str, Any] | None = None
    premium: dict[str, Any] | None = None
    try:
        close = selectors.close(user=request.user, month=month, loss_ratio=ratio)
        premium = selectors.premium(user=request.user, as_of=close["as_of"])
        premium["by_industry"] = _named(premium["by_industry"])
    except InvalidInput as exc:
        errors = errors_by_field(exc.errors)
    context = {
        "premium": premium,
        "month": month,
        "loss_ratio": ratio,
        "close": close,
        "rows": documents.rows(close, lang()) if close else [],
        "errors": errors,
        "documents": selectors.close_documents_visible(request.user).filter(month=close["month"])[:5] if close else [],
    }
    return render(request, "mamori/books.html", context, status=422 if errors else 200)


def _documents_requested(request: HttpRequest, data: Any) -> Any:
    """The close's documents asked of a worker for the month and loss ratio in ``data`` (the query or the
    form), in the reader's language; or the 422 answer naming what is wrong."""
    try:
        return services.close_documents_request(
            user=request.user,
            month=data.get("month") or _last_month(),
            loss_ratio=data.get("loss_ratio"),
            lang=lang(),
        )
    except InvalidInput as exc:
        return HttpResponse("\n".join(exc.messages(lang())), status=422, content_type="text/plain; charset=utf-8")


def _made_or_queued(request: HttpRequest, kind: str) -> HttpResponse:
    """The close's ``kind`` (pdf, csv) at its old address: asked of a worker like the page's button, served
    when already made (a one-process trial, the tests), otherwise the page that shows it being made."""
    document = _documents_requested(request, request.GET)
    if isinstance(document, HttpResponse):
        return document
    if document.status != document.Status.DONE:
        return redirect("pages:books-document", document_id=document.pk)
    with getattr(document, kind).open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="close-{document.month}.{kind}"'
    return response


@action_required(Action.BOOKS)
def books_pdf(request: HttpRequest) -> HttpResponse:
    return _made_or_queued(request, "pdf")


@action_required(Action.BOOKS)
def books_csv(request: HttpRequest) -> HttpResponse:
    return _made_or_queued(request, "csv")


@action_required(Action.BOOKS)
@require_POST
def books_documents(request: HttpRequest) -> HttpResponse:
    """Ask a worker for the PDF and CSV of a month's close (in the reader's language): its page."""
    document = _documents_requested(request, request.POST)
    if isinstance(document, HttpResponse):
        return document
    return redirect("pages:books-document", document_id=document.pk)


@action_required(Action.BOOKS)
def books_document(request: HttpRequest, document_id: Any) -> HttpResponse:
    """A close's documents asked for: their progress while a worker makes them (htmx asks again every two
    seconds), the links once made."""
    document = selectors.close_documents_visible(request.user).filter(pk=document_id).first()
    if document is None:
        raise Http404
    partial = bool(request.headers.get("HX-Request"))
    template = "mamori/_books_document.html" if partial else "mamori/books_document.html"
    back = reverse("pages:books") + f"?month={document.month}"
    return render(request, template, {"document": document, "back": back})


@action_required(Action.BOOKS)
def books_document_file(request: HttpRequest, document_id: Any, kind: str) -> FileResponse:
    """A made document (``pdf`` or ``csv``) from the storage, as a download."""
    document = selectors.close_documents_visible(request.user).filter(pk=document_id).first()
    stored = getattr(document, kind) if document is not None and kind in ("pdf", "csv") else None
    if document is None or not stored:
        raise Http404
    name = f"close-{document.month}.{kind}"
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[kind])
    response["Cache-Control"] = "private, no-store"
    return response


@action_required(Action.BOOKS)
def books_written_csv(request: HttpRequest) -> HttpResponse:
    """Every written amount (policy, the record it comes from, dates, written, earned) as of ``?as_of``."""
    try:
        rows = selectors.written(user=request.user, as_of=request.GET.get("as_of"))
    except InvalidInput as exc:
        return HttpResponse("\n".join(exc.messages(lang())), status=422, content_type="text/plain; charset=utf-8")
    return _csv(documents.written_csv(rows), "written-amounts.csv")


@action_required(Action.BOOKS)
def books_premium_csv(request: HttpRequest) -> HttpResponse:
    """Written, earned and unearned per policy as of ``?as_of`` (default today), as CSV."""
    try:
        answer = selectors.premium(user=request.user, as_of=request.GET.get("as_of"))
    except InvalidInput as exc:
        return HttpResponse("\n".join(exc.messages(lang())), status=422, content_type="text/plain; charset=utf-8")
    return _csv(documents.premium_csv(answer), f"premium-{answer['as_of']}.csv")


def _csv(text: str, filename: str) -> HttpResponse:
    """A CSV download (UTF-8 with a BOM, so that spreadsheets read the Japanese)."""
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
