"""Attachments checked by their content, read in chunks from where the upload was streamed (a temporary
file for anything but small ones; never whole in memory): the size, the type the bytes really are (an
allow-list: PNG, JPEG, PDF, plain text), a complete file, no active content (markup such as HTML or SVG,
a PDF with JavaScript or other actions that run), and a type that fits the kind (a screenshot is an
image). The stored and downloaded name comes from the detected type, never from the sender."""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from django.conf import settings
from django.core.files.base import ContentFile, File

from mamori.errors import FieldError, InvalidInput

KINDS: Final = ("SCREENSHOT", "LETTER", "INVOICE", "OTHER")
ALLOWED: Final = ("image/png", "image/jpeg", "application/pdf", "text/plain")
#: The extension of the stored and downloaded name, by detected type.
EXTENSIONS: Final = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf", "text/plain": "txt"}
#: What each kind may be.
KIND_TYPES: Final = {
    "SCREENSHOT": ("image/png", "image/jpeg"),
    "LETTER": ALLOWED,
    "INVOICE": ALLOWED,
    "OTHER": ALLOWED,
}
_LABELS: Final = {"image/png": "PNG", "image/jpeg": "JPEG", "application/pdf": "PDF", "text/plain": "text"}
CHUNK: Final = 64 * 1024
#: Markup a browser would run or render (WHATWG MIME sniffing's HTML and XML signatures, and active tags
#: anywhere): a text file holding it is refused.
_MARKUP_START: Final = re.compile(
    r"^\s*<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--|\?xml|svg)[\s>/]",
    re.IGNORECASE,
)
_ACTIVE_TAG: Final = re.compile(r"<\s*(?:script|svg|html|iframe|object|embed|foreignobject)\b", re.IGNORECASE)
_OVERLAP: Final = 32
#: PDF names that make a document run something when opened or used.
_PDF_ACTIVE_KEYS: Final = ("/JS", "/JavaScript", "/XFA", "/RichMedia", "/Launch")
_PDF_ACTIVE_ACTIONS: Final = ("/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute", "/SubmitForm")


@dataclass(frozen=True)
class Checked:
    kind: str
    content_type: str
    size: int
    sha256: str
    file: File

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def as_file(data: bytes | IO[bytes] | File) -> File:
    if isinstance(data, bytes | bytearray):
        return ContentFile(bytes(data))
    if isinstance(data, File):
        return data
    return File(data)


def _chunks(file: File) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(CHUNK):
        yield chunk
    file.seek(0)


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return "text/plain"  # confirmed (or refused) by decoding the whole file


def _text_problem(file: File) -> str | None:
    """None for plain text (UTF-8 or Shift_JIS, no NUL, no markup); else what is wrong ("type", "markup")."""
    for encoding in ("utf-8", "cp932"):
        decoder = codecs.getincrementaldecoder(encoding)()
        tail = ""
        first = True
        try:
            for chunk in _chunks(file):
                text = decoder.decode(chunk)
                if "\x00" in text:
                    return "type"
                window = tail + text
                if first and _MARKUP_START.match(window.lstrip("\ufeff")):
                    return "markup"
                if _ACTIVE_TAG.search(window):
                    return "markup"
                tail = window[-_OVERLAP:]
                first = first and not window.strip()
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return None
    return "type"


def _complete(content_type: str, file: File, size: int) -> bool:
    """A file cut short, or a header on something else, is malformed."""
    file.seek(max(0, size - 1024))
    end = file.read()
    file.seek(0)
    if content_type == "image/png":
        return b"IEND" in end[-32:]
    if content_type == "image/jpeg":
        return end.rstrip(b"\x00").endswith(b"\xff\xd9")
    if content_type == "application/pdf":
        return b"%%EOF" in end
    return True


def _pdf_problem(file: File) -> str | None:
    """Active content of a PDF, read by qpdf (pikepdf) through every object, compressed ones included."""
    import pikepdf

    path = getattr(file, "temporary_file_path", None)
    try:
        source: Any = path() if callable(path) else io.BytesIO(b"".join(_chunks(file)))
        with pikepdf.open(source) as pdf:
            for obj in pdf.objects:
                if not isinstance(obj, pikepdf.Dictionary):
                    continue
                for key in _PDF_ACTIVE_KEYS:
                    if key in obj:
                        return key[1:]
                action = obj.get("/S")
                if isinstance(action, pikepdf.Name) and str(action) in _PDF_ACTIVE_ACTIONS:
                    return str(action)[1:]
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError):
        return "unreadable"
    finally:
        file.seek(0)
    return None


def _digest(file: File) -> tuple[int, str, bytes]:
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in _chunks(file):
        if not head:
            head = chunk[:16]
        size += len(chunk)
        digest.update(chunk)
    return size, digest.hexdigest(), head


def check(*, name: str, content_type: str, data: bytes | IO[bytes] | File, kind: str) -> Checked:  # noqa: C901, PLR0912 - one list of refusals, read top to bottom
    """Refuse a file that is too large, of a type not allowed (or not for this kind), malformed, or active
    (InvalidInput on ``file``); the browser's ``content_type`` is never trusted."""
    errors: list[FieldError] = []
    if kind not in KINDS:
        errors.append(FieldError("kind", "E_CHOICE", {"value": kind, "allowed": list(KINDS)}))
    limit = settings.MAMORI_ATTACHMENT_MAX_BYTES
    file = as_file(data)
    declared = getattr(file, "size", None)
    if declared is not None and declared > limit:  # known before reading
        errors.append(
            FieldError("file", "E_ATTACHMENT_SIZE", {"value": name, "size": f"{declared:,}", "maximum": f"{limit:,}"})
        )
        raise InvalidInput(errors)
    size, sha256, head = _digest(file)
    allowed = [_LABELS[t] for t in KIND_TYPES.get(kind, ALLOWED)]
    found: str | None = None
    if not size:
        errors.append(FieldError("file", "E_ATTACHMENT_EMPTY", {"value": name}))
    elif size > limit:
        errors.append(
            FieldError("file", "E_ATTACHMENT_SIZE", {"value": name, "size": f"{size:,}", "maximum": f"{limit:,}"})
        )
    else:
        found = _sniff(head)
        problem = _text_problem(file) if found == "text/plain" else None
        if problem == "type":
            errors.append(FieldError("file", "E_ATTACHMENT_TYPE", {"value": name, "allowed": allowed}))
            found = None
        elif problem == "markup":
            errors.append(FieldError("file", "E_ATTACHMENT_ACTIVE", {"value": name, "problem": "HTML/SVG"}))
            found = None
        elif found is not None and not _complete(found, file, size):
            errors.append(FieldError("file", "E_ATTACHMENT_MALFORMED", {"value": name, "type": found}))
            found = None
        elif found == "application/pdf":
            active = _pdf_problem(file)
            if active == "unreadable":
                errors.append(FieldError("file", "E_ATTACHMENT_MALFORMED", {"value": name, "type": found}))
                found = None
            elif active is not None:
                errors.append(FieldError("file", "E_ATTACHMENT_ACTIVE", {"value": name, "problem": active}))
                found = None
        if found is not None and kind in KINDS and found not in KIND_TYPES[kind]:
            errors.append(
                FieldError(
                    "file",
                    "E_ATTACHMENT_KIND",
                    {"value": name, "type": _LABELS[found], "kind": kind.lower(), "allowed": allowed},
                )
            )
    if errors or found is None:
        raise InvalidInput(errors)
    return Checked(kind=kind, content_type=found, size=size, sha256=sha256, file=file)
