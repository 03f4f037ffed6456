"""Issue 14, items 1 and 8: bounded inputs, and every answer under /api/v1 JSON in the one error shape — NUL
characters and out-of-range numbers are 404/422, never 500 (interfaces.md §2)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from mamori.rating import values
from mamori.web.accounts.models import Business
from mamori.web.billing.models import Payment
from mamori.web.demo_incidents import policy_for
from mamori.web.policies.models import Policy
from mamori.web.quotes.models import Quote

pytestmark = pytest.mark.django_db
TERMS = {"industry": "wholesale", "revenue": 500_000_000}


class Unreadable:
    """A request body that must never be read (the answer has to come before it)."""

    def read(self, *_: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def _shape(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.content[:300])
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    body = r.json()
    assert isinstance(body["errors"], list) and body["errors"], body
    for error in body["errors"]:
        assert {"field", "code", "message"} <= set(error), error
    return body


@pytest.fixture
def policy(holder: User, business: Business, today: dt.date) -> Policy:
    return policy_for(user=holder, business=business, risk=TERMS, start=today - dt.timedelta(days=30), today=today)


# ------------------------------------------------------------------------------------------ sizes


def test_a_body_above_1_mb_is_refused_413_before_it_is_read() -> None:
    r = Client().generic(
        "POST",
        "/api/v1/quotes",
        content_type="application/json",
        **{"CONTENT_LENGTH": str(280 * 1024 * 1024), "wsgi.input": Unreadable()},
    )
    body = _shape(r, 413)
    assert body["errors"][0]["code"] == "E_BODY_TOO_LARGE"
    # The same limit on pages (an anonymous form post).
    r = Client().generic("POST", "/quote/", CONTENT_LENGTH=str(2 * 1024 * 1024), **{"wsgi.input": Unreadable()})
    assert r.status_code == 413 and r["Content-Type"].startswith("text/html")
    assert not Quote.objects.exists()


def test_just_under_the_limit_is_read_and_answered_by_the_rules() -> None:
    padding = "x" * (1024 * 1024 - 200)
    r = Client().post("/api/v1/quotes", data=json.dumps({**TERMS, "note": padding}), content_type="application/json")
    assert r.status_code == 422  # read, and the unknown field named — not refused for its size
    assert "note" in r.content.decode()


def test_an_attachment_above_20_mb_is_refused_413_before_it_is_read(api: Callable[..., Any], holder: User) -> None:
    headers = api(holder).headers
    r = Client().generic(
        "POST",
        "/api/v1/incidents/00000000-0000-0000-0000-000000000000/attachments",
        content_type="multipart/form-data; boundary=x",
        headers=headers,
        **{"CONTENT_LENGTH": str(21 * 1024 * 1024), "wsgi.input": Unreadable()},
    )
    assert _shape(r, 413)["errors"][0]["params"]["maximum"] == 20 * 1024 * 1024 + 64 * 1024


def test_16000_repeated_measures_are_one_quick_422_naming_the_repeat_once() -> None:
    # The check is linear in the list (it took 5.3 s for 16,000 items when it counted every item in the
    # list); bench/bench_hardening.py measures it against its baseline.
    many = ["S01"] * 16_000
    for body in ({**TERMS, "measures": many}, {**TERMS, "measures": ",".join(many)}):
        r = Client().post("/api/v1/quotes", data=json.dumps(body), content_type="application/json")
        errors = _shape(r, 422)["errors"]
        assert [e["code"] for e in errors] == ["E_MEASURE_DUPLICATE"]
        assert errors[0]["message"].count("S01") == 1
    assert not Quote.objects.exists()


def test_a_list_of_thousands_of_unknown_measures_names_a_few() -> None:
    problem = values.read_measures([f"X{i}" for i in range(20_000)], ["S01", "S02"])
    assert isinstance(problem, values.MeasureProblem) and len(problem.ids) == 20


def test_an_address_too_long_is_414_in_the_error_shape() -> None:
    body = _shape(Client().get("/api/v1/policies?x=" + "a" * 5000), 414)
    assert body["errors"][0]["code"] == "E_URI_TOO_LONG"


# ------------------------------------------------------------------------------------------ NUL, numbers


def test_a_nul_in_a_path_is_404_and_in_a_query_422(api: Callable[..., Any], admin: User, policy: Policy) -> None:
    staff = api(admin)
    assert _shape(staff.get("/policies/MC2026-%00"), 404)["errors"][0]["code"] == "E_NOT_FOUND"
    error = _shape(staff.get("/vendors?category=%00"), 422)["errors"][0]
    assert (error["field"], error["code"]) == ("category", "E_NUL")
    assert Client().get("/policies/MC%00/").status_code == 404  # pages too


@pytest.mark.parametrize(
    ("who", "path", "body", "field"),
    [
        ("holder", "/incidents", {"policy_number": "P", "incident": {"summary": "a\x00b"}}, "incident.summary"),
        ("holder", "/applications", {"business": {"name": "株式会社\x00", "entity": "corporation"}}, "business.name"),
        (
            "admin",
            "/payments",
            {"policy_number": "P", "amount": 1, "paid_date": "2026-01-01", "reference": "R\x00"},
            "reference",
        ),
        ("support", "/cases/1/notes", {"text": "note\x00"}, "text"),
        (None, "/auth/token", {"username": "holder\x00", "password": "x"}, "username"),
    ],
)
def test_a_nul_in_a_body_is_422_naming_the_field(  # noqa: PLR0913 - one fixture per role, one argument per column
    api: Callable[..., Any], holder: User, admin: User, support: User, who: str | None, path: str, body: Any, field: str
) -> None:
    users = {"holder": holder, "admin": admin, "support": support}
    r = api(users[who] if who else None).post(path, body)
    errors = _shape(r, 422)["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, "E_NUL")]


def test_a_nul_in_a_form_field_is_422(client: Client, holder: User) -> None:
    client.force_login(holder)
    r = client.post("/incidents/draft/", {"summary": "ランサムウェア\x00"})
    assert r.status_code == 422 and "NUL" in r.content.decode()


@pytest.mark.parametrize(("amount", "shown"), [(2**63, str(2**63)), (1e20, "1e+20"), (-(2**53), str(-(2**53)))])
def test_numbers_beyond_what_json_carries_exactly_are_422(
    api: Callable[..., Any], admin: User, policy: Policy, amount: Any, shown: str
) -> None:
    before = Payment.objects.count()
    body = {"policy_number": policy.number, "amount": amount, "paid_date": "2026-01-01", "reference": "R1"}
    error = _shape(api(admin).post("/payments", body), 422)["errors"][0]
    assert (error["field"], error["code"]) == ("amount", "E_NUMBER_RANGE")
    assert shown in error["message"]
    assert Payment.objects.count() == before


def test_a_reserve_of_1e20_is_422_not_500(api: Callable[..., Any], claims: User) -> None:
    r = api(claims).post("/claims/00000000-0000-0000-0000-000000000000/reserve", {"reserve": 1e20})
    assert _shape(r, 422)["errors"][0]["code"] == "E_NUMBER_RANGE"


def test_a_value_the_database_cannot_store_is_422_on_pages_and_api(
    api: Callable[..., Any], holder: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net for what no rule caught: the database's own refusal (a DataError) is 422."""
    from django.db import DataError

    from mamori.web.policies import selectors

    def refuse(*_: Any, **__: Any) -> Any:
        raise DataError("value out of range")

    monkeypatch.setattr(selectors, "policies_visible", refuse)
    assert _shape(api(holder).get("/policies"), 422)["errors"][0]["code"] == "E_NOT_STORABLE"
    client = Client()
    client.force_login(holder)
    assert client.get("/policies/").status_code == 422


