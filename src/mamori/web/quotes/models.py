from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.rating.inputs import Risk
from mamori.web.accounts.models import Business
from mamori.web.productdb.models import ProductVersionRecord


class Quote(models.Model):
    """A saved quote: re-explainable years later from its inputs, version record and factors."""

    class Status(models.TextChoices):
        # The decisions of mamori.rating.eligibility (as the quote document names them).
        QUOTED = "quoted", _("Quoted")
        REFERRED = "referred", _("Referred")
        DECLINED = "declined", _("Declined")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product_version = models.ForeignKey(ProductVersionRecord, on_delete=models.PROTECT, related_name="quotes")
    inputs = models.JSONField()  # the validated inputs (Risk.to_dict): rating them again gives this quote

    @property
    def risk(self) -> Risk:
        """The stored risk, typed and read back with its layout version (``Risk.from_stored``)."""
        return Risk.from_stored(self.inputs)

    status = models.CharField(max_length=10, choices=Status.choices)
    monthly_premium_yen = models.BigIntegerField(null=True, blank=True)
    annual_premium_yen = models.BigIntegerField(null=True, blank=True)
    result = models.JSONField()  # the quote document (interfaces.md §1.1): factors, reasons, term, …
    business = models.ForeignKey(Business, null=True, blank=True, on_delete=models.PROTECT, related_name="quotes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.id} {self.status}"
