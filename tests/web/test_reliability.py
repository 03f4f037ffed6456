"""Nothing half-done, nothing twice: a failure half-way through issuing leaves nothing (the certificate, a
worker's task, is tried again and made at download if it keeps failing); concurrent binds
and payments (and repeated Idempotency-Keys) are recorded once — the concurrent ones on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.web.conftest import parallel  # type: ignore[import-not-found]

from mamori.web import background
from mamori.web.applications import services as applications
from mamori.web.audit.models import AuditEvent
from mamori.web.billing.models import Installment, Payment
from mamori.web.policies import certificate
from mamori.web.policies.models import Policy, PolicyDocument, PolicyVersion
from mamori.web.quotes import services as quotes
from mamori.web.servicing import services as servicing


def _approved_application(user: User, today: dt.date, payment: str = "monthly") -> Any:
    quote, _ = quotes.quote_create(raw={"industry": "wholesale", "revenue": 500_000_000}, user=user)
    return applications.application_submit(
        user=user, quote=quote, start=today.isoformat(), payment=payment, consent=True
    )


@pytest.mark.django_db
def test_a_failure_in_the_certificate_step_leaves_no_policy_no_installment_no_audit_row(
    holder: User, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _approved_application(holder, today)
    audit_rows = AuditEvent.objects.count()

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the task queue failed")

    monkeypatch.setattr(background, "enqueue", broken)  # the certificates' task is queued in the transaction
    with pytest.raises(RuntimeError, match="task queue"):
        servicing.application_bind(user=holder, application_id=app.pk)
    assert Policy.objects.count() == PolicyVersion.objects.count() == Installment.objects.count() == 0
    assert PolicyDocument.objects.count() == 0
    assert AuditEvent.objects.count() == audit_rows
    app.refresh_from_db()
    assert app.status == "APPROVED"  # and it can be bound once the queue works again
    monkeypatch.undo()
    policy, created = servicing.application_bind(user=holder, application_id=app.pk)
    assert created and policy.installments.count() == 12
    assert PolicyDocument.objects.filter(version__policy=policy).count() == 2  # made by the task (here: at once)


@pytest.mark.django_db
def test_a_certificate_the_pdf_engine_fails_on_is_tried_again_then_made_when_downloaded(
    holder: User, today: dt.date, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _approved_application(holder, today)
    tries: list[str] = []

    def broken(*_: Any, **kwargs: Any) -> bytes:
        tries.append(kwargs.get("lang", "ja"))
        raise RuntimeError("the PDF engine failed")

    monkeypatch.setattr(certificate, "certificate_pdf", broken)
    policy, created = servicing.application_bind(user=holder, application_id=app.pk)
    assert created and PolicyDocument.objects.count() == 0  # issued; its certificate is a worker's task
    assert len(tries) == background.MAX_ATTEMPTS  # tried again, then left FAILED
    monkeypatch.undo()
    client = Client()
    client.force_login(holder)
    pdf = client.get(f"/policies/{policy.number}/certificate/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")  # the download makes it
    assert PolicyDocument.objects.filter(version__policy=policy).count() == 2


@pytest.mark.django_db
def test_issued_versions_and_documents_are_immutable(holder: User, today: dt.date) -> None:
    app = _approved_application(holder, today)
    policy, _ = servicing.application_bind(user=holder, application_id=app.pk)
    version = policy.versions.get()
    version.monthly_premium_yen = 1
    with pytest.raises(Exception, match="immutable"):
        version.save()
    document = PolicyDocument.objects.filter(version=version).first()
    assert document is not None
    with pytest.raises(Exception, match="immutable"):
        document.save()


@pytest.mark.django_db
def test_installments_add_up_to_the_premium(holder: User, today: dt.date) -> None:
    app = _approved_application(holder, today)
    policy, _ = servicing.application_bind(user=holder, application_id=app.pk)
    amounts = list(policy.installments.values_list("amount_yen", flat=True))
    assert sum(amounts) == 12 * app.monthly_premium_yen
    dues = list(policy.installments.order_by("number").values_list("due_date", flat=True))
    assert dues[0] == today and len(set(dues)) == 12


# ------------------------------------------------------------------------------ several requests at once, on PostgreSQL


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_binds_of_one_application_issue_one_policy(holder: User, today: dt.date) -> None:
    app = _approved_application(holder, today)
    results = parallel(6, lambda _i: servicing.application_bind(user=holder, application_id=app.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Policy.objects.count() == 1
    assert sum(1 for _policy, created in results if created) == 1
    assert {policy.number for policy, _ in results} == {Policy.objects.get().number}
    assert Installment.objects.count() == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_api_binds_with_the_same_idempotency_key_answer_the_same_policy(
    holder: User, today: dt.date, api: Callable[..., Any]
) -> None:
    app = _approved_application(holder, today)
    token_client = api(holder)

    def bind(_i: int) -> Any:
        client = Client()
        r = client.post(
            f"/api/v1/applications/{app.pk}/bind",
            content_type="application/json",
            data="{}",
            headers={**token_client.headers, "Idempotency-Key": "bind-once"},
        )
        return r.status_code, r.json()

    results = parallel(5, bind)
    assert all(not isinstance(r, Exception) for r in results), results
    assert {body["number"] for _status, body in results} == {Policy.objects.get().number}
    assert Policy.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_sent_many_times_at_once_is_recorded_once(
    holder: User, admin: User, today: dt.date, api: Callable[..., Any]
) -> None:
    app = _approved_application(holder, today)
    policy, _ = servicing.application_bind(user=holder, application_id=app.pk)
    staff = api(admin)
    body = {"policy_number": policy.number, "amount": 5280, "paid_date": today.isoformat(), "reference": "FURIKOMI-42"}

    def pay(i: int) -> Any:
        client = Client()
        r = client.post(
            "/api/v1/payments",
            content_type="application/json",
            data=__import__("json").dumps(body),
            headers={**staff.headers, "Idempotency-Key": f"k{i % 2}"},
        )
        return r.status_code

    results = parallel(6, pay)
    assert set(results) <= {200, 201}, results
    assert Payment.objects.count() == 1
    first = Installment.objects.get(policy=policy, number=1)
    assert (first.paid_yen, first.status) == (5280, "PAID")
    assert Installment.objects.filter(policy=policy, status="PAID").count() == 1


@pytest.mark.django_db
def test_the_same_idempotency_key_with_another_body_is_refused(
    holder: User, admin: User, today: dt.date, api: Callable[..., Any]
) -> None:
    app = _approved_application(holder, today)
    policy, _ = servicing.application_bind(user=holder, application_id=app.pk)
    staff = api(admin)
    first = {"policy_number": policy.number, "amount": 100, "paid_date": today.isoformat(), "reference": "R1"}
    assert staff.post("/payments", first, key="K").status_code == 201
    assert staff.post("/payments", first, key="K").status_code == 201  # the first answer, replayed
    other = staff.post("/payments", {**first, "reference": "R2"}, key="K")
    assert other.status_code == 409
    assert other.json()["errors"][0]["code"] == "E_IDEMPOTENCY_REUSED"
    assert Payment.objects.count() == 1
