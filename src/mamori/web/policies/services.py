"""Writes of the policy records themselves: a policy's number, its immutable versions and the certificate
(保険証券) of each version. What a policy's life does — bind, change, cancel, renew, lapse, expire, and the
money of each — is decided by the use cases and written by :mod:`mamori.web.servicing`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django_tasks import task

from mamori import catalog as catalog_mod
from mamori.policy import schedule
from mamori.rating.inputs import Risk
from mamori.web import background
from mamori.web.applications.models import Application
from mamori.web.policies import certificate, selectors
from mamori.web.policies.models import NumberCounter, Policy, PolicyDocument, PolicyVersion

LANGS = ("ja", "en")


def _next_number(year: int) -> str:
    counter, _ = NumberCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"MC{year}-{counter.last:06d}"


def policy_snapshot(policy: Policy) -> dict[str, Any]:
    return {"status": policy.status, "ended_at": policy.ended_at.isoformat() if policy.ended_at else None}


def version_snapshot(v: PolicyVersion) -> dict[str, Any]:
    return {
        "version": v.number,
        "effective_date": v.effective_date.isoformat(),
        "liability_limit_yen": v.liability_limit_yen,
        "expense_limit_yen": v.expense_limit_yen,
        "deductible_yen": v.deductible_yen,
        "bi_limit_yen": v.bi_limit_yen,
        "pd_rider": v.pd_rider,
        "monthly_premium_yen": v.monthly_premium_yen,
        "annual_premium_yen": v.annual_premium_yen,
        "premium_difference_yen": v.premium_difference_yen,
    }


def _certificates(policy: Policy, v: PolicyVersion, product: catalog_mod.ProductVersion) -> None:
    """The certificate of a new version, in Japanese and English, stored as issued (same transaction)."""
    payment = schedule.payment_method(product, policy.payment)
    installment = selectors.installment_premium(policy, v)
    risk = v.risk
    data = certificate.CertificateData(
        number=policy.number,
        version=v.number,
        effective_date=v.effective_date,
        issued_at=v.created_at,
        business_name=policy.business.name,
        business_entity=policy.business.entity,
        business_address=policy.business.address,
        industry=risk.industry,
        revenue=risk.revenue,
        measures_declared=risk.measures_declared,
        start_at=policy.start_at,
        end_at=policy.end_at,
        retroactive_date=policy.retroactive_date,
        liability_limit=v.liability_limit_yen,
        expense_limit=v.expense_limit_yen,
        deductible=v.deductible_yen,
        bi_limit=v.bi_limit_yen,
        pd_rider=v.pd_rider,
        payment=policy.payment,
        installment_amount=installment,
        installments=payment.installments,
        total_premium=installment * payment.installments,
        product=product,
    )
    for lang in LANGS:
        pdf = certificate.certificate_pdf(data, lang=lang)
        PolicyDocument.objects.create(
            version=v, kind=PolicyDocument.Kind.CERTIFICATE, lang=lang, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest()
        )


def policy_create(*, application: Application, product: catalog_mod.ProductVersion, end_date: dt.date) -> Policy:
    """The policy row of an application being bound (inside the bind's transaction)."""
    start = application.start_date
    return Policy.objects.create(
        number=_next_number(start.year),
        application=application,
        business=application.business,
        product_version=application.product_version,
        payment=application.payment,
        start_date=start,
        end_date=end_date,
        start_at=product.term_start_at(start),
        end_at=product.term_end_at(start),
        # A renewal keeps the retroactive date of the policies it continues (product.md §5).
        retroactive_date=application.renewal_of.retroactive_date if application.renewal_of else start,
        renewal_of=application.renewal_of,
    )


def version_create(  # noqa: PLR0913 - keyword-only: every term of a version is written at once
    *,
    policy: Policy,
    reason: Any,  # a PolicyVersion.Reason
    effective_date: dt.date,
    risk: Risk,
    monthly_premium: int,
    annual_premium: int,
    user: AbstractBaseUser | None,
    premium_difference: int = 0,
    months_left: int | None = None,
    quote: Any = None,
    certificate: bool = True,
) -> PolicyVersion:
    """A new immutable version of ``policy`` with the terms of ``risk`` (and its certificates when it is
    a document the policyholder receives: an issue or a change)."""
    last = policy.versions.order_by("-number").values_list("number", flat=True).first() or 0
    v = PolicyVersion.objects.create(
        policy=policy,
        number=last + 1,
        effective_date=effective_date,
        reason=reason,
        liability_limit_yen=risk.liability_limit,
        expense_limit_yen=risk.expense_limit,
        deductible_yen=risk.deductible,
        bi_limit_yen=risk.bi_limit,
        pd_rider=risk.pd_rider,
        monthly_premium_yen=monthly_premium,
        annual_premium_yen=annual_premium,
        premium_difference_yen=premium_difference,
        months_left=months_left,
        inputs=risk.to_stored(),
        quote=quote,
        created_by=user,
    )
    if certificate and not _DEFERRED.get():
        # Made by a worker (two PDFs take about a second), queued in this transaction: the task exists once
        # the version does. A download before that makes them itself (certificates_ensure).
        background.enqueue(certificates_make, policy_id=policy.pk)
    return v


@task()
def certificates_make(*, policy_id: int, attempt: int = 1) -> int:
    """The certificates of a policy's new versions (a worker's task after issue or change); on failure tried
    again later, then FAILED (the download still makes them). The number of versions that have them now."""
    policy = Policy.objects.select_related("business", "product_version").filter(pk=policy_id).first()
    if policy is None:
        return 0
    try:
        certificates_ensure(policy)
    except Exception as exc:
        background.again_or_raise(certificates_make, attempt, exc, policy_id=policy_id)
        return 0
    return PolicyVersion.objects.filter(policy=policy, documents__isnull=False).distinct().count()


#: Certificates left to :func:`certificates_ensure` (made the first time they are asked for).
_DEFERRED: contextvars.ContextVar[bool] = contextvars.ContextVar("mamori_certificates_deferred", default=False)


@contextlib.contextmanager
def certificates_deferred() -> Iterator[None]:
    """Inside: the certificates of new versions are made when first asked for, not at issue (the large
    demo's prototypes, made by the thousand-fold; the document is the same — dated by its version)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def certificates_ensure(policy: Policy) -> None:
    """The certificates of the policy's versions, made now when missing — the copied policies of the large
    demo (``serve --demo --scale``) have none. The document is the one issued then: it is dated by the
    version and made from the stored terms."""
    missing = (
        PolicyVersion.objects.filter(policy=policy, documents__isnull=True)
        .exclude(reason=PolicyVersion.Reason.CANCELLATION)
        .order_by("number")
    )
    for v in missing:
        try:
            with transaction.atomic():
                _certificates(policy, v, selectors.version_of(policy))
        except IntegrityError:  # made at the same moment by another request
            continue
