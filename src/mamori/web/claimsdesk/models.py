"""Claims, their cost lines and calculations, payments, and the append-only ledger of a policy year."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.web.incidents.models import Attachment, Incident
from mamori.web.policies.models import ImmutableRecord, Policy


class Claim(models.Model):
    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        DECIDED = "DECIDED", _("Decided")
        CLOSED = "CLOSED", _("Closed")

    class Decision(models.TextChoices):
        PAY = "PAY", _("Pay as calculated")
        DECLINE = "DECLINE", _("Decline")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="claims")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    team = models.CharField(max_length=64, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bi = models.JSONField(null=True, blank=True)  # the business-interruption inputs of §3.4, when claimed
    reserve_yen = models.BigIntegerField(default=0)  # the estimated amount still to pay
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    decision_notes = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("team", "status", "created_at"), name="claim_team_queue")]


class CostLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="costs")
    line_id = models.CharField(max_length=40)
    item = models.CharField(max_length=40)
    amount_yen = models.BigIntegerField()
    persons = models.PositiveIntegerField(null=True, blank=True)
    businesses = models.PositiveIntegerField(null=True, blank=True)
    betterment_yen = models.BigIntegerField(default=0)
    contractual_excess_yen = models.BigIntegerField(default=0)
    bearer = models.CharField(max_length=10, default="insured")
    description = models.CharField(max_length=300, blank=True)
    evidence = models.ManyToManyField(Attachment, blank=True, related_name="cost_lines")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("claim", "id")
        constraints = [models.UniqueConstraint(fields=("claim", "line_id"), name="one_line_id_per_claim")]


class Calculation(models.Model):
    """A calculation of a claim by the core, kept as it was shown: the document built and the answer."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="calculations")
    document = models.JSONField()
    answer = models.JSONField()  # the answer of interfaces.md §1.3 (Japanese texts; re-rendered per reader)
    payable_total_yen = models.BigIntegerField()
    calculated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    calculated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-calculated_at", "-id")


class ClaimPayment(models.Model):
    """A payment (or a correction: a negative amount) of a claim. Never edited: a correction is a new one."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "AWAITING_APPROVAL", _("Awaiting approval")
        PAID = "PAID", _("Paid")
        REJECTED = "REJECTED", _("Rejected")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    amount_yen = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices)
    correction_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("requested_at", "id")


class ReserveChange(models.Model):
    """The history of a claim's case reserve (支払備金): every value it took, when and why. Append-only,
    so the books can tell the reserve as it was known on any date (product.md §8.2)."""

    class Reason(models.TextChoices):
        OPEN = "OPEN", _("Claim opened")
        DECISION = "DECISION", _("Claim decided")
        MANUAL = "MANUAL", _("Set by the handler")
        PAYMENT = "PAYMENT", _("Payment made")
        CLOSE = "CLOSE", _("Claim closed")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="reserve_history")
    reserve_yen = models.BigIntegerField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")
        indexes = [models.Index(fields=("claim", "at"), name="reserve_change_claim_at")]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableRecord(f"reserve change {self.pk} is append-only")
        super().save(*args, **kwargs)


class LedgerEntry(models.Model):
    """The claims ledger: what a paid payment paid, by section and sublimited item. Append-only."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="ledger")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="ledger")
    payment = models.ForeignKey(ClaimPayment, on_delete=models.PROTECT, related_name="ledger")
    expense_yen = models.BigIntegerField(default=0)
    liability_yen = models.BigIntegerField(default=0)
    bi_yen = models.BigIntegerField(default=0)
    sublimits = models.JSONField(default=dict)  # item code → yen
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableRecord(f"ledger entry {self.pk} is append-only")
        super().save(*args, **kwargs)
