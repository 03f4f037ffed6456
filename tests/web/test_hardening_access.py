"""Issue 14, items 2–4: throttling that cannot lock everyone out, tokens that end, sessions by role, public
endpoints throttled per client address, sign-up that reveals no user names and redirects only here, and
the staff second factor (TOTP)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.web.conftest import PASSWORD  # type: ignore[import-not-found]

from mamori.web.accounts import services
from mamori.web.accounts.models import ApiToken
from mamori.web.security.client import client_address

pytestmark = pytest.mark.django_db
QUOTE = {"industry": "wholesale", "revenue": 500_000_000}


def token_of(username: str, *, address: str = "198.51.100.7", **extra: Any) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": PASSWORD, **extra}),
        content_type="application/json",
    )


def fail(username: str, times: int, *, address: str = "203.0.113.9") -> list[int]:
    client = Client(REMOTE_ADDR=address)
    body = json.dumps({"username": username, "password": "wrong-password"})
    return [
        client.post("/api/v1/auth/token", data=body, content_type="application/json").status_code for _ in range(times)
    ]


# ------------------------------------------------------------------------------------------ failed logins


def test_failures_from_one_address_never_lock_other_users_out(
    admin: User, claims2: User, holder: User, settings: Any
) -> None:
    """20 failed logins from one address (a NAT, a proxy) used to lock every user of that address out."""
    for i in range(20):
        assert fail(f"nobody{i}", 1) == [401]
    assert fail("admin", 9) == [401] * 9  # one short of admin's own lock
    for name in ("admin", "claims2", "holder"):
        r = token_of(name, address="203.0.113.9")  # the same address
        assert r.status_code == 200, (name, r.content)
    login = Client(REMOTE_ADDR="203.0.113.9").post("/accounts/login/", {"username": "holder", "password": PASSWORD})
    assert login.status_code == 302


def test_ten_failures_lock_that_user_name_for_15_minutes_whatever_the_password(holder: User, admin: User) -> None:
    codes = fail("holder", 10)
    assert codes[:9] == [401] * 9
    r = token_of("holder", address="192.0.2.55")  # from anywhere
    assert r.status_code == 429 and 840 <= int(r["Retry-After"]) <= 900
    assert r.json()["errors"][0]["code"] == "E_THROTTLED"
    page = Client().post("/accounts/login/", {"username": "holder", "password": PASSWORD})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert token_of("admin").status_code == 200  # another user name is not affected
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert token_of("holder").status_code == 200  # the window has passed


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(settings: Any) -> None:
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(spoofed) == "198.51.100.1"
    settings.MAMORI_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    proxied = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.1.2.3")
    assert client_address(proxied) == "203.0.113.5"  # the right-most address no trusted proxy added
    direct = factory.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(direct) == "198.51.100.1"


# ------------------------------------------------------------------------------------------ public endpoints


def test_anonymous_quotes_are_throttled_per_client_address(settings: Any) -> None:
    settings.MAMORI_THROTTLES = [("quote", ("POST",), r"^/(api/v1/quotes|quote/)$", 3, 600)]
    one, other = Client(REMOTE_ADDR="198.51.100.20"), Client(REMOTE_ADDR="198.51.100.21")
    codes = [one.post("/api/v1/quotes", QUOTE, content_type="application/json").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    r = one.post("/api/v1/quotes", QUOTE, content_type="application/json")
    assert 0 < int(r["Retry-After"]) <= 600 and r.json()["errors"][0]["code"] == "E_RATE_LIMITED"
    assert other.post("/api/v1/quotes", QUOTE, content_type="application/json").status_code == 201


def test_every_public_endpoint_has_a_throttle(settings: Any) -> None:
    import re

    rules = settings.MAMORI_THROTTLES
    for method, path in [
        ("POST", "/api/v1/quotes"),
        ("POST", "/quote/"),
        ("POST", "/quote/preview/"),
        ("POST", "/estimate/"),
        ("POST", "/api/v1/estimates"),
        ("POST", "/signup/"),
        ("POST", "/api/v1/auth/token"),
    ]:
        assert any(method in m and re.match(p, path) for _n, m, p, _l, _s in rules), path


def test_anonymous_saved_quotes_expire_by_the_daily_job(holder: User) -> None:
    from mamori.web.quotes import services as quotes
    from mamori.web.quotes.models import Quote

    old, _ = quotes.quote_create(raw=QUOTE, user=None)
    kept, _ = quotes.quote_create(raw=QUOTE, user=holder)
    fresh, _ = quotes.quote_create(raw=QUOTE, user=None)
    Quote.objects.filter(pk__in=[old.pk, kept.pk]).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert quotes.anonymous_quotes_purge() == 1
    assert set(Quote.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}


def test_signup_is_throttled_reveals_no_user_names_and_redirects_only_here(holder: User, settings: Any) -> None:
    form = {"username": "holder", "password": PASSWORD, "name": "株式会社テスト", "entity": "corporation"}
    taken = Client().post("/signup/", form).content.decode()
    invalid = Client().post("/signup/", {**form, "username": "no spaces!"}).content.decode()
    assert "holder" not in taken.split('name="username"')[0]  # not echoed as taken
    assert "このユーザー名は使えません" in taken and "このユーザー名は使えません" in invalid
    assert "既に使われています" not in taken

    r = Client().post("/signup/?next=https://evil.example/phish", {**form, "username": "newcomer"})
    assert r.status_code == 302 and r["Location"] == "/dashboard/"

    settings.MAMORI_THROTTLES = [("signup", ("POST",), r"^/signup/$", 2, 3600)]
    client = Client(REMOTE_ADDR="198.51.100.30")
    codes = [client.post("/signup/", {**form, "username": f"u{i}"}).status_code for i in range(3)]
    assert codes[2] == 429


# ------------------------------------------------------------------------------------------ tokens


def test_a_lower_case_bearer_revokes_its_token(holder: User) -> None:
    token = token_of("holder").json()["token"]
    for scheme in ("bearer", "BEARER"):
        assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"{scheme} {token}").status_code == 200
    r = Client().post("/api/v1/auth/token/revoke", HTTP_AUTHORIZATION=f"bearer {token}")
    assert r.status_code == 200
    assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_tokens_end_after_12_hours_and_staff_tokens_after_30_minutes_unused(holder: User, admin: User) -> None:
    mine, staff = token_of("holder").json()["token"], token_of("admin").json()["token"]
    ApiToken.objects.update(last_used_at=timezone.now() - dt.timedelta(minutes=31))
    assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"Bearer {mine}").status_code == 200
    assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"Bearer {staff}").status_code == 401
    ApiToken.objects.filter(user=holder).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"Bearer {mine}").status_code == 401
    record = ApiToken.objects.filter(user=admin).get()
    assert record.expires_at - record.created_at == dt.timedelta(hours=12)
    assert not ApiToken.objects.filter(digest=staff).exists()  # stored hashed


def test_tokens_are_listed_revoked_all_at_once_and_when_the_password_changes(holder: User) -> None:
    first, second = (token_of("holder").json()["token"] for _ in range(2))
    listed = Client().get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {first}").json()
    assert {t["prefix"] for t in listed} == {first[:8], second[:8]} and first not in json.dumps(listed)
    assert Client().post("/api/v1/auth/token/revoke-all", HTTP_AUTHORIZATION=f"Bearer {first}").json() == {"revoked": 2}
    for token in (first, second):
        assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401

    third = token_of("holder").json()["token"]
    holder.set_password("another-long-password-9")
    holder.save()
    assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"Bearer {third}").status_code == 401


def test_staff_sessions_end_after_30_minutes_idle_policyholders_after_8_hours(holder: User, admin: User) -> None:
    for user, seconds in ((admin, 30 * 60), (holder, 8 * 3600)):
        client = Client()
        client.force_login(user)
        client.get("/dashboard/")
        assert client.session.get_expiry_age() == seconds, user


# ------------------------------------------------------------------------------------------ second factor


def _code(device: TOTPDevice, ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _unthrottle(device: TOTPDevice) -> None:
    """django-otp delays the next try after a wrong code (1 s, then doubling): the test does not wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)


