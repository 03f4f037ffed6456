"""Writes of policies: issue (with installments and certificates), mid-term changes, cancellation, renewal.

A policy is rated and changed with its own product version record (by content hash); the arithmetic of
product.md §5 (due dates, months left, pro rata) is the core's (:mod:`mamori.policy`); every change is a
new immutable version, written with its audit row in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from mamori import catalog as catalog_mod
from mamori import usecases
from mamori.errors import FieldError, InvalidInput
from mamori.policy import arithmetic, lifecycle, schedule
from mamori.policy.errors import IllegalTransition
from mamori.rating import engine, values
from mamori.web.accounts import roles
from mamori.web.accounts import selectors as accounts
from mamori.web.applications.models import Application
from mamori.web.audit.services import audit_record
from mamori.web.errors import Conflict, Forbidden, NotFound
from mamori.web.policies import certificate
from mamori.web.policies.models import ChangeRequest, NumberCounter, Policy, PolicyDocument, PolicyVersion
from mamori.web.productdb import selectors as productdb

#: Terms a mid-term change may change (product.md §5), as the API names them.
CHANGEABLE = ("liability_limit", "expense_limit", "deductible", "bi_limit", "pd_rider")
LANGS = ("ja", "en")


def version_of(policy: Policy) -> catalog_mod.ProductVersion:
    """The policy's own product version (its exact data, by content hash)."""
    return productdb.catalog().by_hash(policy.product_version.content_hash)


def _next_number(year: int) -> str:
    counter, _ = NumberCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"MC{year}-{counter.last:06d}"


def _snapshot(policy: Policy) -> dict[str, Any]:
    return {"status": policy.status, "ended_at": policy.ended_at.isoformat() if policy.ended_at else None}


