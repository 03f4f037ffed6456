from __future__ import annotations

from django.db import models
from django.utils import timezone


class ProductVersionRecord(models.Model):
    """One version of a product exactly as registered: its files, by content hash. Never edited."""

    product_id = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    content_hash = models.CharField(max_length=64, unique=True)
    effective_from = models.DateField()
    files = models.JSONField()  # file name → UTF-8 text
    current = models.BooleanField(default=True)  # the record new quotes use for this version
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("product_id", "effective_from")

    def __str__(self) -> str:
        return f"{self.product_id} {self.version} ({self.content_hash[:12]})"
