"""Businesses (the insured), agencies, the profile tying a user to them, API tokens (failed logins: django-axes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.rating.inputs import ENTITY_TYPES


class Agency(models.Model):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


#: How each entity type of the core (``rating.inputs.ENTITY_TYPES``) is named on a page.
ENTITY_NAMES = {"corporation": _("Corporation"), "sole_proprietor": _("Sole proprietor")}


class Business(models.Model):
    name = models.CharField(max_length=200)
    entity = models.CharField(max_length=20, choices=[(e, ENTITY_NAMES[e]) for e in ENTITY_TYPES])
    industry = models.CharField(max_length=64, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="businesses")
    address = models.CharField(max_length=300, blank=True)
    email = models.EmailField(blank=True)
    new_business = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)
        indexes = [
            models.Index(fields=("name",), name="business_name"),
            models.Index(fields=("industry", "name"), name="business_industry_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """Which business a policyholder belongs to, which agency an agent works for, which team a staff member is in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    business = models.ForeignKey(Business, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="agents")
    team = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.user}"


class ApiToken(models.Model):
    """A bearer token for /api/v1. Only its SHA-256 digest is stored; the token is shown once. It ends at
    ``expires_at`` (12 hours), after 30 minutes unused for staff, when revoked, and when the password of
    its user changes. A staff token made with the second factor says so (``second_factor``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # None: made before tokens ended (see services)
    second_factor = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
