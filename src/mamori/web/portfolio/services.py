"""Simulating the in-force book (administrators): the core's portfolio engine on the policies' own terms,
run by a worker (``mamori worker``) as a background task, never in a web request; the answer and plots kept."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_tasks import task

from mamori.errors import FieldError, InvalidInput
from mamori.rating import values
from mamori.web import background
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.audit.services import audit_record
from mamori.web.errors import Forbidden
from mamori.web.portfolio import selectors
from mamori.web.portfolio.models import PortfolioJob, PortfolioPlot, PortfolioRun
from mamori.web.productdb import selectors as productdb

if TYPE_CHECKING:
    from mamori.portfolio.treaty import Treaty

#: Years a run from a page may simulate (more: the command line, on a Dask cluster).
YEARS_RANGE: Final = (1_000, 200_000)
#: How often a failed job is tried, and the wait before the second try (doubled each time after).
MAX_ATTEMPTS: Final = background.MAX_ATTEMPTS
RETRY_SECONDS: Final = background.RETRY_SECONDS
LANGS: Final = ("ja", "en")


def _read(raw: Any, field: str, minimum: int, maximum: int) -> int:
    read = values.read_integer(raw)
    if isinstance(read, values.Failure) or not minimum <= read <= maximum:
        raise InvalidInput([FieldError(field, "E_RANGE", {"value": raw, "minimum": minimum, "maximum": maximum})])
    return read


def _treaty(raw: Any) -> Treaty | None:
    """The treaty named by a form (empty: none): one of the treaties shipped with the package."""
    if raw in (None, ""):
        return None
    choices = selectors.treaties()
    if raw not in choices:
        raise InvalidInput([FieldError("treaty", "E_CHOICE", {"value": raw, "allowed": list(choices)})])
    return choices[raw]


def portfolio_request(
    *, user: AbstractBaseUser, years: Any = 20_000, seed: Any = None, treaty: Any = None
) -> PortfolioJob:
    """Ask for a simulation of the in-force book, gross and (``treaty``: the name of a shipped treaty) net of
    reinsurance (checked now, run by a worker): the job, queued."""
    if not accounts.has_role(user, roles.ADMINISTRATOR):
        raise Forbidden
    n_years = _read(years, "years", *YEARS_RANGE)
    run_seed = secrets.randbelow(2**31) if seed in (None, "") else _read(seed, "seed", 0, 2**63 - 1)
    treaty_name = "" if _treaty(treaty) is None else str(treaty)
    if not selectors.in_force().exists():
        raise InvalidInput([FieldError("book", "E_PORTFOLIO_EMPTY")])
    with transaction.atomic():
        job = PortfolioJob.objects.create(created_by=user, years=n_years, seed=run_seed, treaty=treaty_name)
        audit_record(
            actor=user,
            action="portfolio.request",
            object_type="portfolio_job",
            object_id=job.pk,
            after={"years": n_years, "seed": run_seed, "treaty": treaty_name or None},
        )
        _enqueue(job)  # in the same transaction: a worker sees the task once the job is there
    job.refresh_from_db()
    return job


@task()
def portfolio_job(job_id: str) -> None:
    """The background task of a queued job (its retries are :func:`portfolio_job_run`'s: a failure is kept
    on the job and the job queued again)."""
    portfolio_job_run(job_id)


def _enqueue(job: PortfolioJob, *, delay: int = 0) -> None:
    background.enqueue(portfolio_job, str(job.pk), delay=delay)


def portfolio_job_run(job_id: str) -> PortfolioJob | None:
    """Run a queued job (the worker's task): its progress kept as it goes; on failure tried again later
    (at most MAX_ATTEMPTS times, waiting longer each time), then marked failed with the error."""

    def work(job: PortfolioJob, progress: Callable[[int], None]) -> dict[str, Any]:
        treaty = job.treaty or None
        return {
            "run": portfolio_run(user=job.created_by, years=job.years, seed=job.seed, treaty=treaty, progress=progress)
        }

    return background.job_run(PortfolioJob, job_id, work=work, again=portfolio_job)


def portfolio_run(
    *,
    user: AbstractBaseUser,
    years: Any = 20_000,
    seed: Any = None,
    treaty: Any = None,
    progress: Callable[[int], None] | None = None,
) -> PortfolioRun:
    """Simulate the in-force book for ``years`` years (seeded: the same seed, the same answer), gross and,
    with ``treaty`` (the name of a shipped treaty), ceded and net of it (product.md §8.4) — in the calling
    process: the worker's task (a page asks with :func:`portfolio_request`)."""
    from mamori.portfolio import plots
    from mamori.portfolio.runner import Cluster
    from mamori.usecases import portfolio

    if not accounts.has_role(user, roles.ADMINISTRATOR):
        raise Forbidden
    n_years = _read(years, "years", *YEARS_RANGE)
    run_seed = secrets.randbelow(2**31) if seed in (None, "") else _read(seed, "seed", 0, 2**63 - 1)
    chosen = _treaty(treaty)
    step = progress or (lambda _: None)
    records = selectors.book_records()
    if not records:
        raise InvalidInput([FieldError("book", "E_PORTFOLIO_EMPTY")])
    step(15)
    model, version = portfolio.load_model_for(portfolio.DEFAULT_MODEL, productdb.catalog())
    book = portfolio.book_from_records(records, version)
    started = time.perf_counter()
    answer, table = portfolio.simulate_book(
        book, model, version, years=n_years, seed=run_seed, cluster=Cluster(workers=0), treaty=chosen
    )
    seconds = time.perf_counter() - started
    step(75)
    marks = {"aep": answer["aep"], "oep": answer["oep"]}
    pngs = {}
    for lang in LANGS:
        names = {code: ic.name(lang) for code, ic in version.rating.industries.items()}
        net = (table.net_loss, table.net_occurrence) if table.reinsured else None
        pngs[("ep_curve", lang)] = plots.ep_curve_png(table.loss, table.occurrence, marks, lang, net=net)
        pngs[("loss_by_industry", lang)] = plots.industry_png(answer["by_industry"], names, lang)
    step(90)
    with transaction.atomic():
        run = PortfolioRun.objects.create(
            created_by=user,
            product_version=version.version,
            model_name=str(answer.get("model", ""))[:200],
            policies=len(records),
            years=n_years,
            seed=run_seed,
            seconds=round(seconds, 3),
            answer=answer,
        )
        for (name, lang), png in pngs.items():
            PortfolioPlot.objects.create(run=run, name=name, lang=lang, png=png)
        audit_record(
            actor=user,
            action="portfolio.run",
            object_type="portfolio_run",
            object_id=run.pk,
            after={
                "policies": run.policies,
                "years": n_years,
                "seed": run_seed,
                "aal": answer.get("aal"),
                "treaty": None if chosen is None else chosen.name,
            },
        )
    return run
