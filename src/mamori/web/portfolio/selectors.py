"""The in-force book as portfolio records (``book_from_records`` of the portfolio use case), and runs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.policies.models import Policy
from mamori.web.portfolio.models import PortfolioJob, PortfolioRun

if TYPE_CHECKING:
    from mamori.portfolio.treaty import Treaty


def in_force(*, on_date: dt.date | None = None) -> QuerySet[Policy]:
    """The policies in force (on ``on_date``: started, not ended; default: every in-force policy)."""
    policies = Policy.objects.filter(status=Policy.Status.IN_FORCE).order_by("number")
    if on_date is not None:
        policies = policies.filter(start_date__lte=on_date, end_date__gt=on_date)
    return policies


def book_counts(*, today: dt.date) -> tuple[int, int]:
    """How many policies of the book are in force on ``today``, and how many are bound to start later (a
    run simulates both: the book it covers is every policy in force, however soon it starts)."""
    book = in_force()
    return in_force(on_date=today).count(), book.filter(start_date__gt=today).count()


def book_records(*, on_date: dt.date | None = None) -> list[dict[str, Any]]:
    """One record per policy in force with the terms of its current version, its annual premium and the
    risk it was rated on."""
    records = []
    for policy in in_force(on_date=on_date).select_related("product_version").prefetch_related("versions"):
        version = max(policy.versions.all(), key=lambda v: v.number)
        risk = version.risk
        record: dict[str, Any] = {
            "policy_id": policy.number,
            "industry": risk.industry,
            "revenue": risk.revenue,
            "liability_limit": version.liability_limit_yen,
            "expense_limit": version.expense_limit_yen,
            "deductible": version.deductible_yen,
            "bi_limit": version.bi_limit_yen,
            "pd_rider": version.pd_rider,
            "annual_premium": version.annual_premium_yen,
            "start_date": policy.start_date.isoformat(),
        }
        record["security_measures"] = risk.measures_declared
        records.append(record)
    return records


def runs_visible(user: User | None) -> QuerySet[PortfolioRun]:
    if not accounts.has_role(user, roles.ADMINISTRATOR):
        return PortfolioRun.objects.none()
    return PortfolioRun.objects.all()


def treaties() -> dict[str, Treaty]:
    """The reinsurance treaties a run may apply: the samples shipped with the package, by name (the file's
    stem), each read with the core's checks (product.md §8.4)."""
    from mamori.usecases import portfolio

    return {name: portfolio.load_treaty(path) for name, path in portfolio.shipped_treaties().items()}


def jobs_visible(user: User | None) -> QuerySet[PortfolioJob]:
    if not accounts.has_role(user, roles.ADMINISTRATOR):
        return PortfolioJob.objects.none()
    return PortfolioJob.objects.all()
