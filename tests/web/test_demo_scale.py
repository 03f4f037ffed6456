"""The large demo (``mamori serve --demo --scale N``): the generated policyholders' rows are what the
services write — copies of prototypes made through the services, with their own keys, names and numbers."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse

from mamori.web import demo, demo_scale
from mamori.web.accounts.models import Business
from mamori.web.audit.models import AuditEvent
from mamori.web.billing.models import Installment, Payment
from mamori.web.claimsdesk.models import Claim, ClaimPayment, LedgerEntry
from mamori.web.incidents.models import Case, Incident
from mamori.web.policies import selectors as policy_selectors
from mamori.web.policies.models import NumberCounter, Policy, PolicyVersion

pytestmark = pytest.mark.django_db

SCALE = 60


def test_the_generated_policyholders_are_consistent_and_loaded_once() -> None:
    """One load (the prototypes are made through the services: slow), every check on it."""
    demo.load(out=io.StringIO())
    before = set(Business.objects.values_list("pk", flat=True))
    added = demo_scale.load(scale=SCALE, out=io.StringIO(), seed=3)
    assert added == SCALE
    scaled = set(Business.objects.exclude(pk__in=before).values_list("pk", flat=True))
    n_policyholders_each_with_a_login_and_a_policy(scaled)
    installments_sum_to_the_premium_of_the_version_that_set_them(scaled)
    every_incident_has_its_case_and_every_claim_its_incident_and_policy(scaled)
    the_audit_trail_names_the_copies_own_records(scaled)
    loading_again_adds_nothing(scaled)
    a_copied_policy_gets_its_certificate_when_asked(scaled)


def n_policyholders_each_with_a_login_and_a_policy(scaled: set[int]) -> None:
    assert len(scaled) == SCALE
    holders = User.objects.filter(profile__business__in=scaled)
    assert holders.count() == SCALE
    assert all(u.groups.filter(name="policyholder").exists() for u in holders)
    assert Business.objects.filter(pk__in=scaled).values("name").distinct().count() == SCALE
    policies = Policy.objects.filter(business__in=scaled)
    assert policies.count() == SCALE
    numbers = list(policies.values_list("number", flat=True))
    assert len(set(numbers)) == SCALE
    for year, last in NumberCounter.objects.values_list("year", "last"):
        taken = Policy.objects.filter(number__startswith=f"MC{year}-").values_list("number", flat=True)
        assert max(int(n.rsplit("-", 1)[1]) for n in taken) == last  # the counters moved past the copies


def installments_sum_to_the_premium_of_the_version_that_set_them(scaled: set[int]) -> None:
    for policy in Policy.objects.filter(business__in=scaled):
        versions = {v.pk: v for v in PolicyVersion.objects.filter(policy=policy)}
        assert versions, policy.number
        assert all(v.policy_id == policy.pk for v in versions.values())
        live = Installment.objects.filter(policy=policy).exclude(status="CANCELLED")
        assert live.exists()
        assert all(i.set_by_id in versions for i in live)
        if len(versions) == 1:  # no change: the installments are the premium exactly
            (v,) = versions.values()
            total = live.aggregate(t=Sum("amount_yen"))["t"]
            assert total == (v.annual_premium_yen if policy.payment == "annual" else v.monthly_premium_yen * 12)
        paid = Payment.objects.filter(policy=policy).aggregate(t=Sum("amount_yen"))["t"] or 0
        applied = Installment.objects.filter(policy=policy).aggregate(t=Sum("paid_yen"))["t"] or 0
        assert paid >= applied  # what was paid went to its installments (an overpayment is unapplied)
        assert all(p.reference.find(policy.number) >= 0 for p in Payment.objects.filter(policy=policy))


def every_incident_has_its_case_and_every_claim_its_incident_and_policy(scaled: set[int]) -> None:
    incidents = Incident.objects.filter(business__in=scaled)
    assert incidents.exists()
    for incident in incidents:
        assert Case.objects.filter(incident=incident).count() == 1
        assert incident.policy.business_id == incident.business_id
    for claim in Claim.objects.filter(policy__business__in=scaled):
        assert claim.incident.policy_id == claim.policy_id
        assert claim.calculations.exists()
    paid = ClaimPayment.objects.filter(claim__policy__business__in=scaled, status="PAID")
    assert LedgerEntry.objects.filter(payment__in=paid).count() == paid.count()
    assert all(e.policy_id == e.claim.policy_id for e in LedgerEntry.objects.filter(payment__in=paid))


def the_audit_trail_names_the_copies_own_records(scaled: set[int]) -> None:
    numbers = set(Policy.objects.filter(business__in=scaled).values_list("number", flat=True))
    issued = Counter(
        AuditEvent.objects.filter(action="policy.issue", object_id__in=numbers).values_list("object_id", flat=True)
    )
    assert set(issued) == numbers
    assert set(issued.values()) == {1}
    usernames = set(User.objects.filter(profile__business__in=scaled).values_list("username", flat=True))
    created = AuditEvent.objects.filter(action="user.create", after__username__in=usernames)
    assert created.count() == SCALE


def loading_again_adds_nothing(scaled: set[int]) -> None:
    assert demo_scale.load(scale=SCALE, out=io.StringIO()) == 0
    assert Business.objects.filter(pk__gt=max(scaled)).count() == 0
    assert Business.objects.annotate(n=Count("policies")).filter(pk__in=scaled, n=1).count() == SCALE


def a_copied_policy_gets_its_certificate_when_asked(scaled: set[int]) -> None:
    policy = Policy.objects.filter(business__in=scaled).order_by("-pk").first()
    assert policy is not None
    assert policy_selectors.certificate_of(policy, lang="ja") is None  # a PDF names its business: not copied
    holder = User.objects.get(profile__business=policy.business)
    client = Client()
    client.force_login(holder)
    response = client.get(reverse("pages:certificate", kwargs={"number": policy.number}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert policy_selectors.certificate_of(policy, lang="ja") is not None
