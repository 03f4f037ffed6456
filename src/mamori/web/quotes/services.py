"""Saving a quote: rated by the core's use case with the web catalogue, stored with every input and factor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from mamori import catalog as catalog_mod
from mamori import usecases
from mamori.rating import engine
from mamori.web.accounts.models import Business
from mamori.web.accounts.selectors import User
from mamori.web.audit.services import audit_record
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes.models import Quote


def quote_preview(*, raw: Mapping[str, Any], today: dt.date | None = None) -> engine.Quote:
    """Rate without saving (the live quote page). Raises InvalidInput."""
    return usecases.quote(productdb.catalog(), raw, today=today)


def quote_save(*, quote: engine.Quote, user: User | None = None, business: Business | None = None) -> Quote:
    """Store a rated quote with its version record, inputs, result and premiums."""
    record_id = productdb.record_id_for(quote.version.content_hash)
    with transaction.atomic():
        saved = Quote.objects.create(
            product_version_id=record_id,
            inputs=quote.risk.to_stored(),
            status=quote.status,
            monthly_premium_yen=quote.monthly_premium,
            annual_premium_yen=quote.annual_premium,
            result=quote.to_dict("ja"),
            business=business,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        audit_record(
            actor=user,
            action="quote.create",
            object_type="quote",
            object_id=saved.pk,
            after={
                "status": saved.status,
                "monthly_premium_yen": saved.monthly_premium_yen,
                "annual_premium_yen": saved.annual_premium_yen,
                "product_version": quote.version.version,
                "product_hash": quote.version.content_hash,
            },
        )
    return saved


def quote_create(
    *,
    raw: Mapping[str, Any],
    user: User | None = None,
    business: Business | None = None,
    today: dt.date | None = None,
    version: catalog_mod.ProductVersion | None = None,
) -> tuple[Quote, engine.Quote]:
    """Rate and save. Raises InvalidInput (nothing is saved then)."""
    rated = usecases.quote(productdb.catalog(), raw, today=today, version=version)
    return quote_save(quote=rated, user=user, business=business), rated


def anonymous_quotes_purge(*, days: int | None = None) -> int:
    """Delete the quotes saved by anonymous visitors more than ``days`` ago (``MAMORI_ANONYMOUS_QUOTE_DAYS``,
    default 30) that nothing refers to: the public endpoint cannot fill the database. Run by the daily job."""
    from django.conf import settings
    from django.utils import timezone

    keep = days if days is not None else settings.MAMORI_ANONYMOUS_QUOTE_DAYS
    stale = Quote.objects.filter(
        created_by__isnull=True,
        business__isnull=True,
        applications__isnull=True,
        created_at__lt=timezone.now() - dt.timedelta(days=keep),
    )
    deleted, _ = Quote.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return int(deleted)
