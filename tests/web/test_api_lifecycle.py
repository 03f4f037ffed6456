"""The REST API end to end (interfaces.md §2): quote → application → referral → decision → bind →
certificate → payment → change → cancellation, on SQLite and again on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from mamori.web.audit.models import AuditEvent
from mamori.web.billing.models import Installment, Payment, Refund
from mamori.web.policies.models import Policy, PolicyVersion
from mamori.web.quotes.models import Quote

pytestmark = pytest.mark.django_db


def _apply(api: Any, quote_id: str, start: dt.date, payment: str = "monthly") -> dict[str, Any]:
    r = api.post(
        "/applications", {"quote_id": quote_id, "start": start.isoformat(), "payment": payment, "consent": True}
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_a_public_quote_answers_like_the_cli_and_keeps_its_version_hash_and_inputs(api: Callable[..., Any]) -> None:
    r = api().post("/quotes", {"industry": "wholesale", "revenue": 500_000_000, "start": "2026-04-01"})
    assert r.status_code == 201, r.content
    doc = r.json()
    assert (doc["status"], doc["monthly_premium"], doc["annual_premium"]) == ("quoted", 5280, 62120)
    saved = Quote.objects.get(pk=doc["id"])
    assert saved.product_version.version == doc["product_version"] == "2025-04"
    assert saved.product_version.content_hash == doc["product_hash"]
    assert saved.inputs["revenue"] == 500_000_000
    assert saved.result["factors_exact"]["base"] == "5280"


def test_an_invalid_quote_is_422_in_the_one_error_shape_with_field_and_allowed_values(api: Callable[..., Any]) -> None:
    r = api(lang="ja").post("/quotes", {"industry": "wholesale", "revenue": 1, "deductible": 7, "liabilty_limit": 1})
    assert r.status_code == 422
    errors = r.json()["errors"]
    by_field = {e["field"]: e for e in errors}
    assert by_field["deductible"]["allowed"] == [0, 100000, 300000, 500000, 1000000]
    assert "指定できる値" in by_field["deductible"]["message"]
    assert by_field["liabilty_limit"]["code"] == "E_UNKNOWN_FIELD"
    assert by_field["liabilty_limit"]["params"]["suggestion"] == "liability_limit"
    assert Quote.objects.count() == 0


def test_a_body_with_a_duplicate_key_is_refused_not_last_wins(api: Callable[..., Any]) -> None:
    r = api().post("/quotes", raw=b'{"industry": "wholesale", "revenue": 1, "revenue": 500000000}')
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "E_DUPLICATE_KEY"
    assert Quote.objects.count() == 0


def test_the_whole_journey_through_the_api(
    api: Callable[..., Any], holder: User, underwriter: User, admin: User, today: dt.date
) -> None:
    customer, uw, staff = api(holder), api(underwriter), api(admin)
    quote = customer.post("/quotes", {"industry": "information_communications", "revenue": 800_000_000}).json()
    assert quote["status"] == "referred"

    application = _apply(customer, quote["id"], today, payment="annual")
    assert application["status"] == "referred"
    assert application["reasons"][0]["code"] == "R_INDUSTRY"
    assert customer.post(f"/applications/{application['id']}/bind").status_code == 409

    decided = uw.post(
        f"/applications/{application['id']}/decision",
        {"decision": "approve", "reason": "MFA and backups verified", "monthly_premium": 9000},
    )
    assert decided.status_code == 200, decided.content
    assert (decided.json()["status"], decided.json()["monthly_premium"], decided.json()["annual_premium"]) == (
        "approved",
        9000,
        105880,
    )  # 9,000 × 12 / 1.02 = 105,882.35 → 105,880

    bound = customer.post(f"/applications/{application['id']}/bind")
    assert bound.status_code == 201, bound.content
    policy = bound.json()
    assert policy["status"] == "in_force"
    assert policy["start_at"].endswith("16:00:00+09:00")
    assert [i["amount"] for i in policy["installments"]] == [105880]
    again = customer.post(f"/applications/{application['id']}/bind")
    assert (again.status_code, again.json()["number"]) == (200, policy["number"])
    assert Policy.objects.count() == 1

    pdf = customer.client.get(f"/api/v1/policies/{policy['number']}/certificate", headers=customer.headers)
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "保険証券" in text and policy["number"] in text

    paid = staff.post(
        "/payments",
        {"policy_number": policy["number"], "amount": 105880, "paid_date": today.isoformat(), "reference": "BANK-001"},
    )
    assert paid.status_code == 201
    assert (
        staff.post(
            "/payments",
            {
                "policy_number": policy["number"],
                "amount": 105880,
                "paid_date": today.isoformat(),
                "reference": "BANK-001",
            },
        ).status_code
        == 200
    )
    assert Payment.objects.count() == 1
    assert customer.get(f"/policies/{policy['number']}").json()["installments"][0]["status"] == "paid"

    changed = customer.post(
        f"/policies/{policy['number']}/changes", {"effective_date": today.isoformat(), "pd_rider": True}
    )
    # A referred risk stays referred on a change: the change goes to an underwriter (interfaces.md §2: 201).
    assert changed.status_code == 201
    assert (changed.json()["status"], changed.json()["reasons"][0]["code"]) == ("referred", "R_INDUSTRY")
    request_id = changed.json()["id"]
    assert (
        customer.post(f"/change-requests/{request_id}/decision", {"decision": "decline", "reason": "x"}).status_code
        == 403
    )
    declined = uw.post(f"/change-requests/{request_id}/decision", {"decision": "decline", "reason": "未対応"})
    assert (declined.status_code, declined.json()["status"]) == (200, "declined")
    again_decided = uw.post(f"/change-requests/{request_id}/decision", {"decision": "approve", "reason": "x"})
    assert (again_decided.status_code, again_decided.json()["errors"][0]["code"]) == (409, "E_ILLEGAL_TRANSITION")

    cancelled = customer.post(f"/policies/{policy['number']}/cancellation", {"effective_date": today.isoformat()})
    assert cancelled.status_code == 200, cancelled.content
    # Cancelled on the start date: m = 12, the whole annual premium comes back (floor10), as money paid back.
    assert cancelled.json() == cancelled.json() | {
        "status": "cancelled",
        "refund": 105880,
        "refunds": 105880,
        "credit": 0,
    }
    assert (
        customer.post(f"/policies/{policy['number']}/cancellation", {"effective_date": today.isoformat()}).status_code
        == 409
    )
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "quote.create",
        "application.submit",
        "application.approve",
        "application.bind",
        "policy.issue",
        "payment.record",
        "policy.change_referred",
        "policy.cancel",
    } <= actions


def test_a_mid_term_change_of_an_annual_payment_charges_the_pro_rata_difference(
    api: Callable[..., Any], holder: User, today: dt.date
) -> None:
    customer = api(holder)
    quote = customer.post("/quotes", {"industry": "wholesale", "revenue": 500_000_000}).json()
    app = _apply(customer, quote["id"], today, payment="annual")
    policy = customer.post(f"/applications/{app['id']}/bind").json()
    assert policy["annual_premium"] == 62120
    effective = today + dt.timedelta(days=1)  # m = 11
    r = customer.post(
        f"/policies/{policy['number']}/changes", {"effective_date": effective.isoformat(), "bi_limit": 30_000_000}
    )
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["annual_premium"] == 77650  # 5,280 × 1.25 × 12 / 1.02
    assert doc["months_left"] == 11
    assert doc["premium_difference"] == (77650 - 62120) * 11 // 12 // 10 * 10  # floor10(Δ × 11 / 12)
    assert doc["version"] == 2
    assert PolicyVersion.objects.filter(policy__number=policy["number"]).count() == 2
    history = customer.get(f"/policies/{policy['number']}").json()["versions"]
    assert [(v["version"], v["reason"]) for v in history] == [(1, "issue"), (2, "change")]


def test_a_mid_term_change_of_a_monthly_payment_reprices_the_installments_from_the_date(
    api: Callable[..., Any], holder: User, today: dt.date
) -> None:
    customer = api(holder)
    quote = customer.post("/quotes", {"industry": "wholesale", "revenue": 500_000_000}).json()
    policy = customer.post(f"/applications/{_apply(customer, quote['id'], today)['id']}/bind").json()
    second_due = dt.date.fromisoformat(policy["installments"][1]["due_date"])
    r = customer.post(
        f"/policies/{policy['number']}/changes", {"effective_date": second_due.isoformat(), "deductible": 0}
    )
    assert r.status_code == 201, r.content
    amounts = [i["amount"] for i in r.json()["installments"]]
    assert amounts == [5280] + [5810] * 11  # 5,280 × 1.10
    assert r.json()["premium_difference"] == 0


def test_cancelling_a_monthly_payment_cancels_later_installments_and_refunds_nothing(
    api: Callable[..., Any], holder: User, today: dt.date
) -> None:
    customer = api(holder)
    quote = customer.post("/quotes", {"industry": "wholesale", "revenue": 500_000_000}).json()
    policy = customer.post(f"/applications/{_apply(customer, quote['id'], today)['id']}/bind").json()
    third_due = policy["installments"][2]["due_date"]
    r = customer.post(f"/policies/{policy['number']}/cancellation", {"effective_date": third_due})
    assert r.json()["refund"] == 0
    statuses = [i.status for i in Installment.objects.filter(policy__number=policy["number"]).order_by("number")]
    assert statuses == ["DUE", "DUE"] + ["CANCELLED"] * 10
    assert Refund.objects.count() == 0


def test_an_application_starting_in_the_past_is_refused(api: Callable[..., Any], holder: User, today: dt.date) -> None:
    customer = api(holder)
    quote = customer.post("/quotes", {"industry": "wholesale", "revenue": 1}).json()
    r = customer.post(
        "/applications", {"quote_id": quote["id"], "start": (today - dt.timedelta(days=1)).isoformat(), "consent": True}
    )
    assert r.status_code == 422
    assert r.json()["errors"][0] == r.json()["errors"][0] | {"field": "start", "code": "E_START_PAST"}


def test_a_declined_application_says_why_and_cannot_be_bound(
    api: Callable[..., Any], holder: User, today: dt.date
) -> None:
    customer = api(holder)
    quote = customer.post("/quotes", {"industry": "crypto_assets", "revenue": 1}).json()
    app = _apply(customer, quote["id"], today)
    assert app["status"] == "declined"
    assert app["reasons"][0]["code"] == "D_INDUSTRY"
    r = customer.post(f"/applications/{app['id']}/bind")
    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "E_NOT_BINDABLE"


def test_an_underwriter_must_give_a_reason_and_a_premium_for_a_referral(
    api: Callable[..., Any], holder: User, underwriter: User, today: dt.date
) -> None:
    quote = api(holder).post("/quotes", {"industry": "utilities", "revenue": 1}).json()
    app = _apply(api(holder), quote["id"], today)
    r = api(underwriter).post(f"/applications/{app['id']}/decision", {"decision": "approve", "reason": " "})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"reason", "monthly_premium"}
    assert (
        api(holder)
        .post(f"/applications/{app['id']}/decision", {"decision": "approve", "reason": "x", "monthly_premium": 1})
        .status_code
        == 403
    )


def test_the_openapi_document_describes_every_endpoint(api: Callable[..., Any]) -> None:
    doc = api().get("/openapi.json").json()
    paths = set(doc["paths"])
    assert {
        "/api/v1/auth/token",
        "/api/v1/quotes",
        "/api/v1/applications",
        "/api/v1/applications/{application_id}/decision",
        "/api/v1/applications/{application_id}/bind",
        "/api/v1/policies",
        "/api/v1/policies/{number}",
        "/api/v1/policies/{number}/certificate",
        "/api/v1/policies/{number}/changes",
        "/api/v1/policies/{number}/cancellation",
        "/api/v1/payments",
        "/api/v1/books/premium",
        "/api/v1/books/triangle",
        "/api/v1/books/reserves",
    } <= paths


def test_a_token_is_stored_hashed_and_can_be_revoked(api: Callable[..., Any], holder: User) -> None:
    from mamori.web.accounts.models import ApiToken

    client = api()
    r = client.post("/auth/token", {"username": "holder", "password": "correct-horse-battery-7"})
    token = r.json()["token"]
    assert not ApiToken.objects.filter(digest=token).exists()
    assert ApiToken.objects.filter(prefix=token[:8]).exists()
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.get("/policies").status_code == 200
    assert client.post("/auth/token/revoke").status_code == 200
    assert client.get("/policies").status_code == 401


def test_repeated_failed_logins_are_throttled(api: Callable[..., Any], holder: User) -> None:
    # interfaces.md §2 (issue 14): 10 failures within 15 minutes lock the user name (was 5 before).
    client = api()
    codes = [
        client.post("/auth/token", {"username": "holder", "password": f"wrong-{i}"}).status_code for i in range(10)
    ]
    assert codes[:9] == [401] * 9
    assert codes[9] in (401, 429)
    # Even the right password is refused while the name is locked, with when to try again.
    locked = client.post("/auth/token", {"username": "holder", "password": "correct-horse-battery-7"})
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 900
    assert locked.json()["errors"][0]["code"] == "E_THROTTLED"


def test_api_errors_speak_the_requested_language(api: Callable[..., Any]) -> None:
    ja = api(lang="ja").post("/quotes", {"industry": "x", "revenue": 1}).json()["errors"][0]["message"]
    en = api(lang="en").post("/quotes", {"industry": "x", "revenue": 1}).json()["errors"][0]["message"]
    assert "指定できる値" in ja
    assert "Allowed values" in en
    assert json.dumps(ja, ensure_ascii=False) != json.dumps(en)


def test_nothing_takes_effect_before_a_change_already_applied(
    api: Callable[..., Any], holder: User, today: dt.date
) -> None:
    """A change dated later than today is applied at once; a cancellation (or another change) dated before
    it would settle on terms the account never had: refused, naming the day from which it may take effect."""
    customer = api(holder)
    quote = customer.post("/quotes", {"industry": "wholesale", "revenue": 500_000_000}).json()
    policy = customer.post(f"/applications/{_apply(customer, quote['id'], today, payment='annual')['id']}/bind").json()
    number = policy["number"]
    later = today + dt.timedelta(days=3)
    changed = customer.post(f"/policies/{number}/changes", {"effective_date": later.isoformat(), "deductible": 0})
    assert changed.status_code == 201, changed.content
    for path, body in (
        ("cancellation", {"effective_date": today.isoformat()}),
        ("changes", {"effective_date": today.isoformat(), "bi_limit": 30_000_000}),
    ):
        refused = customer.post(f"/policies/{number}/{path}", body)
        assert refused.status_code == 422, refused.content
        error = refused.json()["errors"][0]
        assert (error["field"], error["code"]) == ("effective_date", "E_BEFORE_CHANGE")
        assert later.isoformat() in error["message"]
    assert Refund.objects.count() == 0 and PolicyVersion.objects.filter(policy__number=number).count() == 2
    cancelled = customer.post(f"/policies/{number}/cancellation", {"effective_date": later.isoformat()})
    assert cancelled.status_code in (200, 201), cancelled.content
