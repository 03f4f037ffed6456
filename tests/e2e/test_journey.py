"""A new customer in a real browser: quote → register → apply → referral → an underwriter approves →
bind → certificate → staff record a payment → change → cancel; in Japanese and in English."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from tests.e2e.conftest import PASSWORD, login, logout  # type: ignore[import-not-found]

from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.policies.models import Policy
from mamori.web.productdb import selectors as productdb

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {
        "referred": "要審査",
        "applied": "引受審査中",
        "approved": "承認済",
        "issued": "発行しました",
        "recorded": "記録しました",
        "changed": "変更しました",
        "cancelled": "解約しました",
        "status_cancelled": "解約",
    },
    "en": {
        "referred": "Referred",
        "applied": "Referred to underwriting",
        "approved": "Approved",
        "issued": "was issued",
        "recorded": "was recorded",
        "changed": "The change was made",
        "cancelled": "was cancelled",
        "status_cancelled": "Cancelled",
    },
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_new_customer_goes_from_quote_to_cancellation_in_the_browser(  # noqa: PLR0915 - one journey, read top to bottom
    page: Any, live_server: Any, lang: str
) -> None:
    base = live_server.url
    words = WORDS[lang]
    staff: dict[str, User] = {
        name: accounts.user_create(username=name, password=PASSWORD, role=role)
        for name, role in (("uw", roles.UNDERWRITER), ("billing", roles.ADMINISTRATOR))
    }
    assert staff
    today = productdb.catalog().latest().today()

    # 1. The public quote page, in the chosen language; the premium updates as the inputs change.
    page.goto(f"{base}/quote/")
    if lang == "en":
        page.get_by_test_id("lang-en").click()
        page.wait_for_load_state()
    page.get_by_test_id("industry").select_option("retail")
    page.get_by_test_id("revenue").fill("500,000,000")
    page.get_by_test_id("liability_limit").select_option("30000000")
    page.get_by_test_id("bi_limit").select_option("30000000")
    page.get_by_test_id("expense_limit").select_option("30000000")
    for measure in ("S01", "S02", "S03", "S04", "S05"):  # nothing is pre-ticked: the customer declares them
        page.get_by_test_id(f"measure-{measure}").check()
    page.wait_for_selector("[data-testid=premium-1]:has-text('7,430')")
    page.get_by_test_id("industry").select_option("information_communications")
    page.wait_for_selector(f"[data-testid=quote-status]:has-text('{words['referred']}')")
    page.get_by_test_id("save-quote").click()
    page.wait_for_url(re.compile(r".*/quotes/.*"))

    # 2. Apply: a new customer registers on the way.
    page.get_by_test_id("apply").click()
    page.get_by_test_id("to-signup").click()
    page.get_by_test_id("su-username").fill(f"newcomer-{lang}")
    page.get_by_test_id("su-password").fill(PASSWORD)
    page.get_by_test_id("su-name").fill("株式会社テスト商会" if lang == "ja" else "Test Trading KK")
    page.get_by_test_id("su-submit").click()
    page.wait_for_url(re.compile(r".*/apply/.*"))
    page.get_by_test_id("ap-start").fill(today.isoformat())
    page.get_by_test_id("ap-submit").click()  # without consent: refused, nothing lost
    assert page.locator("[data-field=consent]").is_visible()
    assert page.get_by_test_id("ap-start").input_value() == today.isoformat()
    page.get_by_test_id("ap-intent").check()
    page.get_by_test_id("ap-consent").check()
    page.get_by_test_id("ap-submit").click()
    page.wait_for_selector(f"[data-testid=application-status]:has-text('{words['applied']}')")
    application_url = page.url
    logout(page)

    # 3. The underwriter approves with a premium and a reason.
    login(page, base, "uw")
    page.goto(f"{base}/underwriting/")
    page.locator("a[data-testid^=review-]").first.click()
    page.get_by_test_id("uw-decision").select_option("approve")
    page.get_by_test_id("uw-premium").fill("12,000")
    page.get_by_test_id("uw-reason").fill("MFA and offline backups confirmed by telephone")
    page.get_by_test_id("uw-submit").click()
    page.wait_for_url(re.compile(r".*/underwriting/$"))
    logout(page)

    # 4. The customer binds and downloads the certificate.
    login(page, base, f"newcomer-{lang}")
    page.goto(application_url)
    page.wait_for_selector(f"[data-testid=application-status]:has-text('{words['approved']}')")
    page.get_by_test_id("bind").click()
    page.wait_for_selector(f".messages li:has-text('{words['issued']}')")
    number = page.get_by_test_id("policy-number").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("certificate").click()
    pdf = download.value.path()
    with open(pdf, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    policy_url = page.url
    logout(page)

    # 5. Billing staff record the first installment.
    login(page, base, "billing")
    page.goto(f"{base}/payments/")
    page.get_by_test_id("pay-policy").fill(number)
    page.get_by_test_id("pay-amount").fill("12000")
    page.get_by_test_id("pay-date").fill(today.isoformat())
    page.get_by_test_id("pay-ref").fill(f"BANK-{lang}-1")
    page.get_by_test_id("pay-submit").click()
    page.wait_for_selector(f".messages li:has-text('{words['recorded']}')")
    logout(page)

    # 6. The customer adds the business-interruption option, then cancels.
    login(page, base, f"newcomer-{lang}")
    page.goto(policy_url)
    page.get_by_test_id("ch-date").fill(today.isoformat())
    page.get_by_test_id("ch-bi").select_option("10000000")
    page.get_by_test_id("ch-submit").click()
    page.get_by_test_id("change-preview").wait_for()  # the new premium and the difference, before committing
    page.get_by_test_id("ch-confirm").click()
    page.wait_for_selector(".messages li")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("cx-date").fill((today + dt.timedelta(days=1)).isoformat())
    page.get_by_test_id("cx-submit").click()
    page.wait_for_selector(f".messages li:has-text('{words['cancelled']}')")
    assert words["status_cancelled"] in page.get_by_test_id("policy-status").inner_text()
    assert Policy.objects.get(number=number).status == "CANCELLED"