def _version_snapshot(v: PolicyVersion) -> dict[str, Any]:
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
    installment = v.monthly_premium_yen if policy.payment == "monthly" else v.annual_premium_yen
    data = certificate.CertificateData(
        number=policy.number,
        version=v.number,
        effective_date=v.effective_date,
        issued_at=v.created_at,
        business_name=policy.business.name,
        business_entity=policy.business.entity,
        business_address=policy.business.address,
        industry=str(v.inputs.get("industry", "")),
        revenue=int(v.inputs.get("revenue", 0)),
        measures_declared=int(v.inputs.get("security_measures", 0)),
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


def policy_issue(*, application: Application, user: AbstractBaseUser) -> Policy:
    """Issue the policy of an approved application (called by ``application_bind``, in its transaction):
    the policy, version 1, its installments and its certificates — all or nothing."""
    from mamori.web.billing import services as billing

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("policy_issue runs inside the bind transaction")
    product = productdb.catalog().by_hash(application.product_version.content_hash)
    inputs = application.inputs
    start = application.start_date
    policy = Policy.objects.create(
        number=_next_number(start.year),
        application=application,
        business=application.business,
        product_version=application.product_version,
        payment=application.payment,
        start_date=start,
        end_date=schedule.end_date(product, start),
        start_at=product.term_start_at(start),
        end_at=product.term_end_at(start),
        # A renewal keeps the retroactive date of the policies it continues (product.md §5).
        retroactive_date=application.renewal_of.retroactive_date if application.renewal_of else start,
        renewal_of=application.renewal_of,
    )
    assert application.monthly_premium_yen is not None and application.annual_premium_yen is not None  # noqa: S101 - approved
    v = PolicyVersion.objects.create(
        policy=policy,
        number=1,
        effective_date=start,
        reason=PolicyVersion.Reason.ISSUE,
        liability_limit_yen=int(inputs["liability_limit"]),
        expense_limit_yen=int(inputs["expense_limit"]),
        deductible_yen=int(inputs["deductible"]),
        bi_limit_yen=int(inputs["bi_limit"]),
        pd_rider=bool(inputs["pd_rider"]),
        monthly_premium_yen=application.monthly_premium_yen,
        annual_premium_yen=application.annual_premium_yen,
        inputs=inputs,
        quote=application.quote,
        created_by=user,
    )
    billing.installments_create(policy=policy, version=v, product=product)
    _certificates(policy, v, product)
    audit_record(
        actor=user,
        action="policy.issue",
        object_type="policy",
        object_id=policy.number,
        after={**_snapshot(policy), **_version_snapshot(v), "application": str(application.pk)},
    )
    return policy


def _visible_policy(user: AbstractBaseUser, number: str, *, lock: bool = False) -> Policy:
    policies = Policy.objects.filter(business__in=accounts.visible_businesses(user))
    if lock:
        policies = policies.select_for_update()
    found = policies.select_related("business", "product_version").filter(number=number).first()
    if found is None:
        raise NotFound
    return found


def _transition(policy: Policy, action: lifecycle.PolicyAction) -> str:
    try:
        return lifecycle.POLICY_TRANSITIONS.apply(current=lifecycle.PolicyState(policy.status), action=action).value
    except IllegalTransition:
        raise Conflict("status", "E_POLICY_NOT_IN_FORCE", status=policy.status) from None


def _effective_date(raw: Any) -> dt.date:
    read = values.read_date(raw) if not values.is_null(raw) else values.Failure("E_REQUIRED")
    if isinstance(read, values.Failure):
        raise InvalidInput([FieldError("effective_date", str(read), {"value": raw})])
    return read


def current_version(policy: Policy) -> PolicyVersion:
    return policy.versions.order_by("-number").first()


def _changed_inputs(v: PolicyVersion, changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [k for k in changes if k not in CHANGEABLE]
    if unknown:
        raise InvalidInput(
            [FieldError(k, "E_UNKNOWN_FIELD", {"value": k, "allowed": list(CHANGEABLE)}) for k in unknown]
        )
    if not changes:
        raise InvalidInput([FieldError("$", "E_NOTHING_CHANGES", {"allowed": list(CHANGEABLE)})])
    inputs = dict(v.inputs)
    inputs.pop("measures" if inputs.get("measures") is None else "security_measures", None)
    inputs.update(changes)
    return inputs


def policy_change(
    *,
    user: AbstractBaseUser,
    number: str,
    effective_date: Any,
    changes: Mapping[str, Any],
    underwriter_premium: int | None = None,
) -> PolicyVersion | ChangeRequest:
    """A mid-term change (異動) effective on ``effective_date``, rated with the policy's own version and its
    original answers. Terms that would be referred or declined go to an underwriter (a ChangeRequest)."""
    from mamori.web.billing import services as billing

    day = _effective_date(effective_date)
    with transaction.atomic():
        policy = _visible_policy(user, number, lock=True)
        _transition(policy, lifecycle.PolicyAction.CHANGE)
        product = version_of(policy)
        arithmetic.check_effective_date(product, policy.start_date, day)
        v = current_version(policy)
        raw = _changed_inputs(v, changes)
        rated = usecases.quote(productdb.catalog(), raw, version=product)
        if rated.status != "quoted" and underwriter_premium is None:
            request = ChangeRequest.objects.create(
                policy=policy,
                effective_date=day,
                changes=dict(changes),
                reasons=[r.to_dict("ja") for r in rated.reasons],
                requested_by=user,
            )
            audit_record(
                actor=user,
                action="policy.change_referred",
                object_type="policy",
                object_id=policy.number,
                after={"change_request": request.pk, "changes": dict(changes), "effective_date": day.isoformat()},
            )
            return request
        premium = (
            rated.premium if underwriter_premium is None else engine.premium_for_monthly(product, underwriter_premium)
        )
        assert premium is not None  # noqa: S101 - quoted, or priced by an underwriter
        plan = billing.plan_of(policy, product)
        new_amount = premium.by_method[policy.payment]
        change = arithmetic.mid_term_change(version=product, plan=plan, effective_date=day, new_premium=new_amount)
        new = PolicyVersion.objects.create(
            policy=policy,
            number=v.number + 1,
            effective_date=day,
            reason=PolicyVersion.Reason.CHANGE,
            liability_limit_yen=rated.risk.liability_limit,
            expense_limit_yen=rated.risk.expense_limit,
            deductible_yen=rated.risk.deductible,
            bi_limit_yen=rated.risk.bi_limit,
            pd_rider=rated.risk.pd_rider,
            monthly_premium_yen=premium.monthly,
            annual_premium_yen=premium.annual,
            premium_difference_yen=change.premium_difference,
            months_left=change.months_left,
            inputs=rated.risk.to_dict(),
            created_by=user,
        )
        billing.apply_change(policy=policy, version=new, change=change)
        _certificates(policy, new, product)
        audit_record(
            actor=user,
            action="policy.change",
            object_type="policy",
            object_id=policy.number,
            before=_version_snapshot(v),
            after=_version_snapshot(new),
        )
    return new


def policy_cancel(*, user: AbstractBaseUser, number: str, effective_date: Any) -> tuple[Policy, int]:
    """Cancellation by the policyholder effective on ``effective_date``: (policy, refund yen)."""
    from mamori.web.billing import services as billing

    day = _effective_date(effective_date)
    with transaction.atomic():
        policy = _visible_policy(user, number, lock=True)
        if accounts.has_role(
            user, roles.UNDERWRITER, roles.CLAIMS_HANDLER, roles.SUPPORT_DESK
        ) and not accounts.has_role(user, roles.ADMINISTRATOR):
            raise Forbidden
        before = _snapshot(policy)
        new_status = _transition(policy, lifecycle.PolicyAction.CANCEL)
        product = version_of(policy)
        result = arithmetic.cancellation(version=product, plan=billing.plan_of(policy, product), effective_date=day)
        v = current_version(policy)
        cancelled = PolicyVersion.objects.create(
            policy=policy,
            number=v.number + 1,
            effective_date=day,
            reason=PolicyVersion.Reason.CANCELLATION,
            liability_limit_yen=v.liability_limit_yen,
            expense_limit_yen=v.expense_limit_yen,
            deductible_yen=v.deductible_yen,
            bi_limit_yen=v.bi_limit_yen,
            pd_rider=v.pd_rider,
            monthly_premium_yen=v.monthly_premium_yen,
            annual_premium_yen=v.annual_premium_yen,
            premium_difference_yen=-result.refund,
            months_left=result.months_left,
            inputs=v.inputs,
            created_by=user,
        )
        billing.apply_cancellation(policy=policy, version=cancelled, cancellation=result)
        policy.status = new_status
        policy.ended_at = result.cover_ends_at
        policy.save(update_fields=["status", "ended_at"])
        audit_record(
            actor=user,
            action="policy.cancel",
            object_type="policy",
            object_id=policy.number,
            before=before,
            after={**_snapshot(policy), "refund_yen": result.refund, "effective_date": day.isoformat()},
        )
    return policy, result.refund


def policy_end(
    *, policy: Policy, action: lifecycle.PolicyAction, at: dt.datetime, actor: AbstractBaseUser | None = None
) -> Policy:
    """Lapse or expiry (the daily job): the policy leaves force at ``at``."""
    before = _snapshot(policy)
    policy.status = _transition(policy, action)
    policy.ended_at = at if action == lifecycle.PolicyAction.LAPSE else None
    policy.save(update_fields=["status", "ended_at"])
    audit_record(
        actor=actor,
        action=f"policy.{action.value.lower()}",
        object_type="policy",
        object_id=policy.number,
        before=before,
        after=_snapshot(policy),
    )
    return policy


def renewal_offer_create(*, policy: Policy, on_date: dt.date) -> Any:
    """The renewal offer: the same answers re-rated with the version in force at the renewal start."""
    from mamori.web.policies.models import RenewalOffer
    from mamori.web.quotes import services as quote_services

    product = version_of(policy)
    renewal = lifecycle.renewal(version=product, start_date=policy.start_date, retroactive_date=policy.retroactive_date)
    v = current_version(policy)
    raw = dict(v.inputs)
    raw.pop("measures" if raw.get("measures") is None else "security_measures", None)
    raw.update(start=renewal.start_date.isoformat(), payment=policy.payment)
    saved, _ = quote_services.quote_create(raw=raw, business=policy.business, today=on_date)
    offer = RenewalOffer.objects.create(policy=policy, quote=saved, start_date=renewal.start_date, offered_on=on_date)
    audit_record(
        actor=None,
        action="policy.renewal_offer",
        object_type="policy",
        object_id=policy.number,
        after={
            "quote": str(saved.pk),
            "start_date": renewal.start_date.isoformat(),
            "status": saved.status,
            "monthly_premium_yen": saved.monthly_premium_yen,
            "annual_premium_yen": saved.annual_premium_yen,
            "product_version": saved.product_version.version,
        },
    )
    return offer


def now() -> dt.datetime:
    return timezone.now()


def renewal_accept(*, user: AbstractBaseUser, number: str) -> Any:
    """Accept the renewal offer of a policy: an application from the offer's quote, starting when the
    policy ends (approved when the re-rated quote is quoted, referred otherwise). Accepting again
    returns the same application."""
    from mamori.web.applications.models import Application
    from mamori.web.policies.models import RenewalOffer

    with transaction.atomic():
        policy = _visible_policy(user, number, lock=True)
        existing = Application.objects.filter(renewal_of=policy).first()
        if existing is not None:
            return existing
        offer = RenewalOffer.objects.filter(policy=policy).select_related("quote").first()
        if offer is None:
            raise Conflict("renewal", "E_NO_RENEWAL_OFFER", policy=policy.number)
        quote = offer.quote
        state = lifecycle.APPLICATION_STATE_OF_DECISION[quote.status]
        app = Application.objects.create(
            quote=quote,
            business=policy.business,
            product_version=quote.product_version,
            inputs=quote.inputs,
            start_date=offer.start_date,
            payment=policy.payment,
            consent_at=timezone.now(),
            status=state.value,
            reasons=quote.result.get("reasons", []),
            monthly_premium_yen=quote.monthly_premium_yen,
            annual_premium_yen=quote.annual_premium_yen,
            created_by=user,
            renewal_of=policy,
        )
        audit_record(
            actor=user,
            action="policy.renewal_accept",
            object_type="policy",
            object_id=policy.number,
            after={"application": str(app.pk), "status": app.status, "start_date": offer.start_date.isoformat()},
        )
    return app
