"""The one way the pages show a date and an amount (issue 15): a date as 2026年12月3日 / 3 Dec 2026 (with the
time in Japan when asked), yen with separators and 円 — in every template (a builtin of the engine)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language

from mamori import i18n

register = template.Library()


def _as_date(value: Any) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


@register.filter
def when(value: Any, part: str = "") -> str:
    """``{{ d|when }}`` the date; ``{{ d|when:"time" }}`` with hours and minutes (Japan time); ``"seconds"``."""
    read = _as_date(value)
    if read is None:
        return "" if value in (None, "") else str(value)
    if isinstance(read, dt.datetime):
        if timezone.is_aware(read):
            read = timezone.localtime(read)
        if part in ("time", "seconds"):
            shown = formats.date_format(read, "DATE_FORMAT") + " " + read.strftime("%H:%M")
            return shown + read.strftime(":%S") if part == "seconds" else shown
    return formats.date_format(read, "DATE_FORMAT")


@register.filter
def yen(value: Any) -> str:
    """``{{ amount|yen }}``: 1,234円 (ja) / 1,234 yen (en); not a number: shown as it is."""
    if value in (None, ""):
        return "—"
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    return i18n.text("yen", i18n.as_lang(get_language()), amount=f"{amount:,}")


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """A share (0.508) as a percentage (50.8%)."""
    try:
        return f"{float(value) * 100:,.{int(digits)}f}%"
    except (TypeError, ValueError):
        return str(value)


def _choices() -> dict[str, Any]:
    from mamori.web.applications.models import Application
    from mamori.web.billing.models import Installment
    from mamori.web.policies.models import ChangeRequest, Policy, PolicyVersion

    return {
        "installment": Installment.Status,
        "version_reason": PolicyVersion.Reason,
        "refund_reason": PolicyVersion.Reason,
        "payment": Application.Payment,
        "application": Application.Status,
        "policy": Policy.Status,
        "change": ChangeRequest.Status,
    }


@register.filter
def choice(value: Any, kind: str) -> str:
    """A stored value (``due``, ``CHANGE``, ``monthly``) by its label in the reader's language; a value the
    kind does not know is shown as it is (a test of the pages refuses raw tokens)."""
    if value in (None, ""):
        return "—"
    options = _choices().get(kind)
    if options is None:
        return str(value)
    for member in options:
        if member.value.lower() == str(value).lower():
            return str(member.label)
    return str(value)
