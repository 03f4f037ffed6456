"""The throttles' counters when no Redis is configured: one row per (rule, client address, window), counted
by one statement (an upsert) that every server shares through the database."""

from __future__ import annotations

from django.db import models


class ThrottleCount(models.Model):
    key = models.CharField(max_length=200, primary_key=True)
    hits = models.PositiveIntegerField(default=1)
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
