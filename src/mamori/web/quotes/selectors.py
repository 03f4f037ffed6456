"""Reading saved quotes: a user sees the quotes they made and those of the businesses they may see."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.quotes.models import Quote


def quotes_visible(user: User | None) -> QuerySet[Quote]:
    if user is None or not user.is_authenticated:
        return Quote.objects.none()
    if accounts.is_staff_member(user):
        return Quote.objects.all()
    return Quote.objects.filter(Q(created_by=user) | Q(business__in=accounts.visible_businesses(user)))


def quote_get(*, user: User | None, quote_id: str | uuid.UUID) -> Quote | None:
    """The quote when ``user`` may see it (else None, whether or not it exists)."""
    try:
        key = uuid.UUID(str(quote_id))
    except ValueError:
        return None
    return quotes_visible(user).select_related("product_version").filter(pk=key).first()
