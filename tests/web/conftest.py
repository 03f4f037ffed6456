"""Fixtures of the web tests: registered product versions, users of every role, API clients.

The database is SQLite unless ``DATABASE_URL`` names another (the test command runs the suite again on
PostgreSQL); tests marked ``postgres`` run only there.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.accounts.models import Agency, Business
from mamori.web.productdb import selectors as productdb

PASSWORD = "correct-horse-battery-7"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (the test command runs it with DATABASE_URL)"))


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Each test starts with no throttle counted (the counters live in this process's cache)."""
    from django.core.cache import caches

    caches["throttle"].clear()


@pytest.fixture
def today() -> dt.date:
    return productdb.catalog().latest().today()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: str,
        *,
        business: Business | None = None,
        agency: Agency | None = None,
        name: str | None = None,
        team: str = "",
    ) -> User:
        counter["n"] += 1
        return accounts.user_create(
            username=name or f"{role}{counter['n']}",
            password=PASSWORD,
            role=role,
            business=business,
            agency=agency,
            team=team,
            email=f"{name or role + str(counter['n'])}@example.jp",
        )

    return make


@pytest.fixture
def agency(db: None) -> Agency:
    return Agency.objects.create(code="A1", name="さくら保険代理店")


@pytest.fixture
def business(db: None) -> Business:
    return accounts.business_create(
        name="株式会社まもり商事", entity="corporation", industry="wholesale", email="h@example.jp"
    )


@pytest.fixture
def other_business(db: None) -> Business:
    return accounts.business_create(name="山田デザイン事務所", entity="sole_proprietor")


@pytest.fixture
def holder(make_user: Callable[..., User], business: Business) -> User:
    return make_user(roles.POLICYHOLDER, business=business, name="holder")


@pytest.fixture
def holder2(make_user: Callable[..., User], other_business: Business) -> User:
    return make_user(roles.POLICYHOLDER, business=other_business, name="holder2")


@pytest.fixture
def underwriter(make_user: Callable[..., User]) -> User:
    return make_user(roles.UNDERWRITER, name="underwriter")


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(roles.ADMINISTRATOR, name="admin")


@pytest.fixture
def agent(make_user: Callable[..., User], agency: Agency) -> User:
    return make_user(roles.AGENT, agency=agency, name="agent")


@pytest.fixture
def claims(make_user: Callable[..., User]) -> User:
    return make_user(roles.CLAIMS_HANDLER, name="claims", team="tokyo")


@pytest.fixture
def claims2(make_user: Callable[..., User]) -> User:
    return make_user(roles.CLAIMS_HANDLER, name="claims2", team="tokyo")


@pytest.fixture
def support(make_user: Callable[..., User]) -> User:
    return make_user(roles.SUPPORT_DESK, name="support", team="tokyo")


@pytest.fixture
def osaka(make_user: Callable[..., User]) -> dict[str, User]:
    """Claims and support staff of another team."""
    return {
        "claims": make_user(roles.CLAIMS_HANDLER, name="claims_osaka", team="osaka"),
        "support": make_user(roles.SUPPORT_DESK, name="support_osaka", team="osaka"),
    }


def parallel(n: int, call: Callable[[int], Any]) -> list[Any]:
    """Run ``call(i)`` in ``n`` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = call(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


class Api:
    """A JSON client of /api/v1 with a user's bearer token."""

    def __init__(self, client: Client, token: str | None = None, lang: str = "en") -> None:
        self.client = client
        self.headers: dict[str, str] = {"Accept-Language": lang}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None, key: str | None = None) -> Any:
        headers = dict(self.headers)
        if key:
            headers["Idempotency-Key"] = key
        data = raw if raw is not None else __import__("json").dumps(body if body is not None else {})
        return self.client.post(f"/api/v1{path}", data=data, content_type="application/json", headers=headers)

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)


@pytest.fixture
def api() -> Callable[..., Api]:
    def make(user: User | None = None, lang: str = "en") -> Api:
        token = accounts.api_token_create(user=user)[1] if user is not None else None
        return Api(Client(), token, lang)

    return make


@pytest.fixture
def mail_outbox(settings: Any) -> list[Any]:
    from django.core import mail

    mail.outbox = []
    return mail.outbox
