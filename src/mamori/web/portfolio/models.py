"""Portfolio runs: the answer of a simulation of the in-force book (interfaces.md §1.6) and its plots."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from mamori.web import background


class PortfolioRun(models.Model):
    """A simulation of the book as it was on the day, kept as answered (never recomputed)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    product_version = models.CharField(max_length=32)
    model_name = models.CharField(max_length=200, blank=True)
    policies = models.PositiveIntegerField()
    years = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    seconds = models.FloatField()
    answer = models.JSONField()

    class Meta:
        ordering = ("-created_at",)


class PortfolioPlot(models.Model):
    """A plot of a run (the EP curves, the loss by industry) in one language, as PNG."""

    run = models.ForeignKey(PortfolioRun, on_delete=models.CASCADE, related_name="plots")
    name = models.CharField(max_length=32)  # ep_curve, loss_by_industry
    lang = models.CharField(max_length=2)
    png = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=("run", "name", "lang"), name="one_plot_per_run_name_lang")]


class PortfolioJob(background.Job):
    """A portfolio run asked for from the page: done in the background by a worker (``mamori worker``),
    retried on failure, its progress shown while it runs; ``run`` once answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    years = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    treaty = models.CharField(max_length=80, blank=True, default="")  # a shipped treaty's name; empty: gross only
    run = models.OneToOneField(PortfolioRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="job")

    class Meta(background.Job.Meta):
        pass
