"""Background work: a portfolio run asked for from the page is a task (Django's task framework), run by a
worker from the database queue, retried on failure, its progress shown; tests run tasks where they are
enqueued (the immediate backend) or run the database worker once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from mamori.web.accounts.models import Business
from mamori.web.demo_incidents import policy_for
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