def test_staff_enrol_a_totp_app_and_give_its_code_before_any_staff_page(
    admin: User, holder: User, settings: Any
) -> None:
    settings.MAMORI_STAFF_SECOND_FACTOR = True
    client = Client()
    r = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD, "next": "/payments/"})
    assert r.status_code == 302
    blocked = client.get("/payments/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/second-factor/")
    page = client.get(blocked["Location"])
    assert page.status_code == 200 and "<svg" in page.content.decode()  # the QR code to scan
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert client.post("/accounts/second-factor/", {"code": "000000", "next": "/payments/"}).status_code == 422
    _unthrottle(device)
    done = client.post("/accounts/second-factor/", {"code": _code(device), "next": "/payments/"})
    assert done.status_code == 302 and done["Location"] == "/payments/"
    assert client.get("/payments/").status_code == 200

    # Next time: the code of the enrolled app, asked for at login.
    again = Client()
    again.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert again.get("/payments/").status_code == 302
    assert again.post("/accounts/second-factor/", {"code": _code(device, 1)}).status_code == 302
    assert again.get("/payments/").status_code == 200

    # A policyholder is not asked.
    holder_client = Client()
    holder_client.post("/accounts/login/", {"username": "holder", "password": PASSWORD})
    assert holder_client.get("/policies/").status_code == 200