# ------------------------------------------------------------------------------------------ the one error shape


def test_every_error_status_under_the_api_is_json_in_the_one_shape(
    api: Callable[..., Any], holder: User, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    anonymous = api()
    assert _shape(Client().get("/api/v1/policies", HTTP_HOST="evil.example"), 400)  # Django's own 400
    assert _shape(Client().post("/api/v1/quotes", data=b"{", content_type="application/json"), 422)
    assert _shape(anonymous.get("/policies"), 401)["errors"][0]["code"] == "E_AUTH_TOKEN"
    assert _shape(
        api(holder).post("/payments", {"policy_number": "P", "amount": 1, "paid_date": "2026-01-01", "reference": "R"}),
        403,
    )
    assert _shape(anonymous.get("/no-such-thing"), 404)["errors"][0]["code"] == "E_NOT_FOUND"
    method = _shape(Client().get("/api/v1/quotes"), 405)["errors"][0]
    assert method["code"] == "E_METHOD" and "POST" in method["allowed"]
    assert _shape(Client().get("/api/v1/quotes/not-a-uuid", headers=api(holder).headers), 404)

    from mamori.web.api import app as api_app

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api_app.policy_selectors, "policies_visible", broken)
    r = Client(raise_request_exception=False).get("/api/v1/policies", headers=api(admin).headers)
    error = _shape(r, 500)["errors"][0]
    assert error["code"] == "E_SERVER" and r["X-Request-ID"] in error["message"]
    assert "a bug" not in r.content.decode()
