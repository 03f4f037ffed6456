"""Fixtures of the web tests: registered product versions, users of every role, API clients.

The database is SQLite unless ``DATABASE_URL`` names another (the test command runs the suite again on
PostgreSQL); tests marked ``postgres`` run only there.
"""

from __future__ import annotations

import datetime as dt
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


@pytest.fixture
def today() -> dt.date:
    return productdb.catalog().latest().today()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = {"n": 0}

    def make(
        role: str, *, business: Business | None = None, agency: Agency | None = None, name: str | None = None
    ) -> User:
        counter["n"] += 1
        return accounts.user_create(
            username=name or f"{role}{counter['n']}", password=PASSWORD, role=role, business=business, agency=agency
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
