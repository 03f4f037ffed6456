"""Attachments checked by their content: the size, the type the bytes really are, and a complete file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.conf import settings

from mamori.errors import FieldError, InvalidInput

#: Allowed types, by what the bytes are: (content type, a test of the first bytes, a test of the whole file).
KINDS: Final = ("SCREENSHOT", "LETTER", "INVOICE", "OTHER")
ALLOWED: Final = ("image/png", "image/jpeg", "application/pdf", "text/plain")


@dataclass(frozen=True)
class Checked:
    kind: str
    content_type: str


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    for encoding in ("utf-8", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return "text/plain"
    return None


def _complete(content_type: str, data: bytes) -> bool:
    """A file cut short, or a header on something else, is malformed."""
    if content_type == "image/png":
        return data.rstrip().endswith(b"IEND\xaeB`\x82") or b"IEND" in data[-32:]
    if content_type == "image/jpeg":
        return data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if content_type == "application/pdf":
        return b"%%EOF" in data[-1024:]
    return True


def check(*, name: str, content_type: str, data: bytes, kind: str) -> Checked:
    """Refuse a file that is too large, of a forbidden type, or malformed (InvalidInput on ``file``)."""
    errors: list[FieldError] = []
    if kind not in KINDS:
        errors.append(FieldError("kind", "E_CHOICE", {"value": kind, "allowed": list(KINDS)}))
    limit = settings.MAMORI_ATTACHMENT_MAX_BYTES
    if not data:
        errors.append(FieldError("file", "E_ATTACHMENT_EMPTY", {"value": name}))
    elif len(data) > limit:
        errors.append(
            FieldError("file", "E_ATTACHMENT_SIZE", {"value": name, "size": f"{len(data):,}", "maximum": f"{limit:,}"})
        )
    else:
        found = _sniff(data)
        if found is None:
            errors.append(
                FieldError("file", "E_ATTACHMENT_TYPE", {"value": name, "allowed": ["PNG", "JPEG", "PDF", "text"]})
            )
        elif not _complete(found, data):
            errors.append(FieldError("file", "E_ATTACHMENT_MALFORMED", {"value": name, "type": found}))
        elif not errors:
            return Checked(kind=kind, content_type=found)
    raise InvalidInput(errors)
