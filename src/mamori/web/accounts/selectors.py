"""Who may see what: roles, and the businesses a user may see (their own, their agency's, or all for staff)."""

from __future__ import annotations

from typing import Any, TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from mamori import authority
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


def subject_of(user: User | None) -> authority.Subject:
    """Who acts, as the authority table sees them: roles, business, agency and team (cached on the user)."""
    if user is None or not user.is_authenticated:
        return authority.Subject()
    cached = getattr(user, "_mamori_subject", None)
    if cached is None:
        profile = profile_of(user)
        known = {r.value for r in authority.Role}
        cached = authority.Subject(
            user_id=user.pk,
            roles=frozenset(authority.Role(r) for r in roles_of(user) if r in known),
            business_id=profile.business_id if profile is not None else None,
            agency_id=profile.agency_id if profile is not None else None,
            team=profile.team if profile is not None else "",
        )
        user._mamori_subject = cached
    return cached


def business_target(business: Business, **facts: Any) -> authority.Target:
    """The business an action is about (its agency), with further facts (``submitted_by`` …)."""
    return authority.Target(business_id=business.pk, agency_id=business.agency_id, **facts)


def forget_subject(user: User) -> None:
    """Drop the cached subject (and roles) of ``user`` after their profile changed."""
    for name in ("_mamori_subject", "_mamori_roles"):
        if hasattr(user, name):
            delattr(user, name)
