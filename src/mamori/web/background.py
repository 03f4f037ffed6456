"""Background work on Django's task framework (the django-tasks backport; its queue in the database, run by
``mamori worker``): one way to queue a task, one retry rule, one kept job (status, progress, attempts, error)
for the work a page waits for (its tasks are the apps'; e-mail's is :mod:`mamori.web.mail`).

The framework retries nothing itself: a failed attempt queues the task again, later (RETRY_SECONDS, doubled
each time), at most MAX_ATTEMPTS times; the last failure is kept (on the job, or as the task's FAILED result).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

if TYPE_CHECKING:
    from django_tasks.base import Task, TaskResult

#: How often failed work is tried, and the wait before the second try (doubled each time after).
MAX_ATTEMPTS: Final = 3
RETRY_SECONDS: Final = 30

logger = logging.getLogger("mamori.background")


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    return int(RETRY_SECONDS * 2 ** (attempt - 1))


def enqueue(queued: Task[Any, Any], *args: Any, delay: int = 0, **kwargs: Any) -> TaskResult[Any]:
    """Queue ``queued`` now, or to run ``delay`` seconds from now where the backend can wait (the database
    queue can; the immediate backend of the tests runs it at once)."""
    if delay and queued.get_backend().supports_defer:
        queued = queued.using(run_after=timezone.now() + dt.timedelta(seconds=delay))
    return queued.enqueue(*args, **kwargs)


def again_or_raise(queued: Task[Any, Any], attempt: int, exc: Exception, **kwargs: Any) -> None:
    """After failed attempt ``attempt`` of a task without a kept job (called with ``kwargs``): queue it again
    later with ``attempt + 1``, or, after the last, raise ``exc`` — the queue keeps the task FAILED with it."""
    if attempt >= MAX_ATTEMPTS:
        logger.error("task %s failed after %s attempts: %s", queued.name, attempt, exc)
        raise exc
    logger.warning("task %s failed (attempt %s), tried again later: %s", queued.name, attempt, exc)
    enqueue(queued, **kwargs, attempt=attempt + 1, delay=retry_delay(attempt))


def enqueue_on_commit(queued: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Queue ``queued`` once the current transaction commits (at once outside one); nothing if it rolls back."""
    transaction.on_commit(lambda: enqueue(queued, *args, **kwargs))


# ------------------------------------------------------------------------------------------------ jobs


class Job(models.Model):
    """Work a page waits for, done by a worker: its status and progress shown while it runs, its attempts
    and last error kept (the portfolio's runs, the monthly close's documents)."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED"
        RUNNING = "RUNNING"
        DONE = "DONE"
        FAILED = "FAILED"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ("-created_at",)

    @property
    def waiting(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


J = TypeVar("J", bound=Job)


def job_run(
    model: type[J],
    job_id: Any,
    *,
    work: Callable[[J, Callable[[int], None]], Mapping[str, Any]],
    again: Task[Any, Any],
    final: tuple[type[Exception], ...] = (),
) -> J | None:
    """Run a queued job (a worker's task): ``work(job, progress)`` does it, reporting its progress in percent,
    and answers the fields to keep when done; on failure the job is queued again with ``again`` (at most
    MAX_ATTEMPTS times, waiting longer each time), then marked failed with the error — at once for an error
    of ``final`` (one that trying again cannot mend: a refused input)."""
    job = model._default_manager.filter(pk=job_id).select_related("created_by").first()
    if job is None or job.status in (Job.Status.DONE, Job.Status.FAILED):
        return job  # gone, or already answered: nothing to do
    rows = model._default_manager.filter(pk=job.pk)

    def progress(percent: int) -> None:
        rows.update(progress=percent, updated_at=timezone.now())

    rows.update(status=Job.Status.RUNNING, attempts=F("attempts") + 1, progress=5, updated_at=timezone.now())
    job.refresh_from_db()
    try:
        done = dict(work(job, progress))
    except Exception as exc:
        retry = job.attempts < MAX_ATTEMPTS and not isinstance(exc, final)
        logger.warning("job %s %s failed (attempt %s): %s", model.__name__, job.pk, job.attempts, exc)
        rows.update(
            status=Job.Status.QUEUED if retry else Job.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
        )
        if retry:
            enqueue(again, str(job.pk), delay=retry_delay(job.attempts))
        job.refresh_from_db()
        return job
    rows.update(status=Job.Status.DONE, progress=100, error="", updated_at=timezone.now(), **done)
    job.refresh_from_db()
    return job
