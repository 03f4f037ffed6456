"""Who may see and do what: a policyholder only their own business, an agent only their agency's
businesses, staff by role — every forbidden path tried by page and by API (404 for what one may not see)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.web.conftest import PASSWORD  # type: ignore[import-not-found]

from mamori.web.accounts import roles
from mamori.web.accounts.models import Agency, Business
from mamori.web.applications import services as applications
from mamori.web.quotes import services as quotes
from mamori.web.servicing import services as servicing

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    holder: User, holder2: User, agent: User, agency: Agency, make_user: Callable[..., User], today: dt.date
) -> dict[str, Any]:
    """holder's business (no agency) with a policy; holder2's business with a policy; an agency client with a policy."""
    client_business = Business.objects.create(name="代理店の顧客", entity="corporation", agency=agency)
    client_user = make_user(roles.POLICYHOLDER, business=client_business, name="client")
    out: dict[str, Any] = {}
    for name, user in (("holder", holder), ("holder2", holder2), ("client", client_user)):
        quote, _ = quotes.quote_create(raw={"industry": "wholesale", "revenue": 500_000_000}, user=user)
        app = applications.application_submit(
            user=user, quote=quote, start=today.isoformat(), payment="monthly", consent=True
        )
        policy, _ = servicing.application_bind(user=user, application_id=app.pk)
        out[name] = {"quote": quote, "application": app, "policy": policy}
    return out


def _login(user: User) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


def test_a_policyholder_sees_only_their_own_business_by_api(
    world: dict[str, Any], holder: User, api: Callable[..., Any]
) -> None:
    mine, theirs = world["holder"], world["holder2"]
    client = api(holder)
    assert [p["number"] for p in client.get("/policies").json()] == [mine["policy"].number]
    assert client.get(f"/policies/{theirs['policy'].number}").status_code == 404
    assert client.get(f"/policies/{theirs['policy'].number}/certificate").status_code == 404
    assert client.get(f"/quotes/{theirs['quote'].pk}").status_code == 404
    assert client.get(f"/applications/{theirs['application'].pk}").status_code == 404
    assert client.post(f"/applications/{theirs['application'].pk}/bind").status_code == 404
    assert (
        client.post(
            f"/policies/{theirs['policy'].number}/changes", {"effective_date": "2027-01-01", "deductible": 0}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/policies/{theirs['policy'].number}/cancellation", {"effective_date": "2027-01-01"}).status_code
        == 404
    )
    # A number that does not exist looks the same as one that is not theirs.
    assert client.get("/policies/MC2099-999999").status_code == 404
    assert (
        client.post(
            "/payments",
            {"policy_number": mine["policy"].number, "amount": 1, "paid_date": "2027-01-01", "reference": "x"},
        ).status_code
        == 403
    )


def test_an_agent_sees_only_the_businesses_of_their_agency(
    world: dict[str, Any], agent: User, api: Callable[..., Any]
) -> None:
    client = api(agent)
    assert [p["number"] for p in client.get("/policies").json()] == [world["client"]["policy"].number]
    for other in ("holder", "holder2"):
        assert client.get(f"/policies/{world[other]['policy'].number}").status_code == 404
        assert client.get(f"/applications/{world[other]['application'].pk}").status_code == 404
    assert client.get(f"/policies/{world['client']['policy'].number}").status_code == 200


def test_a_policyholder_sees_only_their_own_business_by_page(world: dict[str, Any], holder: User) -> None:
    client = _login(holder)
    theirs = world["holder2"]
    assert client.get(f"/policies/{world['holder']['policy'].number}/").status_code == 200
    for path in (
        f"/policies/{theirs['policy'].number}/",
        f"/policies/{theirs['policy'].number}/certificate/",
        f"/applications/{theirs['application'].pk}/",
        f"/quotes/{theirs['quote'].pk}/",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.post(f"/policies/{theirs['policy'].number}/cancel/", {"effective_date": "2027-01-01"}).status_code == 404
    )
    assert client.post(f"/applications/{theirs['application'].pk}/bind/").status_code == 404
    for staff_page in ("/underwriting/", "/payments/", "/audit/"):
        assert client.get(staff_page).status_code == 403, staff_page


def test_pages_need_a_login(world: dict[str, Any]) -> None:
    client = Client()
    for path in ("/dashboard/", f"/policies/{world['holder']['policy'].number}/", "/underwriting/", "/audit/"):
        r = client.get(path)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], path
    assert client.get("/quote/").status_code == 200  # the quote page is public


def test_every_form_is_protected_against_cross_site_requests(world: dict[str, Any], holder: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="holder", password=PASSWORD)
    r = client.post(f"/policies/{world['holder']['policy'].number}/cancel/", {"effective_date": "2027-01-01"})
    assert r.status_code == 403
    world["holder"]["policy"].refresh_from_db()
    assert world["holder"]["policy"].status == "IN_FORCE"
    page = client.get(f"/policies/{world['holder']['policy'].number}/").content.decode()
    assert page.count("csrfmiddlewaretoken") >= 3  # language switch, change, cancel (and log out)


def test_underwriting_decisions_are_for_underwriters_only(
    world: dict[str, Any], holder: User, admin: User, api: Callable[..., Any]
) -> None:
    app = world["holder"]["application"]
    for user in (holder, admin):
        r = api(user).post(f"/applications/{app.pk}/decision", {"decision": "decline", "reason": "x"})
        assert r.status_code == 403


def test_only_administrators_see_the_audit_log(world: dict[str, Any], admin: User, underwriter: User) -> None:
    assert _login(admin).get("/audit/").status_code == 200
    assert _login(underwriter).get("/audit/").status_code == 403
    page = _login(admin).get("/audit/?action=policy.issue").content.decode()
    assert world["holder"]["policy"].number in page
