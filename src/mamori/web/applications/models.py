from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.rating.inputs import Risk
from mamori.web.accounts.models import Business
from mamori.web.productdb.models import ProductVersionRecord
from mamori.web.quotes.models import Quote


class Application(models.Model):
    class Status(models.TextChoices):
        # The states of mamori.policy.lifecycle.ApplicationState (its transition table decides moves).
        APPROVED = "APPROVED", _("Approved")  # quoted, or a referral an underwriter approved: may be bound
        REFERRED = "REFERRED", _("Referred to underwriting")
        DECLINED = "DECLINED", _("Declined")
        BOUND = "BOUND", _("Bound")

    class Payment(models.TextChoices):
        MONTHLY = "monthly", _("Monthly (12 installments)")
        ANNUAL = "annual", _("Annual (single payment)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="applications")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="applications")
    product_version = models.ForeignKey(ProductVersionRecord, on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField()  # the risk as applied for (the quote's inputs with the application's answers)

    @property
    def risk(self) -> Risk:
        """The stored risk, typed and read back with its layout version (``Risk.from_stored``)."""
        return Risk.from_stored(self.inputs)

    start_date = models.DateField()
    payment = models.CharField(max_length=10, choices=Payment.choices)
    consent_at = models.DateTimeField()
    #: 意向確認: when the customer confirmed that the plan matches what they asked for (issue 15); null on an
    #: application made before it was asked, or through an interface that does not ask it.
    intent_confirmed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    reasons = models.JSONField(default=list)  # referral or decline reasons [{code, message_ja, message_en}]
    monthly_premium_yen = models.BigIntegerField(null=True, blank=True)
    annual_premium_yen = models.BigIntegerField(null=True, blank=True)
    premium_reason = models.TextField(blank=True)  # why an underwriter set this premium (a referral)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    #: The policy this application renews (its retroactive date carries over).
    renewal_of = models.OneToOneField(
        "policies.Policy", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal_application"
    )

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.business} {self.start_date} {self.status}"
