"""A ransomware incident at night, in a real browser, in Japanese and in English: the policyholder reports it
(the draft is saved as they type and survives a reload; a broken file is refused and nothing is lost), the
support desk triages it and sees the deadlines with the time left, a claims handler enters the costs with a
ransom and gets the worksheet (ransom excluded, deductible applied), decides and requests a payment above
the four-eyes threshold, a second handler approves, and the policyholder sees the claim paid."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from tests.e2e.conftest import PASSWORD, login, logout  # type: ignore[import-not-found]

from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.applications import services as applications
from mamori.web.claimsdesk.models import Claim, ClaimPayment
from mamori.web.incidents.models import Attachment, Case, ChecklistTick, Incident, Referral, Vendor
from mamori.web.policies.models import Policy
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes import services as quotes
from mamori.web.servicing import services as servicing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
JST = ZoneInfo("Asia/Tokyo")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24 + b"\x00\x00\x00\x00IEND\xaeB`\x82"

WORDS = {
    "ja": {
        "saved": "下書きを保存しました",
        "reported": "事故を受け付けました",
        "attached": "添付しました",
        "damaged": "壊れています",
        "left": "残り",
        "phase": "お客さまへの説明とお詫び",
        "referred": "紹介を記録しました",
        "opened": "保険金請求を開始しました",
        "awaiting": "承認待ちです",
        "approved": "支払いました",
        "paid": "支払済",
        "ransom": "身代金",
    },
    "en": {
        "saved": "Draft saved at",
        "reported": "The incident was reported",
        "attached": "was attached",
        "damaged": "is damaged",
        "left": "left",
        "phase": "Explaining to and apologising to customers",
        "referred": "The referral was recorded",
        "opened": "The claim was opened",
        "awaiting": "waits for a second claims user",
        "approved": "approved and made",
        "paid": "Paid out",
        "ransom": "Ransom",
    },
}


def _policy_started(user: User, days_ago: int) -> Policy:
    """An in-force policy of the user's business (wholesale, 500 million yen: expenses 30 million, deductible
    100,000 yen) that started ``days_ago`` days ago."""
    start = productdb.catalog().latest().today() - dt.timedelta(days=days_ago)
    raw = {"industry": "wholesale", "revenue": 500_000_000, "start": start.isoformat()}
    business = user.profile.business
    quote, _ = quotes.quote_create(raw=raw, user=user, business=business, today=start)
    app = applications.application_submit(
        user=user, quote=quote, start=start.isoformat(), payment="monthly", consent=True, today=start
    )
    policy, _ = servicing.application_bind(user=user, application_id=app.pk, today=start)
    return policy


def _last_two_am() -> dt.datetime:
    """The latest 02:00 Japan time before now: the small hours when the servers were found encrypted."""
    now = timezone.now().astimezone(JST)
    at = now.replace(hour=2, minute=0, second=0, microsecond=0)
    return at if at <= now else at - dt.timedelta(days=1)


def _people() -> dict[str, User]:
    business = accounts.business_create(name="株式会社まもり商事", entity="corporation", industry="wholesale")
    people = {
        "holder": accounts.user_create(username="holder", password=PASSWORD, role=roles.POLICYHOLDER, business=business)
    }
    for name, role in (
        ("support", roles.SUPPORT_DESK),
        ("claims", roles.CLAIMS_HANDLER),
        ("claims2", roles.CLAIMS_HANDLER),
    ):
        people[name] = accounts.user_create(username=name, password=PASSWORD, role=role, team="tokyo")
    return people


def _autosaves_done(page: Any) -> None:
    """No autosave pending or under way (the test server shares one database connection between requests:
    the report is submitted after the last autosave, as a user would after a pause)."""
    page.wait_for_timeout(1_000)  # longer than the autosave's delay after typing
    # Selectors, not page scripts: the Content-Security-Policy refuses eval (issue 14), Playwright's own
    # selector engine is not subject to it.
    page.wait_for_selector("#incident-form.htmx-request", state="detached")


def _report(page: Any, base: str, words: dict[str, str], discovered: dt.datetime) -> Incident:
    """The policyholder reports at night; the draft is saved as they type and survives a reload."""
    page.get_by_test_id("nav-report").click()
    page.get_by_test_id("inc-summary").fill(
        "午前2時、全サーバーが暗号化され、身代金3,000万円を要求する画面が表示された"
    )
    page.wait_for_selector(f"[data-testid=draft-status]:has-text('{words['saved']}')")
    page.wait_for_url(re.compile(r".*/incidents/[0-9a-f-]+/edit/$"))
    page.reload()  # the browser was closed in panic: nothing typed is lost
    assert page.get_by_test_id("inc-summary").input_value().startswith("午前2時、全サーバーが暗号化され")
    page.get_by_test_id("inc-discovered").fill(discovered.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("inc-occurred").fill((discovered - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("type-A1").check()
    page.get_by_test_id("type-A2").check()
    page.get_by_test_id("inc-attack-confirmed").check()
    page.get_by_test_id("inc-culprit").select_option("external")
    page.get_by_test_id("inc-data").fill("顧客名簿（氏名・住所・電話番号）")
    page.get_by_test_id("inc-persons").fill("3,400")
    with page.expect_response(re.compile(r".*/incidents/draft/$")):  # the last change is saved too
        page.get_by_test_id("pd-improper_purpose").check()
    assert page.get_by_test_id("inc-country").input_value() == "JP"
    _autosaves_done(page)
    page.get_by_test_id("inc-submit").click()
    page.wait_for_selector(f".messages li:has-text('{words['reported']}')")
    incident = Incident.objects.get()
    assert incident.status == "SUBMITTED" and incident.discovered_at == discovered
    assert page.get_by_test_id("support-available").is_visible()
    assert words["left"] in page.get_by_test_id("left-preliminary").inner_text()
    assert page.locator("[data-testid^=overdue-]").count() == 0

    # A screenshot is attached; a file cut short is refused with a message, and the report stays as it was.
    page.get_by_test_id("att-kind").select_option("SCREENSHOT")
    page.get_by_test_id("att-file").set_input_files({"name": "ransom-note.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_test_id("att-submit").click()
    page.wait_for_selector(f".messages li:has-text('{words['attached']}')")
    page.get_by_test_id("att-file").set_input_files({"name": "cut.png", "mimeType": "image/png", "buffer": PNG[:20]})
    page.get_by_test_id("att-submit").click()
    page.wait_for_selector(f"[data-field=file]:has-text('{words['damaged']}')")
    assert "午前2時、全サーバーが暗号化され" in page.get_by_test_id("incident-facts").inner_text()
    assert Attachment.objects.count() == 1
    return incident


def _triage(page: Any, base: str, words: dict[str, str], incident: Incident) -> None:
    """The desk moves the case on, ticks a checklist item, refers a forensic investigator; deadlines shown."""
    case = Case.objects.get(incident=incident)
    page.get_by_test_id("nav-desk").click()
    row = page.get_by_test_id(f"case-row-{case.pk}")
    assert words["left"] in row.get_by_test_id("next-left").inner_text()
    page.get_by_test_id(f"open-case-{case.pk}").click()
    assert words["left"] in page.get_by_test_id("left-preliminary").inner_text()
    page.get_by_test_id("tick-attacked-0").check()
    page.wait_for_selector("[data-testid=tick-attacked-0]:checked")
    page.wait_for_selector(".htmx-request", state="detached")
    page.wait_for_timeout(300)
    assert ChecklistTick.objects.filter(case=case, phase="attacked", item=0).exists()
    page.get_by_test_id("case-phase").select_option("explain_apologise")
    page.get_by_test_id("case-phase-submit").click()
    page.wait_for_selector(f"[data-testid=timeline]:has-text('{words['phase']}')")
    page.get_by_test_id("vendor-category").select_option("forensics")
    page.wait_for_url(re.compile(r".*category=forensics.*"))
    page.get_by_test_id("vendor").select_option(str(Vendor.objects.get(category="forensics").pk))
    page.get_by_test_id("vendor-note").fill("初動調査を依頼")
    page.get_by_test_id("vendor-submit").click()
    page.wait_for_selector(f".messages li:has-text('{words['referred']}')")
    assert "東京フォレンジック" in page.get_by_test_id("referrals").inner_text()
    assert Referral.objects.get(case=case).vendor.category == "forensics"


def _add_cost(page: Any, item: str, amount: str) -> None:
    page.get_by_test_id("cost-item").select_option(item)
    page.get_by_test_id("cost-amount").fill(amount)
    page.get_by_test_id("cost-submit").click()
    page.wait_for_selector(f"[data-testid=cost-lines] td:has-text('{item}')")


def _handle(page: Any, base: str, words: dict[str, str], incident: Incident) -> ClaimPayment:
    """The handler opens the claim, enters the costs, reads the worksheet, decides and asks for a payment."""
    page.get_by_test_id("nav-claims").click()
    page.get_by_test_id(f"open-claim-{incident.pk}").click()
    page.wait_for_selector(f".messages li:has-text('{words['opened']}')")
    _add_cost(page, "RANSOM", "30,000,000")
    _add_cost(page, "EX_FORENSICS", "8,000,000")
    _add_cost(page, "EX_DATA_RESTORE", "4,000,000")
    _add_cost(page, "EX_CALL_CENTER", "2,000,000")
    assert page.get_by_test_id("payable-total").inner_text() == "13,900,000"
    assert page.get_by_test_id("deductible-applied").inner_text().startswith("100,000")
    ransom = page.get_by_test_id("ws-line-c1").inner_text()
    assert "X_RANSOM" in ransom and words["ransom"] in ransom
    assert "§3.6-4" in page.get_by_test_id("ws-steps").inner_text()  # the deductible step with its clause
    page.get_by_test_id("decision").select_option("pay")
    page.get_by_test_id("decision-notes-input").fill("身代金は免責（X_RANSOM）。その他は算定どおり支払う。")
    page.get_by_test_id("decision-submit").click()
    page.get_by_test_id("pay-amount").fill("13,900,000")
    page.get_by_test_id("pay-submit").click()
    page.wait_for_selector(f".messages li:has-text('{words['awaiting']}')")
    payment = ClaimPayment.objects.get()
    assert payment.status == "AWAITING_APPROVAL"
    assert page.get_by_test_id(f"approve-{payment.pk}").count() == 0  # never the requester
    return payment


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_ransomware_incident_at_night_is_reported_triaged_and_paid_in_the_browser(
    page: Any, live_server: Any, lang: str
) -> None:
    base, words = live_server.url, WORDS[lang]
    people = _people()
    _policy_started(people["holder"], days_ago=30)
    Vendor.objects.create(category="forensics", name="東京フォレンジック株式会社", phone="03-0000-0000", area="東京")
    Vendor.objects.create(category="pr", name="広報パートナーズ株式会社", area="東京")
    discovered = _last_two_am()

    page.goto(f"{base}/")
    if lang == "en":
        page.get_by_test_id("lang-en").click()
        page.wait_for_load_state()
    login(page, base, "holder")
    incident = _report(page, base, words, discovered)
    logout(page)

    login(page, base, "support")
    _triage(page, base, words, incident)
    logout(page)

    login(page, base, "claims")
    payment = _handle(page, base, words, incident)
    logout(page)

    login(page, base, "claims2")
    page.get_by_test_id("nav-claims").click()
    page.get_by_test_id(f"approve-{payment.pk}").click()
    page.wait_for_selector(f".messages li:has-text('{words['approved']}')")
    payment.refresh_from_db()
    assert (payment.status, payment.approved_by.username) == ("PAID", "claims2")
    logout(page)

    login(page, base, "holder")
    page.goto(f"{base}/incidents/{incident.pk}/")
    assert "13,900,000" in page.get_by_test_id("claims").inner_text()  # paid so far, on the incident page
    page.get_by_test_id("claim-link").click()
    assert page.get_by_test_id("claim-paid").inner_text().startswith("13,900,000")
    assert words["paid"] in page.get_by_test_id("payments").inner_text()
    assert page.get_by_test_id("payable-total").inner_text() == "13,900,000"
    assert "X_RANSOM" in page.get_by_test_id("worksheet").inner_text()
    assert page.get_by_test_id("claim-reserve").count() == 0  # reserves are for staff
    assert Claim.objects.get().decision == "PAY"
