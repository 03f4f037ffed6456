"""The staff second factor: TOTP (RFC 6238) devices of django-otp, enrolled from the page and verified at
login (pages) and when a token is made (API). Required for staff when ``MAMORI_STAFF_SECOND_FACTOR`` is on
(production); ``mamori serve --demo`` leaves it off unless asked."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib.auth.models import AbstractBaseUser
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from mamori.web.audit.services import audit_record

DEVICE_NAME = "authenticator"


def enrolled(user: AbstractBaseUser) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def verify(user: AbstractBaseUser, code: str) -> Any:
    """The confirmed device the code is valid for (each code once; django-otp throttles failures), or None."""
    code = "".join(ch for ch in str(code) if ch.isdigit())[:8]
    if not code:
        return None
    return match_token(user, code)


def pending_device(user: AbstractBaseUser) -> TOTPDevice:
    """The device being enrolled (unconfirmed until its first code is given)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def confirm(user: AbstractBaseUser, code: str) -> TOTPDevice | None:
    """Confirm the device being enrolled with its first code: the device, or None for a wrong code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    code = "".join(ch for ch in str(code) if ch.isdigit())[:8]
    if device is None or not code or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user, action="second_factor.enrol", object_type="user", object_id=user.pk, after={"device": device.pk}
    )
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address of the device as an inline SVG QR code (for the authenticator app)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4))
