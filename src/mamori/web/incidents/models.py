"""Incidents as reported (a draft is kept as typed), their attachments, and the support desk's cases."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.web.accounts.models import Business
from mamori.web.policies.models import Policy


class Incident(models.Model):
    """An incident of a policy: the incident block of a claim document (interfaces.md §1.3), once submitted.

    While a draft, what the reporter typed is kept as typed in ``draft`` (saved as they type), so nothing
    is lost; submitting validates it into the fields below.
    """

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        SUBMITTED = "SUBMITTED", _("Reported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="incidents")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="incidents")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    draft = models.JSONField(default=dict)  # the form as typed
    summary = models.TextField(blank=True)  # what happened
    data_description = models.TextField(blank=True)  # which data may be affected
    accident_types = models.JSONField(default=list)
    occurred_at = models.DateTimeField(null=True, blank=True)
    discovered_at = models.DateTimeField(null=True, blank=True)
    claim_made_at = models.DateTimeField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)
    third_party_indication = models.BooleanField(default=False)
    attack_confirmed = models.BooleanField(default=False)
    culprit = models.CharField(max_length=20, blank=True)
    state_backed = models.BooleanField(default=False)
    known_before_first_policy = models.BooleanField(default=False)
    affected_persons = models.PositiveIntegerField(default=0)
    affected_businesses = models.PositiveIntegerField(default=0)
    personal_data = models.JSONField(default=dict)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.policy} {self.created_at:%Y-%m-%d}"


def _upload_to(instance: Attachment, filename: str) -> str:
    # Never the reporter's file name (it may say anything): a random name, in a folder per incident, with
    # the extension of the type detected from the content (``upload.<ext>`` is what the service passes).
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else ""
    extension = f".{suffix}" if suffix in ("png", "jpg", "pdf", "txt") else ""
    return f"attachments/{instance.incident_id}/{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    """A file attached to an incident or a cost line (screenshot, letter, invoice), stored outside the
    database and served only to those who may see the incident."""

    class Kind(models.TextChoices):
        SCREENSHOT = "SCREENSHOT", _("Screenshot")
        LETTER = "LETTER", _("Letter")
        INVOICE = "INVOICE", _("Invoice")
        OTHER = "OTHER", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    file = models.FileField(upload_to=_upload_to)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    @property
    def download_name(self) -> str:
        """The name a download gets: from the kind and the detected type, never the sender's name."""
        extension = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}.get(self.content_type, "txt")
        return f"{self.kind.lower()}-{str(self.pk)[:8]}.{extension}"


class Vendor(models.Model):
    """The maintained vendor directory (forensics, lawyers, PR, call centre, data recovery)."""

    category = models.CharField(max_length=32)  # a vendor category of the product's support terms
    name = models.CharField(max_length=200)
    contact = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    area = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("category", "name")

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """The emergency support desk's case of a reported incident."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        CLOSED = "CLOSED", _("Closed")

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="case")
    team = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    phase = models.CharField(max_length=32, blank=True)  # the current response phase (support.toml [[phases]] id)
    available = models.BooleanField()
    unavailable_reason = models.CharField(max_length=32, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    #: The earliest regulatory deadline not yet met (None: none left), kept by the services that change
    #: the deadlines (a report, a filing) so the desk's queue is sorted by the database.
    next_deadline_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-opened_at",)
        indexes = [
            models.Index(fields=("team", "status", "next_deadline_at", "opened_at"), name="case_desk_queue"),
            models.Index(fields=("status", "next_deadline_at", "opened_at"), name="case_queue_all_teams"),
        ]


class CaseEvent(models.Model):
    """The case's timeline: what was done, when, by whom (append-only)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=24)  # opened, note, phase, checklist, referral, notice
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ("at", "id")


class ChecklistTick(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ticks")
    phase = models.CharField(max_length=32)
    item = models.PositiveSmallIntegerField()
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("case", "phase", "item"), name="one_tick_per_checklist_item")]


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)


class ReportFiling(models.Model):
    """A regulatory report made (APPI 速報/確報, GDPR notice, card brands), as the desk records it: the
    deadline is then met, shown as filed, and no more reminders are sent for it."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="filings")
    kind = models.CharField(max_length=16)  # preliminary, final, gdpr, card_brands
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("incident", "kind"), name="one_filing_per_report")]


class DeadlineNotice(models.Model):
    """A deadline reminder sent (approaching or overdue), once each."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=16)  # preliminary, final, gdpr
    stage = models.CharField(max_length=12)  # approaching, overdue
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("incident", "kind", "stage"), name="one_notice_per_deadline_stage")
        ]
