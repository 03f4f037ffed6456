"""Reading policies: what a user may see, and a policy as the API shows it (interfaces.md §2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from mamori import catalog as catalog_mod
from mamori.usecases import policies as policy_usecases
from mamori.web.accounts import selectors as accounts
from mamori.web.accounts.selectors import User
from mamori.web.policies.models import Policy, PolicyDocument, PolicyVersion
from mamori.web.productdb import selectors as productdb


def policies_visible(user: User | None) -> QuerySet[Policy]:
    policies = Policy.objects.select_related("business", "product_version")
    if user is not None and user.is_authenticated and accounts.is_staff_member(user):
        return policies  # staff see every business's: no filter for the planner to join (a book of 20,000)
    return policies.filter(business__in=accounts.visible_businesses(user))


def policies_list(user: User | None, *, status: str = "", industry: str = "", search: str = "") -> QuerySet[Policy]:
    """The policies the user may see, filtered: ``status`` (IN_FORCE …), the business's ``industry``, and
    ``search`` (a policy number, or part of the business's name)."""
    policies = policies_visible(user)
    if status.upper() in Policy.Status.values:
        policies = policies.filter(status=status.upper())
    if industry:
        policies = policies.filter(business__industry=industry)
    if search:
        policies = policies.filter(Q(number__iexact=search) | Q(business__name__icontains=search))
    return policies


def policy_get(*, user: User | None, number: str) -> Policy | None:
    return policies_visible(user).filter(number=number).first()


def current_version(policy: Policy) -> PolicyVersion:
    return policy.versions.order_by("-number").first()


def version_of(policy: Policy) -> catalog_mod.ProductVersion:
    """The policy's own product version (its exact data, by content hash)."""
    return productdb.catalog().by_hash(policy.product_version.content_hash)


def installment_premium(policy: Policy, version: PolicyVersion) -> int:
    """One installment of the policy's payment method at ``version``'s premium."""
    return policy_usecases.premium_by_method(
        policy.payment, monthly=version.monthly_premium_yen, annual=version.annual_premium_yen
    )


def version_at(policy: Policy, day: dt.date | None) -> PolicyVersion:
    """The terms in force on ``day`` (the latest version effective on or before it; the first one before):
    a claim always uses the version in force when its incident was discovered (product.md §5)."""
    versions = list(policy.versions.order_by("number"))
    terms = [v for v in versions if v.reason != PolicyVersion.Reason.CANCELLATION]
    chosen = terms[0]
    for v in terms:
        if day is not None and v.effective_date <= day:
            chosen = v
    return chosen


def certificate_of(policy: Policy, *, lang: str, version: int | None = None) -> PolicyDocument | None:
    documents = PolicyDocument.objects.filter(version__policy=policy, kind=PolicyDocument.Kind.CERTIFICATE, lang=lang)
    if version is not None:
        documents = documents.filter(version__number=version)
    return documents.order_by("-version__number").first()


def versions_json(policy: Policy) -> list[dict[str, Any]]:
    return [
        {
            "version": v.number,
            "effective_date": v.effective_date.isoformat(),
            "reason": v.reason.lower(),
            "liability_limit": v.liability_limit_yen,
            "expense_limit": v.expense_limit_yen,
            "deductible": v.deductible_yen,
            "bi_limit": v.bi_limit_yen,
            "pd_rider": v.pd_rider,
            "monthly_premium": v.monthly_premium_yen,
            "annual_premium": v.annual_premium_yen,
            "premium_difference": v.premium_difference_yen,
            "created_at": v.created_at.isoformat(),
        }
        for v in policy.versions.order_by("number")
    ]
