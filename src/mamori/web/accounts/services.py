"""Writes of accounts: users with a role, login with throttling, API tokens (stored hashed, revocable)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from mamori.web.accounts import roles, selectors
from mamori.web.accounts.models import Agency, ApiToken, Business, Profile
from mamori.web.audit.services import audit_record

TOKEN_BYTES = 32


class LoginThrottled(Exception):
    """Too many failed logins for this user name: try again later (only this user name is locked)."""

    def __init__(self, retry_after: dt.timedelta) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; retry after {int(retry_after.total_seconds())} s")

    @property
    def seconds(self) -> int:
        return max(1, int(self.retry_after.total_seconds() + 0.999))


class SecondFactorRequired(Exception):
    """A staff user's token needs the second factor (``code``: E_TOKEN_OTP or E_OTP_NOT_ENROLLED or E_OTP)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


#: Longer than any user name or password the application holds: refused without a look-up.
USERNAME_MAX = 150
PASSWORD_MAX = 4096


def _retry_after(username: str) -> dt.timedelta:
    from axes.models import AccessAttempt

    latest = AccessAttempt.objects.filter(username=username).aggregate(latest=Max("attempt_time"))["latest"]
    window = dt.timedelta(seconds=settings.MAMORI_LOGIN_WINDOW_SECONDS)
    left = (latest + window - timezone.now()) if latest is not None else window
    return max(left, dt.timedelta(seconds=1))


def login_attempt(*, request: HttpRequest, username: str, password: str) -> User | None:
    """The user, or None for a wrong name or password (counted by django-axes per user name and client
    address); LoginThrottled when this user name failed too often lately (interfaces.md §2), whatever the
    password. Failures for other user names never refuse this one."""
    if not username or len(username) > USERNAME_MAX or len(password) > PASSWORD_MAX:
        return None
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LoginThrottled(_retry_after(username))
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str = "", second_factor: bool = False) -> tuple[ApiToken, str]:
    """A new token for ``user``: returns the record and the token itself (shown once, stored hashed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    record = ApiToken.objects.create(
        user=user,
        digest=_digest(token),
        prefix=token[:8],
        name=name,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.MAMORI_TOKEN_LIFETIME_SECONDS),
        second_factor=second_factor,
    )
    audit_record(
        actor=user,
        action="api_token.create",
        object_type="api_token",
        object_id=record.pk,
        after={"prefix": record.prefix, "name": name, "expires_at": record.expires_at.isoformat()},
    )
    return record, token


def staff_token_second_factor(*, user: AbstractBaseUser, code: str | None) -> bool:
    """Whether a token of ``user`` is made with the second factor; SecondFactorRequired when a staff user
    must give one (``MAMORI_STAFF_SECOND_FACTOR``) and did not, or gave a wrong one."""
    from mamori.web.accounts import second_factor

    if not selectors.is_staff_member(user):
        return False
    if code:
        if second_factor.verify(user, code):
            return True
        raise SecondFactorRequired("E_OTP")
    if settings.MAMORI_STAFF_SECOND_FACTOR:
        raise SecondFactorRequired("E_TOKEN_OTP" if second_factor.enrolled(user) else "E_OTP_NOT_ENROLLED")
    return False


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


@transaction.atomic
def api_tokens_revoke_all(*, user: AbstractBaseUser, reason: str = "revoke-all") -> int:
    """Revoke every live token of ``user`` (asked for, or because the password changed): how many."""
    now = timezone.now()
    ids = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True))
    if ids:
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=now)
        audit_record(
            actor=user,
            action="api_token.revoke_all",
            object_type="user",
            object_id=user.pk,
            after={"tokens": ids, "reason": reason},
        )
    return len(ids)


def api_tokens_of(user: AbstractBaseUser) -> list[ApiToken]:
    """The user's tokens still in force (never the token itself: its prefix, name and times)."""
    return [t for t in ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at") if _live(t)]


def _live(record: ApiToken, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    created_expiry = record.created_at + dt.timedelta(seconds=settings.MAMORI_TOKEN_LIFETIME_SECONDS)
    if now >= (record.expires_at or created_expiry):
        return False
    if selectors.is_staff_member(record.user):
        last = record.last_used_at or record.created_at
        if now - last > dt.timedelta(seconds=settings.MAMORI_STAFF_TOKEN_IDLE_SECONDS):
            return False
        if settings.MAMORI_STAFF_SECOND_FACTOR and not record.second_factor:
            return False
    return True


def api_token_lookup(token: str) -> ApiToken | None:
    """The record of a valid token: unrevoked, unexpired, its user active (its last use is recorded)."""
    record = ApiToken.objects.select_related("user").filter(digest=_digest(token), revoked_at__isnull=True).first()
    if record is None or not record.user.is_active:
        return None
    now = timezone.now()
    if not _live(record, now):
        return None
    if record.last_used_at is None or now - record.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record


def api_token_user(token: str) -> User | None:
    """The user of a valid token, else None."""
    record = api_token_lookup(token)
    return record.user if record is not None else None


def ensure_groups() -> None:
    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


@transaction.atomic
def user_create(  # noqa: PLR0913 - keyword-only: a user is created with all of its attributes at once
    *,
    username: str,
    password: str | None,
    role: str,
    business: Business | None = None,
    agency: Agency | None = None,
    team: str = "",
    email: str = "",
    actor: AbstractBaseUser | None = None,
) -> User:
    """A user of ``role`` (``password`` None: no password it can sign in with, until one is set)."""
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