def test_staff_tokens_need_the_second_factor(admin: User, holder: User, settings: Any) -> None:
    settings.MAMORI_STAFF_SECOND_FACTOR = True
    r = token_of("admin")
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "E_OTP_NOT_ENROLLED"
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    assert token_of("admin").json()["errors"][0]["code"] == "E_TOKEN_OTP"
    assert token_of("admin", otp="123").json()["errors"][0]["code"] == "E_OTP"
    _unthrottle(device)
    r = token_of("admin", otp=_code(device))
    assert r.status_code == 200
    assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"Bearer {r.json()['token']}").status_code == 200
    assert token_of("holder").status_code == 200  # policyholders: a password only

    # A staff token made without the factor (before it was required) no longer works.
    settings.MAMORI_STAFF_SECOND_FACTOR = False
    plain = token_of("admin").json()["token"]
    settings.MAMORI_STAFF_SECOND_FACTOR = True
    assert Client().get("/api/v1/policies", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_production_requires_the_second_factor_and_the_demo_does_not_unless_asked(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    code = (
        "import django,os; os.environ['DJANGO_SETTINGS_MODULE']='mamori.web.config.settings'; django.setup();"
        "from django.conf import settings as s; print(s.MAMORI_STAFF_SECOND_FACTOR)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MAMORI_", "DJANGO_", "DATABASE_URL"))}
    base.update(MAMORI_SECRET_KEY="x" * 50, MAMORI_DATA_DIR=str(tmp_path))
    seen = []
    for extra in ({}, {"MAMORI_DEMO": "1"}, {"MAMORI_DEMO": "1", "MAMORI_STAFF_SECOND_FACTOR": "1"}):
        done = subprocess.run([sys.executable, "-c", code], env={**base, **extra}, capture_output=True, text=True,
                              check=True, timeout=60, cwd=tmp_path)  # fmt: skip
        seen.append(done.stdout.strip())
    assert seen == ["True", "False", "True"]


def test_services_refuse_overlong_credentials_without_a_lookup() -> None:
    request = RequestFactory().post("/api/v1/auth/token")
    assert services.login_attempt(request=request, username="x" * 151, password="p") is None
