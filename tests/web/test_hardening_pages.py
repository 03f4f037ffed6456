"""Issue 14, items 6 and 7: headers (a Content-Security-Policy without inline script under which htmx still
works, Permissions-Policy, Cache-Control on private answers), the API documentation from our own static
files, and attachments allowed by content (no HTML, SVG or scripted PDF; names from the detected type;
streamed to disk, never read whole into memory)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pikepdf
import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client

from mamori.errors import InvalidInput
from mamori.web.accounts.models import Business
from mamori.web.demo_incidents import policy_for
from mamori.web.incidents import services as incidents
from mamori.web.incidents import uploads
from mamori.web.incidents.models import Attachment, Incident
from mamori.web.policies.models import Policy

pytestmark = pytest.mark.django_db
TERMS = {"industry": "wholesale", "revenue": 500_000_000}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a"
    "5d0e4a50000000049454e44ae426082"
)


@pytest.fixture
def policy(holder: User, business: Business, today: dt.date) -> Policy:
    return policy_for(user=holder, business=business, risk=TERMS, start=today - dt.timedelta(days=30), today=today)


@pytest.fixture
def incident(holder: User, policy: Policy) -> Incident:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    block = {"accident_types": ["A1"], "discovered_at": now.isoformat(), "country": "JP", "attack_confirmed": True}
    found, _ = incidents.incident_submit(
        user=holder, policy_number=policy.number, block=block, summary="メールの誤送信"
    )
    return found


def pdf(*, javascript: bool = False, compressed: bool = False) -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    if javascript:
        action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x')"))
        document.Root.OpenAction = document.make_indirect(action)
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if compressed else pikepdf.ObjectStreamMode.disable
    document.save(out, object_stream_mode=mode)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ headers


def _pages(client: Client, paths: list[str]) -> list[tuple[str, Any]]:
    return [(p, client.get(p)) for p in paths]


def test_pages_carry_a_csp_without_inline_script_and_hold_none(
    holder: User, incident: Incident, policy: Policy
) -> None:
    client = Client()
    client.force_login(holder)
    answers = _pages(
        client,
        ["/", "/quote/", "/estimate/", "/incidents/new/", f"/incidents/{incident.pk}/", f"/policies/{policy.number}/"],
    )
    answers += _pages(Client(), ["/accounts/login/", "/signup/"])
    for path, r in answers:
        assert r.status_code == 200, path
        csp = r["Content-Security-Policy"]
        script = re.search(r"script-src ([^;]*)", csp)
        assert script and script.group(1).split() == ["'self'"], (path, csp)
        assert "unsafe" not in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        html = r.content.decode()
        inline = [s for s in re.findall(r"<script\b([^>]*)>", html) if "src=" not in s and "application/json" not in s]
        assert not inline, (path, inline)
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no inline event handlers
        assert " style=" not in html and "<style" not in html and "hx-on" not in html, path  # nothing inline to refuse
        assert "camera=()" in r["Permissions-Policy"]


def test_htmx_and_the_pages_script_come_from_our_static_files() -> None:
    html = Client().get("/quote/").content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert any("htmx" in s for s in sources) and any("mamori.js" in s for s in sources)
    assert all(s.startswith("/static/") for s in sources)
    assert '"allowEval": false' in html  # htmx evaluates nothing (no 'unsafe-eval' needed)
    assert finders.find("mamori/mamori.js")


def test_private_answers_are_not_stored(api: Callable[..., Any], holder: User, policy: Policy, admin: User) -> None:
    staff = api(admin)
    for r in (staff.get("/policies"), staff.get(f"/policies/{policy.number}/certificate"), api().get("/nowhere")):
        assert "no-store" in r["Cache-Control"], r
    client = Client()
    client.force_login(holder)
    assert "no-store" in client.get("/dashboard/")["Cache-Control"]
    assert "no-store" not in Client().get("/quote/").get("Cache-Control", "")  # public pages may be cached


def test_the_api_documentation_uses_our_own_static_files() -> None:
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(s.startswith("/static/") for s in scripts), scripts
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui-init.js")
    assert "script-src 'self'" in r["Content-Security-Policy"]


# ------------------------------------------------------------------------------------------ attachments


@pytest.mark.parametrize(
    ("name", "data", "kind", "code"),
    [
        (
            "page.html",
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "OTHER",
            "E_ATTACHMENT_ACTIVE",
        ),
        (
            "xss.svg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "OTHER",
            "E_ATTACHMENT_ACTIVE",
        ),
        ("note.txt", "ログ抜粋\n".encode() * 5000 + b"<script>x</script>", "OTHER", "E_ATTACHMENT_ACTIVE"),
        ("evil.pdf", pdf(javascript=True), "LETTER", "E_ATTACHMENT_ACTIVE"),
        ("hidden.pdf", pdf(javascript=True, compressed=True), "INVOICE", "E_ATTACHMENT_ACTIVE"),
        ("screen.exe", b"just some text, not a picture", "SCREENSHOT", "E_ATTACHMENT_KIND"),
        ("screen.pdf", pdf(), "SCREENSHOT", "E_ATTACHMENT_KIND"),
    ],
)
def test_active_or_mismatched_attachments_are_refused(
    holder: User, incident: Incident, name: str, data: bytes, kind: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        incidents.attachment_add(
            user=holder, incident_id=incident.pk, kind=kind, name=name, content_type="text/plain", data=data
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", code)]
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type", "extension"),
    [
        ("page.html", "請求書の件、了解しました。\n".encode("cp932"), "LETTER", "text/plain", "txt"),
        ("letter.pdf", pdf(), "LETTER", "application/pdf", "pdf"),
        ("packed.pdf", pdf(compressed=True), "INVOICE", "application/pdf", "pdf"),
        ("xss.svg", PNG, "SCREENSHOT", "image/png", "png"),
    ],
)
def test_allowed_attachments_are_named_from_their_detected_type(  # noqa: PLR0913 - one argument per column
    holder: User, incident: Incident, name: str, data: bytes, kind: str, content_type: str, extension: str
) -> None:
    attachment = incidents.attachment_add(
        user=holder, incident_id=incident.pk, kind=kind, name=name, content_type="text/html", data=data
    )
    assert attachment.content_type == content_type
    assert attachment.file.name.endswith(f".{extension}") and name not in attachment.file.name
    client = Client()
    client.force_login(holder)
    download = client.get(f"/attachments/{attachment.pk}/")
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith(f'.{extension}"') and name not in disposition
    assert b"".join(download.streaming_content) == data


def test_an_upload_is_streamed_to_disk_and_checked_in_chunks(
    holder: User, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []
    check = uploads.check

    def spy(**kwargs: Any) -> Any:
        seen.append(kwargs["data"])
        return check(**kwargs)

    monkeypatch.setattr(uploads, "check", spy)
    big = pdf()[:-6] + b"\n" + b"%" + b"x" * (600 * 1024) + b"\n%%EOF\n"  # a PDF with a long comment
    client = Client()
    client.force_login(holder)
    r = client.post(
        f"/incidents/{incident.pk}/attachments/",
        {"kind": "LETTER", "file": SimpleUploadedFile("big.pdf", big, content_type="application/pdf")},
    )
    assert r.status_code == 302, r.content[:500]
    assert isinstance(seen[0], TemporaryUploadedFile)  # on disk, handed over as the file — not as bytes
    assert Attachment.objects.get().size == len(big)
