"""The demo data of ``mamori serve --demo`` (interfaces.md §2), loaded once.

Users, each with the role its name says: ``holder`` and ``holder2`` (policyholders of two different
businesses, each with an in-force policy), ``agent``, ``underwriter``, ``claims``, ``claims2``,
``support``, ``admin``. Their password is ``MAMORI_DEMO_PASSWORD`` when set, otherwise one generated at
the first start and printed once.
"""

from __future__ import annotations

import os
import secrets
from typing import TextIO

from django.contrib.auth.models import User
from django.db import transaction
from django.test.utils import override_settings

from mamori.web import demo_books, demo_incidents
from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.accounts.models import Agency
from mamori.web.applications import services as applications
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes import services as quotes
from mamori.web.servicing import services as servicing

USERS = (
    ("holder", roles.POLICYHOLDER),
    ("holder2", roles.POLICYHOLDER),
    ("agent", roles.AGENT),
    ("underwriter", roles.UNDERWRITER),
    ("claims", roles.CLAIMS_HANDLER),
    ("claims2", roles.CLAIMS_HANDLER),
    ("support", roles.SUPPORT_DESK),
    ("admin", roles.ADMINISTRATOR),
)


def _password() -> tuple[str, bool]:
    given = os.environ.get("MAMORI_DEMO_PASSWORD")
    return (given, True) if given else (f"demo-{secrets.token_urlsafe(9)}", False)


def load(*, out: TextIO) -> None:
    password, given = _password()
    if User.objects.filter(username="admin").exists():
        if given:
            for name, _ in USERS:
                user = User.objects.filter(username=name).first()
                if user is not None and not user.check_password(password):
                    user.set_password(password)
                    user.save(update_fields=["password"])
        out.write(_users_text(password if given else None))
        return
    # The demo's incidents, claims and payments would tell their (fictitious) people by mail: not at start.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        _create(password)
    out.write(_users_text(password))


def _create(password: str) -> None:
    agency = Agency.objects.create(code="SAKURA", name="さくら保険代理店")
    today = productdb.catalog().latest().today()
    businesses = {
        "holder": accounts.business_create(
            name="株式会社まもり商事",
            entity="corporation",
            industry="wholesale",
            address="東京都千代田区丸の内1-1",
            email="holder@example.jp",
        ),
        "holder2": accounts.business_create(
            name="山田デザイン事務所",
            entity="sole_proprietor",
            industry="professional_services",
            address="大阪府大阪市北区梅田2-2",
            email="holder2@example.jp",
            agency=agency,
        ),
    }
    users = {}
    for name, role in USERS:
        users[name] = accounts.user_create(
            username=name,
            password=password,
            role=role,
            business=businesses.get(name),
            agency=agency if role == roles.AGENT else None,
            team="tokyo" if role in (roles.CLAIMS_HANDLER, roles.SUPPORT_DESK) else "",
            email=f"{name}@example.jp",
        )
    risks = {
        "holder": {
            "industry": "wholesale",
            "revenue": 500_000_000,
            "measures": ["S01", "S02", "S03", "S04", "S05", "S06"],
        },
        "holder2": {
            "industry": "professional_services",
            "revenue": 30_000_000,
            "entity": "sole_proprietor",
            "liability_limit": 30_000_000,
            "bi_limit": 10_000_000,
        },
    }
    for name, raw in risks.items():
        user = users[name]
        quote, _ = quotes.quote_create(raw={**raw, "start": today.isoformat()}, user=user, business=businesses[name])
        app = applications.application_submit(
            user=user, quote=quote, start=today.isoformat(), payment="monthly", consent=True
        )
        servicing.application_bind(user=user, application_id=app.pk)
    demo_incidents.load(users=users, agency=agency)
    demo_books.load(users=users, agency=agency)  # history over past quarters for the books (issue 17)
    # A referral waiting for the underwriter: an agent's client in information and communications.
    referred, _ = quotes.quote_create(
        raw={"industry": "information_communications", "revenue": 800_000_000, "start": today.isoformat()},
        user=users["agent"],
    )
    applications.application_submit(
        user=users["agent"],
        quote=referred,
        business={"name": "株式会社ネットワークス", "entity": "corporation"},
        start=today.isoformat(),
        payment="annual",
        consent=True,
    )


def _users_text(password: str | None) -> str:
    names = ", ".join(f"{name} ({role})" for name, role in USERS)
    if password is None:
        shown = "（初回起動時に表示済み / printed at the first start; set MAMORI_DEMO_PASSWORD to choose one）"
    else:
        shown = password
    return f"デモ利用者 / demo users: {names}\nパスワード / password: {shown}\n"
