"""Who may see what: roles, and the businesses a user may see (their own, their agency's, or all for staff)."""

from __future__ import annotations

from typing import Any, TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from mamori.web.accounts import roles
from mamori.web.accounts.models import Business, Profile

#: A signed-in user or the anonymous one (Django's classes carry no types here).
User: TypeAlias = AbstractBaseUser | AnonymousUser


def roles_of(user: User | None) -> frozenset[str]:
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_mamori_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._mamori_roles = cached
    return cached


def has_role(user: User | None, *wanted: str) -> bool:
    return not roles_of(user).isdisjoint(wanted)


def is_staff_member(user: User | None) -> bool:
    return has_role(user, *roles.STAFF)


def profile_of(user: User) -> Profile | None:
    if not user.is_authenticated:
        return None
    return Profile.objects.filter(user=user).select_related("business", "agency").first()


def visible_businesses(user: User | None) -> QuerySet[Business]:
    """A policyholder: their business; an agent: their agency's; staff: all; anyone else: none."""
    if user is None or not user.is_authenticated:
        return Business.objects.none()
    if is_staff_member(user):
        return Business.objects.all()
    profile = profile_of(user)
    if profile is None:
        return Business.objects.none()
    if has_role(user, roles.AGENT) and profile.agency_id is not None:
        return Business.objects.filter(agency_id=profile.agency_id)
    if has_role(user, roles.POLICYHOLDER) and profile.business_id is not None:
        return Business.objects.filter(pk=profile.business_id)
    return Business.objects.none()


def users_with_role(role: str) -> QuerySet[Any]:
    from django.contrib.auth.models import User as DjangoUser

    return DjangoUser.objects.filter(groups__name=role, is_active=True)
