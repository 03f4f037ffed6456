"""Billing (product.md §5): payments by hand and from a Shift_JIS bank file (once per reference), and the
daily job — lapse after the grace period, expiry, renewal offers 60 days before the end — idempotent per date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.web.conftest import PASSWORD  # type: ignore[import-not-found]

from mamori import calendar
from mamori.web.applications import services as applications
from mamori.web.audit.models import AuditEvent
from mamori.web.billing.models import DailyRun, Installment, Payment
from mamori.web.policies.models import Policy, RenewalOffer
from mamori.web.quotes import services as quotes
from mamori.web.servicing import services as billing
from mamori.web.servicing import services as servicing

pytestmark = pytest.mark.django_db


def _policy(user: User, start: dt.date, payment: str = "monthly") -> Policy:
    quote, _ = quotes.quote_create(raw={"industry": "wholesale", "revenue": 500_000_000}, user=user)
    app = applications.application_submit(
        user=user, quote=quote, start=start.isoformat(), payment=payment, consent=True, today=start
    )
    policy, _ = servicing.application_bind(user=user, application_id=app.pk, today=start)
    return policy


def test_a_bank_file_in_shift_jis_is_imported_once_per_reference(holder: User, admin: User, today: dt.date) -> None:
    policy = _policy(holder, today)
    text = (
        "入金日,金額,証券番号,参照番号,依頼人名\n"
        f"{today.isoformat()},5280,{policy.number},ZENGIN-0001,ﾏﾓﾘｼｮｳｼﾞ\n"
        f"{today.isoformat()},5280,{policy.number},ZENGIN-0002,ﾏﾓﾘｼｮｳｼﾞ\n"
        f"{today.isoformat()},5280,MC2099-000001,ZENGIN-0003,ﾀﾆﾝ\n"
    )
    data = text.encode("cp932")
    first = billing.bank_import(user=admin, name="furikomi.csv", data=data)
    assert (first.encoding, first.rows, first.recorded, first.duplicates) == ("cp932", 3, 2, 0)
    assert [u["reference"] for u in first.unmatched] == ["ZENGIN-0003"]
    again = billing.bank_import(user=admin, name="furikomi.csv", data=data)
    assert (again.recorded, again.duplicates) == (0, 2)
    assert Payment.objects.count() == 2
    paid = list(Installment.objects.filter(policy=policy, status="PAID").values_list("number", flat=True))
    assert paid == [1, 2]


def test_a_bank_file_without_a_required_column_is_refused_naming_it(admin: User) -> None:
    from mamori.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        billing.bank_import(user=admin, name="x.csv", data="日付,金額\n2026-01-01,1\n".encode("cp932"))
    assert caught.value.errors[0].field.startswith("file.")


def test_a_payment_reference_reused_with_other_details_is_a_conflict(holder: User, admin: User, today: dt.date) -> None:
    from mamori.web.errors import Conflict

    policy = _policy(holder, today)
    billing.payment_record(user=admin, policy_number=policy.number, amount=5280, paid_date=today, reference="R")
    with pytest.raises(Conflict):
        billing.payment_record(user=admin, policy_number=policy.number, amount=9999, paid_date=today, reference="R")


def test_an_unpaid_installment_lapses_the_policy_after_the_grace_period_once(holder: User, admin: User) -> None:
    start = dt.date(2031, 1, 31)
    policy = _policy(holder, start)
    billing.payment_record(user=admin, policy_number=policy.number, amount=5280, paid_date=start, reference="P1")
    second_due = Installment.objects.get(policy=policy, number=2).due_date
    assert second_due == dt.date(2031, 2, 28)
    grace_end = dt.date(2031, 3, 31)  # the last day of the calendar month after the due date
    summary, ran = billing.daily_run(on_date=grace_end)
    assert ran and summary["lapsed"] == []
    summary, ran = billing.daily_run(on_date=grace_end + dt.timedelta(days=1))
    assert ran and summary["lapsed"] == [policy.number]
    policy.refresh_from_db()
    assert policy.status == "LAPSED"
    assert policy.ended_at == calendar.at_time(second_due, dt.time(16), dt.timezone(dt.timedelta(hours=9)))
    statuses = list(Installment.objects.filter(policy=policy).order_by("number").values_list("status", flat=True))
    assert statuses[0] == "PAID" and set(statuses[2:]) == {"CANCELLED"}
    events = AuditEvent.objects.filter(action="policy.lapse").count()
    # The same date again changes nothing and returns the first run's summary.
    assert billing.daily_run(on_date=grace_end + dt.timedelta(days=1)) == (summary, False)
    assert AuditEvent.objects.filter(action="policy.lapse").count() == events
    assert DailyRun.objects.count() == 2


def test_a_renewal_is_offered_60_days_before_the_end_re_rated(holder: User, mail_outbox: list[Any]) -> None:
    start = dt.date(2031, 6, 1)
    policy = _policy(holder, start, payment="annual")
    Installment.objects.filter(policy=policy).update(paid_yen=10**9, status="PAID")
    offer_day = dt.date(2032, 4, 2)  # 2032-06-01 minus 60 days
    assert billing.daily_run(on_date=offer_day - dt.timedelta(days=1))[0]["renewal_offers"] == []
    summary, _ = billing.daily_run(on_date=offer_day)
    assert summary["renewal_offers"] == [policy.number]
    offer = RenewalOffer.objects.get(policy=policy)
    assert offer.start_date == dt.date(2032, 6, 1)
    assert offer.quote.inputs["start"] == "2032-06-01"
    assert offer.quote.monthly_premium_yen == 5280
    assert billing.daily_run(on_date=offer_day + dt.timedelta(days=1))[0]["renewal_offers"] == []
    assert RenewalOffer.objects.count() == 1


def test_a_policy_expires_at_its_end(holder: User) -> None:
    start = dt.date(2031, 6, 1)
    policy = _policy(holder, start, payment="annual")
    Installment.objects.filter(policy=policy).update(paid_yen=10**9, status="PAID")
    assert billing.daily_run(on_date=dt.date(2032, 5, 31))[0]["expired"] == []
    assert billing.daily_run(on_date=dt.date(2032, 6, 1))[0]["expired"] == [policy.number]
    policy.refresh_from_db()
    assert policy.status == "EXPIRED"


def test_the_payments_page_records_a_payment_and_shows_errors_next_to_fields(
    holder: User, admin: User, today: dt.date
) -> None:
    policy = _policy(holder, today)
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    bad = client.post(
        "/payments/", {"policy_number": policy.number, "amount": "abc", "paid_date": "", "reference": "R9"}
    )
    assert bad.status_code == 422
    page = bad.content.decode()
    assert 'data-field="amount"' in page and 'data-field="paid_date"' in page
    assert 'value="R9"' in page  # what was typed is kept
    assert Payment.objects.count() == 0
    ok = client.post(
        "/payments/",
        {"policy_number": policy.number, "amount": "5,280", "paid_date": today.isoformat(), "reference": "R9"},
    )
    assert ok.status_code == 302
    assert Payment.objects.get().amount_yen == 5280


def test_the_daily_job_command_is_idempotent_for_a_date(holder: User, capsys: pytest.CaptureFixture[str]) -> None:
    from mamori.web import server

    first = server.daily(on_date=dt.date(2031, 1, 1), out=None)  # type: ignore[arg-type]
    again = server.daily(on_date=dt.date(2031, 1, 1), out=None)  # type: ignore[arg-type]
    assert first["ran"] is True and again["ran"] is False


def test_an_accepted_renewal_is_bound_as_a_new_policy_keeping_the_retroactive_date(holder: User, api: Any) -> None:
    start = dt.date(2031, 6, 1)
    policy = _policy(holder, start, payment="annual")
    Installment.objects.filter(policy=policy).update(paid_yen=10**9, status="PAID")
    client = api(holder)
    assert client.post(f"/policies/{policy.number}/renewal").status_code == 409  # no offer yet
    billing.daily_run(on_date=dt.date(2032, 4, 2))
    r = client.post(f"/policies/{policy.number}/renewal")
    assert r.status_code == 201, r.content
    application = r.json()
    assert (application["status"], application["start"]) == ("approved", "2032-06-01")
    assert client.post(f"/policies/{policy.number}/renewal").json()["id"] == application["id"]
    bound = client.post(f"/applications/{application['id']}/bind")
    assert bound.status_code == 201, bound.content
    renewed = Policy.objects.get(number=bound.json()["number"])
    assert renewed.renewal_of == policy
    assert renewed.retroactive_date == dt.date(2031, 6, 1)
    assert renewed.start_date == dt.date(2032, 6, 1)
