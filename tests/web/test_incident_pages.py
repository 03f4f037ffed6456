"""The pages of issue 8 as their users meet them: the incident report (事故受付) saved as it is typed and
finished later, the incident page with its deadlines and files, the support desk's queue and case, the
claims queue and claim page with the worksheet (算定明細) — in Japanese and in English — and every path
that a user may not take: 404 for what they may not see, 403 for a page of another role."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.test import Client
from tests.web.conftest import PASSWORD  # type: ignore[import-not-found]

from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.accounts.models import Business
from mamori.web.applications import services as applications
from mamori.web.claimsdesk import services as claims
from mamori.web.claimsdesk.models import Claim, ClaimPayment, CostLine
from mamori.web.incidents import services as incidents
from mamori.web.incidents.models import Attachment, Case, ChecklistTick, Incident, Referral, Vendor
from mamori.web.policies.models import Policy
from mamori.web.quotes import services as quotes
from mamori.web.servicing import services as servicing

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
#: A complete PNG as far as the upload check goes: the signature and the IEND chunk.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


# ------------------------------------------------------------------------------------------ fixtures


def policy_started(user: User, business: Business, today: dt.date, days_ago: int = 30, **terms: Any) -> Policy:
    """An in-force policy (wholesale, 500 million yen: limits 100m/30m, deductible 100,000) that started
    ``days_ago`` days before today, so that an incident of last night falls within its period."""
    start = today - dt.timedelta(days=days_ago)
    raw = {"industry": "wholesale", "revenue": 500_000_000, "start": start.isoformat(), **terms}
    quote, _ = quotes.quote_create(raw=raw, user=user, business=business, today=start)
    app = applications.application_submit(
        user=user, quote=quote, start=start.isoformat(), payment="monthly", consent=True, today=start
    )
    policy, _ = servicing.application_bind(user=user, application_id=app.pk, today=start)
    return policy


def last_night(today: dt.date, days: int = 1) -> dt.datetime:
    """02:00 Japan time, ``days`` days before today."""
    return dt.datetime.combine(today - dt.timedelta(days=days), dt.time(2, 0), tzinfo=JST)


def ransomware(discovered: dt.datetime, **changes: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "accident_types": ["A1", "A2"],
        "discovered_at": discovered.isoformat(),
        "country": "JP",
        "attack_confirmed": True,
        "culprit": "external",
        "affected_persons": 3400,
        "affected_businesses": 0,
        "personal_data": {"improper_purpose": True},
    }
    block.update(changes)
    return block


@pytest.fixture
def world(holder: User, holder2: User, business: Business, other_business: Business, today: dt.date) -> dict[str, Any]:
    """holder's and holder2's policies; staff of the Tokyo team (support, claims, claims2) and of Osaka."""
    staff = {
        name: accounts.user_create(username=name, password=PASSWORD, role=role, team=team)
        for name, role, team in (
            ("support", roles.SUPPORT_DESK, "tokyo"),
            ("support_osaka", roles.SUPPORT_DESK, "osaka"),
            ("claims", roles.CLAIMS_HANDLER, "tokyo"),
            ("claims2", roles.CLAIMS_HANDLER, "tokyo"),
            ("claims_osaka", roles.CLAIMS_HANDLER, "osaka"),
        )
    }
    return {
        "policy": policy_started(holder, business, today),
        "policy2": policy_started(holder2, other_business, today),
        **staff,
    }


@pytest.fixture
def reported(world: dict[str, Any], holder: User, today: dt.date) -> Incident:
    incident, _ = incidents.incident_submit(
        user=holder,
        policy_number=world["policy"].number,
        block=ransomware(last_night(today)),
        summary="サーバーが暗号化され、身代金を要求された",
        data_description="顧客名簿 3,400件",
    )
    return incident


@pytest.fixture
def claimed(reported: Incident, world: dict[str, Any]) -> Claim:
    claim, _ = claims.claim_open(
        user=world["claims"],
        incident_id=reported.pk,
        costs=[{"item": "RANSOM", "amount": 30_000_000}, {"item": "EX_FORENSICS", "amount": 8_000_000}],
    )
    return claim


def login(user: User, lang: str = "ja") -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    if lang == "en":
        client.cookies["django_language"] = "en"
    return client


def page_of(response: Any) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------ rendering


WORDS = {
    "ja": {
        "report": "事故受付",
        "deadlines": "報告期限",
        "desk": "緊急時サポート窓口",
        "worksheet": "算定明細",
        "claims": "保険金請求",
    },
    "en": {
        "report": "Report an incident",
        "deadlines": "Regulatory reporting deadlines",
        "desk": "Emergency support desk",
        "worksheet": "Worksheet",
        "claims": "Claims",
    },
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_page_renders_for_its_roles_in_japanese_and_in_english(
    lang: str, world: dict[str, Any], holder: User, claimed: Claim, reported: Incident
) -> None:
    words = WORDS[lang]
    case = Case.objects.get(incident=reported)
    holder_client = login(holder, lang)
    new = holder_client.get("/incidents/new/")
    assert new.status_code == 200 and words["report"] in page_of(new) and world["policy"].number in page_of(new)
    assert 'hx-post="/incidents/draft/"' in page_of(new)
    listing = page_of(holder_client.get("/incidents/"))
    assert f"/incidents/{reported.pk}/" in listing
    incident_page = page_of(holder_client.get(f"/incidents/{reported.pk}/"))
    assert words["deadlines"] in incident_page and "サーバーが暗号化され" in incident_page
    assert ("個人情報保護委員会への速報" if lang == "ja" else "Preliminary report to the Personal") in incident_page
    assert words["worksheet"] in incident_page and "X_RANSOM" in incident_page
    claim_page = page_of(holder_client.get(f"/claims/{claimed.pk}/"))
    assert words["worksheet"] in claim_page and 'data-testid="cost-form"' not in claim_page

    desk = login(world["support"], lang)
    queue = page_of(desk.get("/desk/"))
    assert words["desk"] in queue and f"/desk/cases/{case.pk}/" in queue
    case_page = page_of(desk.get(f"/desk/cases/{case.pk}/"))
    first_item = "調査会社による被害状況・原因調査を始める" if lang == "ja" else "Start a forensic investigation"
    assert first_item in case_page and 'data-testid="tick-attacked-0"' in case_page

    handler = login(world["claims"], lang)
    assert words["claims"] in page_of(handler.get("/claims/"))
    staff_claim = page_of(handler.get(f"/claims/{claimed.pk}/"))
    assert 'data-testid="cost-form"' in staff_claim and "X_RANSOM" in staff_claim
    assert ("身代金" if lang == "ja" else "Ransom or extortion") in staff_claim


def test_the_navigation_shows_each_role_its_pages(world: dict[str, Any], holder: User) -> None:
    holder_nav = page_of(login(holder).get("/dashboard/"))
    assert 'data-testid="nav-report"' in holder_nav and 'data-testid="nav-desk"' not in holder_nav
    assert 'data-testid="nav-claims"' not in holder_nav
    assert 'data-testid="nav-desk"' in page_of(login(world["support"]).get("/dashboard/"))
    claims_nav = page_of(login(world["claims"]).get("/dashboard/"))
    assert 'data-testid="nav-claims"' in claims_nav and 'data-testid="nav-report"' not in claims_nav


# ------------------------------------------------------------------------------------------ forbidden paths


def test_another_policyholder_cannot_see_an_incident_its_files_or_its_claim(
    holder: User, holder2: User, reported: Incident, claimed: Claim
) -> None:
    attachment = incidents.attachment_add(
        user=holder,
        incident_id=reported.pk,
        kind="SCREENSHOT",
        name="ransom-note.png",
        content_type="image/png",
        data=PNG,
    )
    other = login(holder2)
    for path in (
        f"/incidents/{reported.pk}/",
        f"/incidents/{reported.pk}/edit/",
        f"/attachments/{attachment.pk}/",
        f"/claims/{claimed.pk}/",
    ):
        assert other.get(path).status_code == 404, path
    refused = other.post(f"/incidents/{reported.pk}/attachments/", {"kind": "OTHER", "file": _upload("x.png", PNG)})
    assert refused.status_code == 404
    assert Attachment.objects.count() == 1
    assert str(reported.pk) not in page_of(other.get("/incidents/"))


def test_a_policyholder_cannot_open_the_desk_or_the_claims_pages(
    holder: User, reported: Incident, claimed: Claim
) -> None:
    client = login(holder)
    case = Case.objects.get(incident=reported)
    for path in ("/desk/", f"/desk/cases/{case.pk}/", "/claims/"):
        assert client.get(path).status_code == 403, path
    for path in (
        f"/desk/cases/{case.pk}/phase/",
        f"/desk/cases/{case.pk}/close/",
        f"/claims/open/{reported.pk}/",
        f"/claims/{claimed.pk}/costs/",
        f"/claims/{claimed.pk}/decision/",
        f"/claims/{claimed.pk}/payments/",
    ):
        assert client.post(path, {"phase": "recover_prevent", "amount": "1"}).status_code == 403, path
    case.refresh_from_db()
    assert case.status == "OPEN" and case.phase == "attacked"
    assert CostLine.objects.filter(claim=claimed).count() == 2


def test_staff_of_another_team_cannot_see_the_case_or_the_claim(
    world: dict[str, Any], reported: Incident, claimed: Claim
) -> None:
    case = Case.objects.get(incident=reported)
    osaka = login(world["support_osaka"])
    assert f"/desk/cases/{case.pk}/" not in page_of(osaka.get("/desk/"))
    assert osaka.get(f"/desk/cases/{case.pk}/").status_code == 404
    assert osaka.post(f"/desk/cases/{case.pk}/phase/", {"phase": "recover_prevent"}).status_code == 404
    assert osaka.get(f"/incidents/{reported.pk}/").status_code == 404
    claims_osaka = login(world["claims_osaka"])
    assert claims_osaka.get(f"/claims/{claimed.pk}/").status_code == 404
    assert claims_osaka.post(f"/claims/{claimed.pk}/decision/", {"decision": "pay", "notes": "x"}).status_code == 404
    assert str(claimed.pk) not in page_of(claims_osaka.get("/claims/"))
    claimed.refresh_from_db()
    assert claimed.status == "OPEN"


def test_the_pages_need_a_login(reported: Incident, claimed: Claim) -> None:
    anonymous = Client()
    for path in (
        "/incidents/",
        "/incidents/new/",
        f"/incidents/{reported.pk}/",
        "/desk/",
        "/claims/",
        f"/claims/{claimed.pk}/",
    ):
        r = anonymous.get(path)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], path


# ------------------------------------------------------------------------------------------ the report


def test_the_report_is_saved_as_it_is_typed_and_can_be_finished_later(
    world: dict[str, Any], holder: User, today: dt.date
) -> None:
    client = login(holder)
    typed = {"policy_number": world["policy"].number, "summary": "深夜にサーバーが暗号化された", "country": "JP"}
    first = client.post("/incidents/draft/", typed, headers={"HX-Request": "true"})
    assert first.status_code == 200
    draft = Incident.objects.get()
    assert draft.status == "DRAFT" and draft.draft["summary"] == "深夜にサーバーが暗号化された"
    assert "下書きを保存しました" in page_of(first) and f'value="{draft.pk}"' in page_of(first)
    assert first["HX-Replace-Url"] == f"/incidents/{draft.pk}/edit/"
    more = {**typed, "incident_id": str(draft.pk), "affected_persons": "3,4", "accident_types": ["A1"]}
    assert client.post("/incidents/draft/", more, headers={"HX-Request": "true"}).status_code == 200
    assert Incident.objects.count() == 1  # the same draft, updated
    draft.refresh_from_db()
    assert draft.draft["affected_persons"] == "3,4" and draft.draft["accident_types"] == ["A1"]

    assert client.post("/incidents/draft/", {**typed, "incident_id": "not-an-id"}).status_code == 404

    later = login(holder)  # another session, later: the draft is listed and reopens as typed
    assert f"/incidents/{draft.pk}/edit/" in page_of(later.get("/incidents/"))
    form = page_of(later.get(f"/incidents/{draft.pk}/edit/"))
    assert "深夜にサーバーが暗号化された" in form and 'value="3,4"' in form
    assert later.get(f"/incidents/{draft.pk}/").status_code == 302  # a draft opens as its form


def test_a_refused_report_shows_each_error_next_to_its_field_and_loses_nothing(
    world: dict[str, Any], holder: User, today: dt.date
) -> None:
    client = login(holder)
    typed = {
        "policy_number": world["policy"].number,
        "summary": "取引先から不審なメールの指摘",
        "country": "Japan",
        "affected_persons": "約100",
        "discovered_at": "",
        "data_description": "取引先の連絡先",
    }
    r = client.post("/incidents/new/", typed)
    assert r.status_code == 422
    page = page_of(r)
    for field in ("country", "discovered_at", "accident_types", "affected_persons"):
        assert f'data-field="{field}"' in page, field
    assert "取引先から不審なメールの指摘" in page and 'value="Japan"' in page and 'value="約100"' in page
    draft = Incident.objects.get()
    assert draft.status == "DRAFT" and draft.draft["data_description"] == "取引先の連絡先"
    assert not Case.objects.exists()

    fixed = {
        **typed,
        "incident_id": str(draft.pk),
        "country": "jp",
        "affected_persons": "１００",
        "discovered_at": last_night(today).strftime("%Y-%m-%dT%H:%M"),
        "accident_types": ["A2"],
        "third_party_indication": "on",
        "culprit": "external",
    }
    r = client.post("/incidents/new/", fixed)
    assert r.status_code == 302 and r["Location"] == f"/incidents/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == "SUBMITTED" and Incident.objects.count() == 1
    assert draft.discovered_at == last_night(today) and draft.affected_persons == 100 and draft.country == "JP"
    assert set(draft.accident_types) == {"A2", "T0"}  # the third party's indication is T0
    assert draft.case.available


def test_an_incident_outside_japan_shows_why_emergency_support_is_not_available(
    world: dict[str, Any], holder: User, today: dt.date
) -> None:
    incident, _ = incidents.incident_submit(
        user=holder, policy_number=world["policy"].number, block=ransomware(last_night(today), country="US")
    )
    ja = page_of(login(holder).get(f"/incidents/{incident.pk}/"))
    assert 'data-testid="support-unavailable"' in ja and "日本国内の事故にのみ" in ja
    en = page_of(login(holder, "en").get(f"/incidents/{incident.pk}/"))
    assert "available only for incidents in Japan" in en


def test_an_agent_and_the_desk_report_for_a_client_at_any_hour(
    world: dict[str, Any], agent: User, agency: Any, make_user: Any, today: dt.date
) -> None:
    client_business = Business.objects.create(name="代理店の顧客株式会社", entity="corporation", agency=agency)
    client_user = make_user(roles.POLICYHOLDER, business=client_business, name="client")
    policy = policy_started(client_user, client_business, today)
    form = page_of(login(agent).get("/incidents/new/"))
    assert policy.number in form and world["policy"].number not in form  # only the agency's clients
    typed = {
        "policy_number": policy.number,
        "summary": "誤送信",
        "country": "JP",
        "discovered_at": last_night(today).strftime("%Y-%m-%dT%H:%M"),
        "accident_types": ["A2"],
        "affected_persons": "200",
    }
    r = login(agent).post("/incidents/new/", typed)
    assert r.status_code == 302
    incident = Incident.objects.get(policy=policy)
    assert incident.status == "SUBMITTED" and incident.reported_by == agent
    assert login(client_user).get(f"/incidents/{incident.pk}/").status_code == 200
    desk_form = page_of(login(world["support"]).get("/incidents/new/"))
    assert policy.number in desk_form and world["policy"].number in desk_form  # the desk takes any call
    assert login(world["claims"]).get("/incidents/new/").status_code == 403


# ------------------------------------------------------------------------------------------ attachments


def _upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("cut.png", PNG[:20], "壊れています"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "添付できません"),
        ("empty.pdf", b"", "空です"),
    ],
)
def test_a_refused_attachment_is_explained_and_the_report_is_kept(
    holder: User, reported: Incident, name: str, data: bytes, words: str
) -> None:
    r = login(holder).post(f"/incidents/{reported.pk}/attachments/", {"kind": "LETTER", "file": _upload(name, data)})
    assert r.status_code == 422
    page = page_of(r)
    assert 'data-field="file"' in page and words in page and name in page
    assert "サーバーが暗号化され" in page  # the report is shown, unchanged
    assert '<option value="LETTER" selected>' in page  # the kind chosen is kept
    assert not Attachment.objects.exists()
    reported.refresh_from_db()
    assert reported.status == "SUBMITTED" and reported.summary == "サーバーが暗号化され、身代金を要求された"


def test_a_too_large_attachment_on_a_draft_keeps_everything_typed(
    world: dict[str, Any], holder: User, settings: Any
) -> None:
    settings.MAMORI_ATTACHMENT_MAX_BYTES = 100
    client = login(holder)
    client.post("/incidents/draft/", {"policy_number": world["policy"].number, "summary": "請求書の偽装メール"})
    draft = Incident.objects.get()
    r = client.post(f"/incidents/{draft.pk}/attachments/", {"kind": "INVOICE", "file": _upload("big.png", PNG * 10)})
    assert r.status_code == 422
    page = page_of(r)
    assert "大きすぎます" in page and "請求書の偽装メール" in page and 'data-testid="incident-form"' in page
    assert not Attachment.objects.exists()


def test_an_attachment_is_downloaded_only_through_a_permission_check_never_from_a_public_url(
    holder: User, holder2: User, world: dict[str, Any], reported: Incident
) -> None:
    client = login(holder)
    r = client.post(
        f"/incidents/{reported.pk}/attachments/",
        {"kind": "SCREENSHOT", "file": _upload("脅迫画面.png", PNG, "image/png")},
    )
    assert r.status_code == 302
    attachment = Attachment.objects.get()
    stored = attachment.file.name
    assert "脅迫画面" not in stored and str(attachment.pk) not in stored  # neither the user's name nor the id
    assert default_storage.exists(stored)
    for public in (f"/files/{stored}", f"/media/{stored}", f"/{stored}", f"/static/{stored}"):
        assert client.get(public).status_code == 404, public

    download = client.get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff" and download["Content-Type"] == "image/png"
    assert f"/attachments/{attachment.pk}/" in page_of(client.get(f"/incidents/{reported.pk}/"))
    assert login(world["support"]).get(f"/attachments/{attachment.pk}/").status_code == 200
    assert login(holder2).get(f"/attachments/{attachment.pk}/").status_code == 404
    assert login(world["support_osaka"]).get(f"/attachments/{attachment.pk}/").status_code == 404
    anonymous = Client().get(f"/attachments/{attachment.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client.get("/attachments/00000000-0000-0000-0000-000000000000/").status_code == 404


# ------------------------------------------------------------------------------------------ deadlines


def test_overdue_deadlines_are_highlighted_for_the_desk_and_the_policyholder(
    world: dict[str, Any], holder: User, today: dt.date
) -> None:
    late, _ = incidents.incident_submit(
        user=holder, policy_number=world["policy"].number, block=ransomware(last_night(today, days=10))
    )
    fresh, _ = incidents.incident_submit(
        user=holder, policy_number=world["policy"].number, block=ransomware(last_night(today, days=1))
    )
    late_page = page_of(login(holder).get(f"/incidents/{late.pk}/"))
    assert 'data-testid="overdue-preliminary"' in late_page and "超過" in late_page
    assert 'data-testid="left-final"' in late_page and "残り" in late_page
    fresh_page = page_of(login(holder, "en").get(f"/incidents/{fresh.pk}/"))
    assert 'data-testid="overdue-' not in fresh_page and "left" in fresh_page
    queue = page_of(login(world["support"]).get("/desk/"))
    assert queue.index(f'case-row-{late.case.pk}"') < queue.index(f'case-row-{fresh.case.pk}"')  # the most urgent first
    assert f'data-testid="case-row-{late.case.pk}" class="overdue"' in queue
    assert f'data-testid="case-row-{fresh.case.pk}" class="overdue"' not in queue


# ------------------------------------------------------------------------------------------ support desk


def test_the_desk_triages_a_case_by_page(world: dict[str, Any], reported: Incident) -> None:
    case = Case.objects.get(incident=reported)
    forensics = Vendor.objects.create(category="forensics", name="東京フォレンジック株式会社", phone="03-0000-0000")
    Vendor.objects.create(category="pr", name="広報パートナーズ")
    desk = login(world["support"])
    base = f"/desk/cases/{case.pk}"

    assert desk.post(f"{base}/phase/", {"phase": "recover_prevent"}).status_code == 302
    case.refresh_from_db()
    assert case.phase == "recover_prevent"
    bad = desk.post(f"{base}/phase/", {"phase": "panic"})
    assert bad.status_code == 422 and 'data-field="phase"' in page_of(bad)

    ticked = desk.post(
        f"{base}/tick/", {"phase": "attacked", "item": "0", "done": "on"}, headers={"HX-Request": "true"}
    )
    assert ticked.status_code == 200 and 'id="checklist-attacked"' in page_of(ticked)
    assert "checked" in page_of(ticked).split('data-testid="tick-attacked-0"')[0].rsplit("<input", 1)[1]
    assert ChecklistTick.objects.filter(case=case, phase="attacked", item=0).exists()
    desk.post(f"{base}/tick/", {"phase": "attacked", "item": "0"}, headers={"HX-Request": "true"})
    assert not ChecklistTick.objects.filter(case=case).exists()  # unticked

    nothing = desk.post(f"{base}/refer/", {"vendor": "", "note": "初動調査"})
    assert (
        nothing.status_code == 422
        and 'data-field="vendor"' in page_of(nothing)
        and 'value="初動調査"' in page_of(nothing)
    )
    filtered = page_of(desk.get(f"{base}/?category=forensics"))
    assert "東京フォレンジック株式会社" in filtered and "広報パートナーズ" not in filtered
    assert desk.post(f"{base}/refer/", {"vendor": str(forensics.pk), "note": "初動調査"}).status_code == 302
    assert Referral.objects.get(case=case).vendor == forensics

    empty = desk.post(f"{base}/note/", {"text": "   "})
    assert empty.status_code == 422 and 'data-field="text"' in page_of(empty)
    assert desk.post(f"{base}/note/", {"text": "社長に電話で初動を説明"}).status_code == 302
    timeline = page_of(desk.get(f"{base}/"))
    for shown in ("東京フォレンジック株式会社", "社長に電話で初動を説明", "一刻も早い復旧と再発防止策", "受付"):
        assert shown in timeline, shown

    assert desk.post(f"{base}/close/").status_code == 302
    case.refresh_from_db()
    assert case.status == "CLOSED"
    again = desk.post(f"{base}/close/", follow=True)
    assert "終了しています" in page_of(again)


# ------------------------------------------------------------------------------------------ claims


def test_the_claims_queue_opens_a_claim_and_shows_payments_to_approve(
    world: dict[str, Any], reported: Incident
) -> None:
    handler = login(world["claims"])
    queue = page_of(handler.get("/claims/"))
    assert f'data-testid="open-claim-{reported.pk}"' in queue
    r = handler.post(f"/claims/open/{reported.pk}/")
    claim = Claim.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/claims/{claim.pk}/"
    assert f'data-testid="open-claim-{reported.pk}"' not in page_of(handler.get("/claims/"))


def test_a_claim_is_handled_to_payment_by_page_with_four_eyes(
    world: dict[str, Any], holder: User, claimed: Claim
) -> None:
    handler, second = login(world["claims"], "en"), login(world["claims2"], "en")
    base = f"/claims/{claimed.pk}"

    bad = handler.post(f"{base}/costs/", {"item": "EX_DATA_RESTORE", "amount": "4百万", "description": "復旧作業"})
    assert bad.status_code == 422
    page = page_of(bad)
    assert 'data-field="cost.amount"' in page and 'value="4百万"' in page and 'value="復旧作業"' in page
    assert claimed.costs.count() == 2
    assert handler.post(f"{base}/costs/", {"item": "EX_DATA_RESTORE", "amount": "4,000,000"}).status_code == 302
    assert handler.post(f"{base}/costs/", {"item": "EX_CALL_CENTER", "amount": "2000000"}).status_code == 302

    page = page_of(handler.get(f"{base}/"))
    assert 'data-testid="payable-total">13,900,000<' in page  # 8m + 4m + 2m less the deductible; no ransom
    assert 'data-testid="deductible-applied">100,000 yen<' in page and "X_RANSOM" in page

    refused = handler.post(f"{base}/decision/", {"decision": "pay", "notes": ""})
    assert refused.status_code == 422 and 'data-field="decision.notes"' in page_of(refused)
    assert handler.post(f"{base}/decision/", {"decision": "pay", "notes": "Covered as calculated"}).status_code == 302

    too_much = handler.post(f"{base}/payments/", {"amount": "13,900,001"})
    assert too_much.status_code == 409
    page = page_of(too_much)
    assert 'data-field="pay.amount"' in page and 'value="13,900,001"' in page and "13900000" in page.replace(",", "")
    r = handler.post(f"{base}/payments/", {"amount": "13,900,000"}, follow=True)
    assert "second claims user" in page_of(r)
    payment = ClaimPayment.objects.get()
    assert payment.status == "AWAITING_APPROVAL"
    assert f'data-testid="approve-{payment.pk}"' not in page_of(handler.get("/claims/"))  # never the requester
    assert handler.post(f"/claim-payments/{payment.pk}/approve/").status_code == 302
    payment.refresh_from_db()
    assert payment.status == "AWAITING_APPROVAL"

    assert f'data-testid="approve-{payment.pk}"' in page_of(second.get("/claims/"))
    assert second.post(f"/claim-payments/{payment.pk}/approve/").status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.approved_by) == ("PAID", world["claims2"])

    mine = page_of(login(holder).get(f"{base}/"))
    assert 'data-testid="claim-paid">13,900,000' in mine and "支払済" in mine and "算定明細" in mine
    assert 'data-testid="claim-reserve"' not in mine and 'data-testid="pay-form"' not in mine

    assert handler.post(f"{base}/close/").status_code == 302
    claimed.refresh_from_db()
    assert (claimed.status, claimed.reserve_yen) == ("CLOSED", 0)


def test_business_interruption_is_entered_on_the_claim_page_and_calculated(
    world: dict[str, Any], holder: User, business: Business, today: dt.date
) -> None:
    policy = policy_started(holder, business, today, bi_limit=10_000_000)
    incident, _ = incidents.incident_submit(
        user=holder, policy_number=policy.number, block=ransomware(last_night(today, 3))
    )
    claim, _ = claims.claim_open(user=world["claims"], incident_id=incident.pk)
    handler = login(world["claims"])
    page = page_of(handler.get(f"/claims/{claim.pk}/"))
    assert 'data-testid="bi-form"' in page
    typed = {
        "outage_start": last_night(today, 3).strftime("%Y-%m-%dT%H:%M"),
        "outage_end": "昨日の夕方",
        "fiscal_revenue": "500,000,000",
        "operating_profit": "50,000,000",
        "fixed_costs": "100,000,000",
        "standard_revenue": "10,000,000",
        "actual_revenue": "4,000,000",
    }
    refused = handler.post(f"/claims/{claim.pk}/bi/", typed)
    assert refused.status_code == 422
    page = page_of(refused)
    assert 'data-field="bi.outage_end"' in page and 'value="昨日の夕方"' in page and 'value="4,000,000"' in page
    claim.refresh_from_db()
    assert claim.bi is None
    typed["outage_end"] = last_night(today, 1).strftime("%Y-%m-%dT%H:%M")  # 48 hours: past the waiting period
    assert handler.post(f"/claims/{claim.pk}/bi/", typed).status_code == 302
    claim.refresh_from_db()
    assert claim.bi["actual_revenue"] == 4_000_000
    # (10m − 4m) × (50m + 100m) / 500m = 1,800,000 yen of lost profit; no deductible on BI.
    assert 'data-testid="payable-total">1,800,000<' in page_of(handler.get(f"/claims/{claim.pk}/"))


def test_the_claim_page_keeps_the_reserve_typed_when_it_is_refused(world: dict[str, Any], claimed: Claim) -> None:
    r = login(world["claims"]).post(f"/claims/{claimed.pk}/reserve/", {"reserve": "-5", "reason": "見直し"})
    assert r.status_code == 422
    page = page_of(r)
    assert 'data-field="reserve.reserve"' in page and 'value="-5"' in page and 'value="見直し"' in page


def test_staff_forms_are_protected_against_cross_site_requests(world: dict[str, Any], claimed: Claim) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="claims", password=PASSWORD)
    assert client.post(f"/claims/{claimed.pk}/decision/", {"decision": "pay", "notes": "x"}).status_code == 403
    claimed.refresh_from_db()
    assert claimed.status == "OPEN"
