"""The holes a hostile insider and a careless agent found (issue 13), each a regression test through the API
and the pages: a limit raised after a loss, staff acting for policyholders, four eyes split across payments,
corrections beyond their payment, money lost on a re-price, referred changes never decided, and bounds that
were only words. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from mamori import money
from mamori.web.accounts import roles
from mamori.web.accounts import services as account_services
from mamori.web.accounts.models import Agency, Business
from mamori.web.applications.models import Application
from mamori.web.billing.models import Installment, Payment
from mamori.web.demo_incidents import policy_for
from mamori.web.policies.models import ChangeRequest, Policy, PolicyVersion
from mamori.web.servicing import selectors as servicing_selectors

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
PASSWORD = "correct-horse-battery-7"
TERMS = {"industry": "wholesale", "revenue": 500_000_000}


@pytest.fixture
def client_business(agency: Agency) -> Business:
    return account_services.business_create(
        name="株式会社さくら物産", entity="corporation", industry="wholesale", agency=agency, email="c@example.jp"
    )


@pytest.fixture
def client_policy(agent: User, client_business: Business, today: dt.date) -> Policy:
    return policy_for(
        user=agent, business=client_business, risk=TERMS, start=today - dt.timedelta(days=20), today=today
    )


def incident_block(discovered: dt.datetime) -> dict[str, Any]:
    return {
        "accident_types": ["A1", "A2"],
        "discovered_at": discovered.isoformat(),
        "occurred_at": (discovered - dt.timedelta(hours=2)).isoformat(),
        "country": "JP",
        "attack_confirmed": True,
        "affected_persons": 200,
        "personal_data": {"improper_purpose": True},
    }


def open_claim(api: Callable[..., Any], reporter: User, claims: User, policy: Policy, amount: int) -> dict[str, Any]:
    discovered = (dt.datetime.now(JST) - dt.timedelta(days=2)).replace(microsecond=0)
    reported = api(reporter).post(
        "/incidents", {"policy_number": policy.number, "incident": incident_block(discovered)}
    )
    assert reported.status_code == 201, reported.content
    opened = api(claims).post(
        "/claims", {"incident_id": reported.json()["id"], "costs": [{"item": "EX_FORENSICS", "amount": amount}]}
    )
    assert opened.status_code == 201, opened.content
    return dict(opened.json())


# ------------------------------------------------------------------------------------------ 1


def test_a_limit_raised_after_a_loss_never_pays_the_loss(
    api: Callable[..., Any], agent: User, claims: User, underwriter: User, client_policy: Policy, today: dt.date
) -> None:
    claim = open_claim(api, agent, claims, client_policy, 90_000_000)
    payable = claim["calculation"]["payable_total"]
    assert payable == 30_000_000  # the expense limit at discovery
    broker = api(agent)
    number = client_policy.number

    backdated = broker.post(
        f"/policies/{number}/changes",
        {"effective_date": client_policy.start_date.isoformat(), "expense_limit": 100_000_000},
    )
    assert backdated.status_code == 422
    assert [(e["field"], e["code"]) for e in backdated.json()["errors"]] == [("effective_date", "E_BACKDATED")]

    widened = broker.post(
        f"/policies/{number}/changes", {"effective_date": today.isoformat(), "expense_limit": 100_000_000}
    )
    assert widened.status_code == 201, widened.content
    assert widened.json()["status"] == "referred"
    assert [r["code"] for r in widened.json()["reasons"]] == ["R_OPEN_INCIDENT"]
    assert PolicyVersion.objects.filter(policy=client_policy).count() == 1  # nothing changed

    # An underwriter may approve it: it applies from today, and the claim still uses the terms at discovery.
    approved = api(underwriter).post(
        f"/change-requests/{widened.json()['id']}/decision", {"decision": "approve", "reason": "事故と無関係の増額"}
    )
    assert approved.status_code == 200, approved.content
    assert PolicyVersion.objects.filter(policy=client_policy).count() == 2
    staff = api(claims)
    assert staff.post(f"/claims/{claim['id']}/decision", {"decision": "pay", "notes": "約款どおり"}).status_code == 200
    assert staff.get(f"/claims/{claim['id']}").json()["calculation"]["payable_total"] == payable
    refused = staff.post(f"/claims/{claim['id']}/payments", {"amount": payable + 1})
    assert (refused.status_code, refused.json()["errors"][0]["code"]) == (409, "E_PAYMENT_ABOVE_ALLOWED")

    cancel_back = broker.post(
        f"/policies/{number}/cancellation", {"effective_date": (today - dt.timedelta(days=10)).isoformat()}
    )
    assert (cancel_back.status_code, cancel_back.json()["errors"][0]["code"]) == (422, "E_BACKDATED")


def test_narrowing_cover_with_an_open_incident_applies_at_once(
    api: Callable[..., Any], agent: User, claims: User, client_policy: Policy, today: dt.date
) -> None:
    open_claim(api, agent, claims, client_policy, 1_000_000)
    narrowed = api(agent).post(
        f"/policies/{client_policy.number}/changes", {"effective_date": today.isoformat(), "deductible": 500_000}
    )
    assert (narrowed.status_code, narrowed.json()["status"]) == (201, "applied")


# ------------------------------------------------------------------------------------------ 2


@pytest.fixture
def staff(underwriter: User, claims: User, support: User, admin: User) -> tuple[User, ...]:
    return underwriter, claims, support, admin


def test_staff_never_apply_bind_change_or_cancel_for_a_policyholder(
    api: Callable[..., Any],
    agent: User,
    staff: tuple[User, ...],
    client_business: Business,
    client_policy: Policy,
    today: dt.date,
) -> None:
    quote = api(agent).post("/quotes", {"industry": "information_communications", "revenue": 800_000_000}).json()
    applied = api(agent).post(
        "/applications",
        {"quote_id": quote["id"], "business_id": client_business.pk, "start": today.isoformat(), "payment": "monthly"},
    )
    assert applied.status_code == 201, applied.content
    applications = Application.objects.count()
    for member in staff:
        caller = api(member)
        for path, body in (
            (
                "/applications",
                {**TERMS, "business_id": client_business.pk, "start": today.isoformat(), "payment": "monthly"},
            ),
            (f"/applications/{applied.json()['id']}/bind", {}),
            (
                f"/policies/{client_policy.number}/changes",
                {"effective_date": today.isoformat(), "expense_limit": 100_000_000},
            ),
            (f"/policies/{client_policy.number}/cancellation", {"effective_date": today.isoformat()}),
            (f"/policies/{client_policy.number}/renewal", {}),
        ):
            answer = caller.post(path, body)
            assert answer.status_code == 403, (member.username, path, answer.content)
            assert answer.json()["errors"][0]["code"] == "E_FORBIDDEN"
    assert Application.objects.count() == applications
    assert PolicyVersion.objects.filter(policy=client_policy).count() == 1


def test_an_underwriter_decides_only_what_others_submitted_and_never_below_the_minimum_premium(
    api: Callable[..., Any], agent: User, make_user: Callable[..., User], client_business: Business, today: dt.date
) -> None:
    both = make_user(roles.AGENT, agency=client_business.agency, name="agent_uw")
    both.groups.add(Group.objects.get(name=roles.UNDERWRITER))  # one person, two roles
    quote = api(both).post("/quotes", {"industry": "information_communications", "revenue": 800_000_000}).json()
    own = api(both).post(
        "/applications",
        {"quote_id": quote["id"], "business_id": client_business.pk, "start": today.isoformat(), "payment": "monthly"},
    )
    assert (own.status_code, own.json()["status"]) == (201, "referred")
    mine = api(both).post(
        f"/applications/{own.json()['id']}/decision", {"decision": "approve", "reason": "ok", "monthly_premium": 9000}
    )
    assert (mine.status_code, mine.json()["errors"][0]["code"]) == (403, "E_OWN_SUBMISSION")
    reviewer = make_user("underwriter", name="uw2")
    cheap = api(reviewer).post(
        f"/applications/{own.json()['id']}/decision", {"decision": "approve", "reason": "ok", "monthly_premium": 1}
    )
    assert cheap.status_code == 422
    assert (cheap.json()["errors"][0]["field"], cheap.json()["errors"][0]["params"]["minimum"]) == (
        "monthly_premium",
        1500,
    )


def test_a_claims_handler_cannot_raise_the_limits_of_the_policy_whose_claim_they_pay(
    api: Callable[..., Any], agent: User, claims: User, client_policy: Policy, today: dt.date
) -> None:
    open_claim(api, agent, claims, client_policy, 5_000_000)
    raised = api(claims).post(
        f"/policies/{client_policy.number}/changes", {"effective_date": today.isoformat(), "expense_limit": 100_000_000}
    )
    assert raised.status_code == 403


# ------------------------------------------------------------------------------------------ 3 and 4


def test_splitting_a_large_payment_never_avoids_the_second_claims_user(
    api: Callable[..., Any], agent: User, claims: User, claims2: User, client_policy: Policy, today: dt.date
) -> None:
    # 100,000,000 liability claimed: the limit pays it; three payments of 10,000,000 by one handler.
    discovered = (dt.datetime.now(JST) - dt.timedelta(days=2)).replace(microsecond=0)
    reported = api(agent).post(
        "/incidents", {"policy_number": client_policy.number, "incident": incident_block(discovered)}
    )
    staff = api(claims)
    opened = staff.post(
        "/claims", {"incident_id": reported.json()["id"], "costs": [{"item": "LI_DAMAGES", "amount": 50_000_000}]}
    )
    claim_id = opened.json()["id"]
    assert staff.post(f"/claims/{claim_id}/decision", {"decision": "pay", "notes": "約款どおり"}).status_code == 200
    states = [staff.post(f"/claims/{claim_id}/payments", {"amount": 10_000_000}).json()["status"] for _ in range(3)]
    assert states == ["paid", "awaiting_approval", "awaiting_approval"]
    claim = staff.get(f"/claims/{claim_id}").json()
    assert claim["paid"] == 10_000_000
    waiting = [p["id"] for p in claim["payments"] if p["status"] == "awaiting_approval"]
    assert api(claims).post(f"/claim-payments/{waiting[0]}/approval").status_code == 403
    assert api(claims2).post(f"/claim-payments/{waiting[0]}/approval").json()["status"] == "paid"


def test_two_corrections_of_one_payment_never_take_back_more_than_it(
    api: Callable[..., Any], agent: User, claims: User, client_policy: Policy
) -> None:
    claim = open_claim(api, agent, claims, client_policy, 5_000_000)
    staff = api(claims)
    assert staff.post(f"/claims/{claim['id']}/decision", {"decision": "pay", "notes": "約款どおり"}).status_code == 200
    paid = staff.post(f"/claims/{claim['id']}/payments", {"amount": 3_000_000}).json()
    first = staff.post(f"/claims/{claim['id']}/payments", {"amount": -2_000_000, "correction_of": paid["id"]})
    assert first.status_code == 201
    second = staff.post(f"/claims/{claim['id']}/payments", {"amount": -2_000_000, "correction_of": paid["id"]})
    assert second.status_code == 409
    assert (second.json()["errors"][0]["code"], second.json()["errors"][0]["params"]["allowed_amount"]) == (
        "E_CORRECTION_ABOVE_PAYMENT",
        1_000_000,
    )


# ------------------------------------------------------------------------------------------ 5


def test_installments_paid_in_advance_and_repriced_lower_become_credit_that_pays_the_next_ones(
    api: Callable[..., Any], holder: User, admin: User, business: Business, today: dt.date
) -> None:
    policy = policy_for(user=holder, business=business, risk=TERMS, start=today - dt.timedelta(days=5), today=today)
    premium = policy.versions.get(number=1).monthly_premium_yen
    staff = api(admin)
    paid = staff.post(
        "/payments",
        {"policy_number": policy.number, "amount": premium * 6, "paid_date": today.isoformat(), "reference": "ADV-1"},
    )
    assert paid.status_code == 201, paid.content
    lowered = api(holder).post(
        f"/policies/{policy.number}/changes", {"effective_date": today.isoformat(), "deductible": 1_000_000}
    )
    assert lowered.status_code == 201 and lowered.json()["status"] == "applied", lowered.content
    doc = api(holder).get(f"/policies/{policy.number}").json()
    new = doc["monthly_premium"]
    assert new < premium
    rows = list(Installment.objects.filter(policy=policy).order_by("number"))
    received = sum(p.amount_yen for p in Payment.objects.filter(policy=policy))
    # Money already paid is never lost: received = paid on installments + credit + refunds.
    assert received == sum(i.paid_yen for i in rows) + doc["credit"] + doc["refunds"]
    # The difference paid on the re-priced installments paid the next ones, oldest first.
    freed = (premium - new) * 6
    assert [i.status for i in rows[:8]] == ["PAID"] * 8  # installment 8 paid by the credit
    assert sum(i.paid_yen for i in rows[7:]) + doc["credit"] == freed
    assert doc["refunds"] == 0


# ------------------------------------------------------------------------------------------ 6


def test_a_referred_change_is_decided_by_an_underwriter_by_page(
    agent: User, underwriter: User, client_policy: Policy, today: dt.date, api: Callable[..., Any]
) -> None:
    referred = api(agent).post(
        f"/policies/{client_policy.number}/changes",
        {"effective_date": today.isoformat(), "liability_limit": 1_000_000_000, "expense_limit": 100_000_000},
    )
    assert referred.json()["status"] == "referred"
    request = ChangeRequest.objects.get()
    page = Client()
    page.login(username=underwriter.username, password=PASSWORD)
    queue = page.get("/underwriting/").content.decode()
    assert f"review-change-{request.pk}" in queue
    shown = page.get(f"/underwriting/changes/{request.pk}/")
    assert shown.status_code == 200 and "R_LIABILITY_LIMIT" in shown.content.decode()
    missing = page.post(f"/underwriting/changes/{request.pk}/", {"decision": "approve", "reason": "確認済み"})
    assert missing.status_code == 422 and 'data-field="monthly_premium"' in missing.content.decode()
    done = page.post(
        f"/underwriting/changes/{request.pk}/",
        {"decision": "approve", "reason": "確認済み", "monthly_premium": "12000"},
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.applied_version.liability_limit_yen) == (
        "APPROVED",
        underwriter,
        1_000_000_000,
    )
    assert request.applied_version.monthly_premium_yen == 12_000
    agent_page = Client()
    agent_page.login(username=agent.username, password=PASSWORD)
    assert agent_page.get(f"/underwriting/changes/{request.pk}/").status_code == 403


# ------------------------------------------------------------------------------------------ 7


def test_amount_bounds_are_one_constant_in_the_rule_and_in_the_message(
    api: Callable[..., Any], admin: User, agent: User, claims: User, client_policy: Policy, today: dt.date
) -> None:
    staff = api(admin, "ja")
    too_much = staff.post(
        "/payments",
        {
            "policy_number": client_policy.number,
            "amount": money.MAX_YEN + 1,
            "paid_date": today.isoformat(),
            "reference": "X",
        },
    )
    assert too_much.status_code == 422
    error = too_much.json()["errors"][0]
    assert (error["field"], error["code"], error["params"]["maximum"]) == ("amount", "E_RANGE", money.MAX_YEN)
    assert str(money.MAX_YEN) in error["message"].replace(",", "")
    claim = open_claim(api, agent, claims, client_policy, 1_000_000)
    handler = api(claims)
    for body in ({"reserve": money.MAX_YEN + 1}, {"reserve": str(10**20)}, {"reserve": -1}):
        answer = handler.post(f"/claims/{claim['id']}/reserve", body)
        assert (answer.status_code, answer.json()["errors"][0]["params"]["maximum"]) == (422, money.MAX_YEN)
    # Beyond what JSON keeps exact (2^53), the body itself is refused before any rule reads it.
    beyond = handler.post(f"/claims/{claim['id']}/reserve", {"reserve": 2**63})
    assert (beyond.status_code, beyond.json()["errors"][0]["code"]) == (422, "E_NUMBER_RANGE")
    assert handler.post(f"/claims/{claim['id']}/decision", {"decision": "pay", "notes": "ok"}).status_code == 200
    huge = handler.post(f"/claims/{claim['id']}/payments", {"amount": money.MAX_YEN + 1})
    assert huge.status_code == 422 and huge.json()["errors"][0]["params"]["maximum"] == money.MAX_YEN
    assert servicing_selectors.policy_json(client_policy)["credit"] >= 0
