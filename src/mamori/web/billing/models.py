from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.web.policies.models import Policy, PolicyVersion


class Installment(models.Model):
    class Status(models.TextChoices):
        # The states of mamori.policy.schedule.InstallmentStatus.
        DUE = "DUE", _("Due")
        PAID = "PAID", _("Paid")
        CANCELLED = "CANCELLED", _("Cancelled")

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount_yen = models.BigIntegerField()
    paid_yen = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    cancelled_by = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="+"
    )  # the version that set the amount

    class Meta:
        ordering = ("policy", "number")
        constraints = [models.UniqueConstraint(fields=("policy", "number"), name="one_installment_number_per_policy")]


class BankImport(models.Model):
    """A bank transfer file imported (CSV, often Shift_JIS): what was recorded and what was skipped."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(max_length=16)
    rows = models.PositiveIntegerField(default=0)
    recorded = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    unmatched = models.JSONField(default=list)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class Payment(models.Model):
    class Source(models.TextChoices):
        MANUAL = "MANUAL", _("Recorded by hand")
        BANK = "BANK", _("Bank file")

    reference = models.CharField(max_length=100, unique=True)  # the same reference twice is one payment
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="payments")
    amount_yen = models.BigIntegerField()
    paid_date = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices)
    bank_import = models.ForeignKey(
        BankImport, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    unapplied_yen = models.BigIntegerField(default=0)  # what no due installment could take (an overpayment)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-paid_date", "-id")


class Refund(models.Model):
    """Money owed back to the policyholder (a change or a cancellation of an annual payment)."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="refunds")
    amount_yen = models.BigIntegerField()
    reason = models.CharField(max_length=16)
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class Charge(models.Model):
    """An additional premium charged by a mid-term change of an annual payment."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="charges")
    amount_yen = models.BigIntegerField()
    due_date = models.DateField()
    paid_yen = models.BigIntegerField(default=0)
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class DailyRun(models.Model):
    """One run of the daily job for a date: running it again for the date changes nothing."""

    date = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField(default=dict)
