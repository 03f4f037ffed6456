from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.rating.inputs import Risk
from mamori.web.accounts.models import Business
from mamori.web.applications.models import Application
from mamori.web.productdb.models import ProductVersionRecord
from mamori.web.quotes.models import Quote


class ImmutableRecord(Exception):
    """An issued document or a policy version is never edited: a change is a new version."""


class Policy(models.Model):
    class Status(models.TextChoices):
        # The states of mamori.policy.lifecycle.PolicyState (its transition table decides moves).
        IN_FORCE = "IN_FORCE", _("In force")
        CANCELLED = "CANCELLED", _("Cancelled")
        LAPSED = "LAPSED", _("Lapsed")
        EXPIRED = "EXPIRED", _("Expired")

    number = models.CharField(max_length=32, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="policy")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="policies")
    product_version = models.ForeignKey(ProductVersionRecord, on_delete=models.PROTECT, related_name="policies")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    payment = models.CharField(max_length=10)
    start_date = models.DateField()
    end_date = models.DateField()
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    retroactive_date = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True)  # cover ended early (cancellation, lapse)
    renewal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("status", "number"), name="policy_status_number"),
            models.Index(fields=("end_date",), name="policy_end_date"),
            models.Index(fields=("start_date",), name="policy_start_date"),
        ]

    def __str__(self) -> str:
        return self.number


class PolicyVersion(models.Model):
    """The terms of a policy from ``effective_date``; version 1 is the issue. Never edited."""

    class Reason(models.TextChoices):
        ISSUE = "ISSUE", _("Issue")
        CHANGE = "CHANGE", _("Mid-term change")
        CANCELLATION = "CANCELLATION", _("Cancellation")
        RENEWAL = "RENEWAL", _("Renewal")

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    effective_date = models.DateField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    liability_limit_yen = models.BigIntegerField()
    expense_limit_yen = models.BigIntegerField()
    deductible_yen = models.BigIntegerField()
    bi_limit_yen = models.BigIntegerField()
    pd_rider = models.BooleanField()
    monthly_premium_yen = models.BigIntegerField()
    annual_premium_yen = models.BigIntegerField()
    premium_difference_yen = models.BigIntegerField(default=0)  # a change: charged (+) or refunded (−)
    months_left = models.PositiveSmallIntegerField(null=True, blank=True)
    inputs = models.JSONField()  # the risk rated for these terms

    @property
    def risk(self) -> Risk:
        """The stored risk, typed and read back with its layout version (``Risk.from_stored``)."""
        return Risk.from_stored(self.inputs)

    quote = models.ForeignKey(Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("policy", "number")
        constraints = [models.UniqueConstraint(fields=("policy", "number"), name="one_number_per_policy_version")]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableRecord(f"policy version {self.policy_id}/{self.number} is immutable")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"


class PolicyDocument(models.Model):
    """An issued document (the certificate 保険証券) as the PDF bytes that were issued. Never edited."""

    class Kind(models.TextChoices):
        CERTIFICATE = "CERTIFICATE", _("Certificate")

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    lang = models.CharField(max_length=2)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("version", "kind", "lang"), name="one_document_per_version_kind_lang")
        ]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableRecord(f"document {self.pk} is immutable")
        super().save(*args, **kwargs)


class RenewalOffer(models.Model):
    """The renewal offered before the end, re-rated with the version in force at the renewal start."""

    policy = models.OneToOneField(Policy, on_delete=models.PROTECT, related_name="renewal_offer")
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    offered_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)


class ChangeRequest(models.Model):
    """A mid-term change referred to an underwriter (new terms referred or declined by the rating, or cover
    widened while an incident is open); the underwriter approves it — it applies on its date — or declines."""

    class Status(models.TextChoices):
        # The states of mamori.policy.lifecycle.ChangeRequestState (its transition table decides moves).
        PENDING = "PENDING", _("Waiting for underwriting")
        APPROVED = "APPROVED", _("Approved")
        DECLINED = "DECLINED", _("Declined")

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="change_requests")
    effective_date = models.DateField()
    changes = models.JSONField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    applied_version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the version an approval made
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")


class NumberCounter(models.Model):
    """The last policy number given in a year (locked while the next is taken)."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)
