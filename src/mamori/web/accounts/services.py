"""Writes of accounts: users with a role, login with throttling, API tokens (stored hashed, revocable)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from mamori.web.accounts import roles
from mamori.web.accounts.models import Agency, ApiToken, Business, LoginFailure, Profile
from mamori.web.audit.services import audit_record

TOKEN_BYTES = 32


class LoginThrottled(Exception):
    """Too many failed logins for this user name or address: try again later."""

    def __init__(self, retry_after: dt.timedelta) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; retry after {int(retry_after.total_seconds())} s")


def _address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def login_check_throttle(*, username: str, address: str) -> None:
    """Raise :class:`LoginThrottled` when the user name (or the address) failed too often lately."""
    window = dt.timedelta(seconds=settings.MAMORI_LOGIN_WINDOW_SECONDS)
    since = timezone.now() - window
    limit = settings.MAMORI_LOGIN_FAILURES
    recent = LoginFailure.objects.filter(at__gte=since)
    by_name = recent.filter(username=username.lower())
    by_address = recent.filter(address=address) if address else LoginFailure.objects.none()
    for failures, allowed in ((by_name, limit), (by_address, limit * 4)):
        if failures.count() >= allowed:
            oldest = failures.order_by("at").values_list("at", flat=True)[0]
            raise LoginThrottled(max(oldest + window - timezone.now(), dt.timedelta(seconds=1)))


def login_attempt(*, request: HttpRequest | None, username: str, password: str) -> User | None:
    """The user, or None for a wrong name or password (recorded); LoginThrottled after too many failures."""
    address = _address(request)
    login_check_throttle(username=username, address=address)
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username.lower(), address=address)
        return None
    LoginFailure.objects.filter(Q(username=username.lower())).delete()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``: returns the record and the token itself (shown once, stored hashed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    record = ApiToken.objects.create(user=user, digest=_digest(token), prefix=token[:8], name=name)
    audit_record(
        actor=user,
        action="api_token.create",
        object_type="api_token",
        object_id=record.pk,
        after={"prefix": record.prefix, "name": name},
    )
    return record, token


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    record = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="api_token.revoke",
            object_type="api_token",
            object_id=record.pk,
            before={"revoked_at": None},
            after={"revoked_at": record.revoked_at.isoformat()},
        )
    return record


def api_token_user(token: str) -> User | None:
    """The user of a valid, unrevoked token (its last use is recorded), else None."""
    record = ApiToken.objects.select_related("user").filter(digest=_digest(token), revoked_at__isnull=True).first()
    if record is None or not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


def ensure_groups() -> None:
    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


@transaction.atomic
def user_create(  # noqa: PLR0913 - keyword-only: a user is created with all of its attributes at once
    *,
    username: str,
    password: str,
    role: str,
    business: Business | None = None,
    agency: Agency | None = None,
    team: str = "",
    email: str = "",
    actor: AbstractBaseUser | None = None,
) -> User:
    if role not in roles.ALL:
        raise ValueError(f"unknown role {role!r}; roles are {roles.ALL}")
    ensure_groups()
    user = User.objects.create_user(username=username, password=password, email=email)
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, business=business, agency=agency, team=team)
    audit_record(
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.pk,
        after={
            "username": username,
            "role": role,
            "business": business.pk if business else None,
            "agency": agency.pk if agency else None,
        },
    )
    return user


@transaction.atomic
def business_create(  # noqa: PLR0913 - keyword-only: the fields of a business
    *,
    name: str,
    entity: str,
    industry: str = "",
    agency: Agency | None = None,
    address: str = "",
    email: str = "",
    new_business: bool = False,
    actor: AbstractBaseUser | None = None,
) -> Business:
    business = Business.objects.create(
        name=name,
        entity=entity,
        industry=industry,
        agency=agency,
        address=address,
        email=email,
        new_business=new_business,
    )
    audit_record(
        actor=actor,
        action="business.create",
        object_type="business",
        object_id=business.pk,
        after={"name": name, "entity": entity, "industry": industry, "agency": agency.pk if agency else None},
    )
    return business
