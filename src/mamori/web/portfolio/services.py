"""Simulating the in-force book (administrators): the core's portfolio engine on the policies' own terms,
in this process (no cluster: a web request runs a bounded number of years), the answer and plots kept."""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any, Final

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from mamori.errors import FieldError, InvalidInput
from mamori.rating import values
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.audit.services import audit_record
from mamori.web.errors import Forbidden
from mamori.web.portfolio import selectors
from mamori.web.portfolio.models import PortfolioPlot, PortfolioRun
from mamori.web.productdb import selectors as productdb

if TYPE_CHECKING:
    from mamori.portfolio.treaty import Treaty

#: Years a run from a page may simulate (more: the command line, on a Dask cluster).
YEARS_RANGE: Final = (1_000, 200_000)
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


def portfolio_run(*, user: AbstractBaseUser, years: Any = 20_000, seed: Any = None, treaty: Any = None) -> PortfolioRun:
    """Simulate the in-force book for ``years`` years (seeded: the same seed, the same answer), gross and,
    with ``treaty`` (the name of a shipped treaty), ceded and net of it (product.md §8.4)."""
    from mamori.portfolio import plots
    from mamori.portfolio.runner import Cluster
    from mamori.usecases import portfolio

    if not accounts.has_role(user, roles.ADMINISTRATOR):
        raise Forbidden
    n_years = _read(years, "years", *YEARS_RANGE)
    run_seed = secrets.randbelow(2**31) if seed in (None, "") else _read(seed, "seed", 0, 2**63 - 1)
    chosen = _treaty(treaty)
    records = selectors.book_records()
    if not records:
        raise InvalidInput([FieldError("book", "E_PORTFOLIO_EMPTY")])
    model, version = portfolio.load_model_for(portfolio.DEFAULT_MODEL, productdb.catalog())
    book = portfolio.book_from_records(records, version)
    started = time.perf_counter()
    answer, table = portfolio.simulate_book(
        book, model, version, years=n_years, seed=run_seed, cluster=Cluster(workers=0), treaty=chosen
    )
    seconds = time.perf_counter() - started
    marks = {"aep": answer["aep"], "oep": answer["oep"]}
    pngs = {}
    for lang in LANGS:
        names = {code: ic.name(lang) for code, ic in version.rating.industries.items()}
        net = (table.net_loss, table.net_occurrence) if table.reinsured else None
        pngs[("ep_curve", lang)] = plots.ep_curve_png(table.loss, table.occurrence, marks, lang, net=net)
        pngs[("loss_by_industry", lang)] = plots.industry_png(answer["by_industry"], names, lang)
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
