"""The portfolio's background tasks (Django's task framework; run by ``mamori worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def portfolio_job(job_id: str) -> None:
    """Run a queued portfolio job (its retries are the service's: a failure is kept on the job)."""
    from mamori.web.portfolio import services

    services.portfolio_job_run(job_id)
