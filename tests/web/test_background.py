"""Background work: a portfolio run and the monthly close's documents asked for from their pages are tasks
(Django's task framework), run by a worker from the database queue, retried on failure, their progress shown;
every e-mail is a task queued when its transaction commits; a running worker queues the deadline reminders
every hour. Tests run tasks where they are enqueued (the immediate backend) or run the database worker once."""

from __future__ import annotations

import datetime as dt
import io
import threading
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from mamori.web import background, server
from mamori.web import mail as notify
from mamori.web.accounts.models import Business
from mamori.web.books import services as books
from mamori.web.books.models import CloseDocument
from mamori.web.books.selectors import JST
from mamori.web.demo_incidents import policy_for
from mamori.web.incidents import services as incidents
from mamori.web.incidents.models import DeadlineNotice
from mamori.web.portfolio import services
from mamori.web.portfolio.models import PortfolioJob, PortfolioRun

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def book(holder: User, business: Business, today: dt.date) -> None:
    policy_for(user=holder, business=business, risk={"industry": "wholesale", "revenue": 500_000_000}, start=today,
               today=today)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_queued_run_waits_for_the_worker_shows_its_progress_and_is_answered_by_it(book: None, admin: User) -> None:
    client = Client()
    client.force_login(admin)
    with override_settings(TASKS=DATABASE_QUEUE):
        response = client.post("/portfolio/", {"years": "1000", "seed": "5"})
        assert response.status_code == 302
        job = PortfolioJob.objects.get()
        assert response["Location"] == f"/portfolio/jobs/{job.pk}/"
        assert job.status == "QUEUED" and job.run is None  # nothing was computed in the request
        page = client.get(response["Location"])
        assert b'data-testid="portfolio-job-progress"' in page.content
        assert b'hx-trigger="every 2s"' in page.content  # the page asks again while it waits
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker, once
    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts) == ("DONE", 100, 1)
    assert job.run == PortfolioRun.objects.get()
    polled = client.get(f"/portfolio/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == f"/portfolio/{job.run.pk}/"


@pytest.mark.django_db
def test_a_failed_run_is_tried_again_then_given_up_with_its_error(
    book: None, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = services.portfolio_run
    failures = {"left": 1}

    def flaky(**kwargs: Any) -> PortfolioRun:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise ConnectionError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "portfolio_run", flaky)
    job = services.portfolio_request(user=admin, years=1_000, seed=3)
    assert (job.status, job.attempts, job.run is not None) == ("DONE", 2, True)  # the second try answered

    failures["left"] = 99
    job = services.portfolio_request(user=admin, years=1_000, seed=4)
    assert (job.status, job.attempts, job.run) == ("FAILED", services.MAX_ATTEMPTS, None)
    assert "ConnectionError: the database went away" in job.error
    client = Client()
    client.force_login(admin)
    page = client.get(f"/portfolio/jobs/{job.pk}/")
    assert b'data-testid="portfolio-job-failed"' in page.content
    assert b"hx-trigger" not in page.content  # nothing more to wait for


# ---------------------------------------------------------------------------------------------- e-mail


def _queue_then_fail() -> None:
    with transaction.atomic():
        notify.mail_queue(subject="rolled back", message="-", to=["a@example.jp"])
        raise RuntimeError("the transaction fails after the e-mail was asked for")


@pytest.mark.django_db
def test_an_email_is_queued_when_its_transaction_commits_and_never_when_it_rolls_back(
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError):
            _queue_then_fail()
        notify.mail_queue(subject="kept", message="-", to=["a@example.jp", ""])
        notify.mail_queue(subject="to nobody", message="-", to=[""])
    assert mail.outbox == []  # nothing sent inside the transaction
    assert len(callbacks) == 1  # the rolled-back one is gone, the one to nobody never queued
    callbacks[0]()
    assert [(m.subject, m.to) for m in mail.outbox] == [("kept", ["a@example.jp"])]


@pytest.mark.django_db
def test_an_email_that_fails_once_is_sent_on_the_second_try(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    real, failures = notify.send_mail, {"left": 1}

    def flaky(**kwargs: Any) -> int:
        if failures["left"]:
            failures["left"] -= 1
            raise SMTPServerDisconnected("the mail server went away")
        return real(**kwargs)

    monkeypatch.setattr(notify, "send_mail", flaky)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        notify.mail_queue(subject="once more", message="-", to=["a@example.jp"])
    assert failures["left"] == 0 and [m.subject for m in mail.outbox] == ["once more"]


@pytest.mark.django_db(transaction=True)
def test_an_email_that_keeps_failing_is_tried_again_by_the_worker_then_kept_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tried: list[str] = []

    def down(**kwargs: Any) -> int:
        tried.append(kwargs["subject"])
        raise SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr(notify, "send_mail", down)
    monkeypatch.setattr(background, "retry_delay", lambda attempt: 0)  # again at once (really: 30 s, doubled)
    with override_settings(TASKS=DATABASE_QUEUE):
        notify.mail_queue(subject="reminder", message="-", to=["a@example.jp"])
        assert tried == []  # queued, not sent by the caller
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert tried == ["reminder"] * background.MAX_ATTEMPTS
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == ["SUCCESSFUL", "SUCCESSFUL", "FAILED"]  # the last try is kept failed
    assert "SMTPServerDisconnected" in results[-1].exception_class_path


def test_the_services_queue_their_emails_not_send_them() -> None:
    from mamori.web.claimsdesk import services as claimsdesk
    from mamori.web.servicing import services as servicing

    for module in (incidents, claimsdesk, servicing):
        assert not hasattr(module, "send_mail")  # every e-mail goes through mail.mail_queue (a task)


# -------------------------------------------------------------------------------------- deadline reminders


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_queues_the_deadline_reminders_every_hour(holder: User, business: Business) -> None:
    from tests.web.test_incidents_claims import TERMS, report  # type: ignore[import-not-found]

    today = timezone.now().astimezone(JST).date()
    policy = policy_for(user=holder, business=business, risk=TERMS, start=today - dt.timedelta(days=30), today=today)
    late = report(holder, policy, hours_ago=24 * 7)  # its preliminary report is overdue
    mail.outbox = []
    stop = threading.Event()
    stop.set()  # one round, then stop
    thread = threading.Thread(target=server.hourly, args=(stop,))  # as the worker runs it, in a thread
    thread.start()
    thread.join()
    assert list(DeadlineNotice.objects.values_list("incident_id", "kind", "stage")) == [
        (late.pk, "preliminary", "overdue")
    ]
    assert len(mail.outbox) == 1 and "preliminary" in mail.outbox[0].subject
    assert incidents.deadline_reminders_job.call() == 0  # the next hour: nothing new to remind of


# ------------------------------------------------------------------------------------ the close's documents


def _month() -> str:
    return f"{timezone.now().astimezone(JST).date():%Y-%m}"


@pytest.mark.django_db(transaction=True)
def test_the_close_documents_are_made_by_the_worker_kept_in_the_storage_and_downloaded(book: None, admin: User) -> None:
    client = Client()
    client.force_login(admin)
    month = _month()
    with override_settings(TASKS=DATABASE_QUEUE):
        page = client.get(f"/books/?month={month}")
        assert b'data-testid="books-documents"' in page.content
        response = client.post("/books/documents/", {"month": month, "loss_ratio": "0.6"})
        assert response.status_code == 302
        document = CloseDocument.objects.get()
        assert response["Location"] == f"/books/documents/{document.pk}/"
        old_address = client.get(f"/books/close.pdf?month={month}")  # queued too, not made in the request
        assert old_address.status_code == 302 and old_address["Location"].startswith("/books/documents/")
        assert (document.status, document.pdf.name, document.lang) == ("QUEUED", "", "ja")  # nothing made yet
        waiting = client.get(response["Location"])
        assert b'data-testid="books-document-progress"' in waiting.content
        assert b'hx-trigger="every 2s"' in waiting.content  # the page asks again while it waits
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker, once
    document.refresh_from_db()
    assert (document.status, document.progress, document.attempts) == ("DONE", 100, 1)
    assert set(CloseDocument.objects.values_list("status", flat=True)) == {"DONE"}
    assert default_storage.exists(document.pdf.name) and default_storage.exists(document.csv.name)
    polled = client.get(f"/books/documents/{document.pk}/", headers={"HX-Request": "true"})
    assert b'data-testid="books-pdf"' in polled.content and b"hx-trigger" not in polled.content
    pdf = client.get(f"/books/documents/{document.pk}/close.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    assert month in text and "未経過保険料" in text
    csv = client.get(f"/books/documents/{document.pk}/close.csv")
    assert "未経過保険料" in b"".join(csv.streaming_content).decode("utf-8-sig")
    listed = client.get(f"/books/?month={month}")
    assert f"/books/documents/{document.pk}/close.pdf".encode() in listed.content


@pytest.mark.django_db
def test_close_documents_that_fail_are_tried_again_then_failed_and_a_refused_month_is_not_tried_again(
    book: None, admin: User, holder: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise OSError("the disk is full")

    monkeypatch.setattr(books.documents, "close_pdf", broken)
    document = books.close_documents_request(user=admin, month=_month())
    assert (document.status, document.attempts) == ("FAILED", background.MAX_ATTEMPTS)
    assert "OSError: the disk is full" in document.error and not document.pdf
    client = Client()
    client.force_login(admin)
    page = client.get(f"/books/documents/{document.pk}/")
    assert b'data-testid="books-document-failed"' in page.content and b"hx-trigger" not in page.content
    assert client.get(f"/books/documents/{document.pk}/close.pdf").status_code == 404

    before = books.close_documents_request(user=admin, month="2001-01")  # before any record: refused
    assert (before.status, before.attempts) == ("FAILED", 1)
    assert client.post("/books/documents/", {"month": "2026-13"}).status_code == 422  # checked in the request
    assert CloseDocument.objects.count() == 2
    client.force_login(holder)
    assert client.post("/books/documents/", {"month": _month()}).status_code == 403
    assert client.get(f"/books/documents/{document.pk}/").status_code == 403
