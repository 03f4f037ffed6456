"""The loss-estimate page (想定損害額) in a real browser, in Japanese and in English: a preset of the page's
incidents, the loss by kind and what the plan pays, the plans compared, one's own business described (with
a mistake first), and on to a quote of the chosen plan."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {"title": "想定損害額の試算", "quote_title": "お見積り"},
    "en": {"title": "Loss estimate", "quote_title": "Quote"},
}


def _yen(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_customer_estimates_an_incident_compares_plans_and_goes_on_to_quote(
    page: Any, live_server: Any, lang: str
) -> None:
    words = WORDS[lang]
    page.goto(f"{live_server.url}/")
    if lang == "en":
        page.get_by_test_id("lang-en").click()
    page.get_by_test_id("nav-estimate").click()
    page.wait_for_url(re.compile(r".*/estimate/"))
    assert page.locator("h1").inner_text() == words["title"]

    # the page's incident 4: servers encrypted (ransomware), the reference plan
    page.get_by_test_id("preset").select_option("4")
    page.get_by_test_id("estimate-submit").click()
    result = page.get_by_test_id("estimate-result")
    result.wait_for()
    total = _yen(page.get_by_test_id("estimate-total").inner_text())
    payout = _yen(page.get_by_test_id("estimate-payout").inner_text())
    uninsured = _yen(page.get_by_test_id("estimate-uninsured").inner_text())
    assert (total, payout, uninsured) == (126_694_520, 30_000_000, 96_694_520)
    assert 3 <= page.get_by_test_id("estimate-shortlist").locator("tbody tr").count() <= 5
    assert page.get_by_test_id("estimate-plans").locator("tbody tr").count() > 5  # every plan, folded away
    assert page.get_by_test_id("estimate-chosen").count() == 1

    # one's own business: a mistake is named, then the estimate
    page.get_by_test_id("preset").select_option("")
    page.get_by_test_id("industry").select_option("retail")
    page.get_by_test_id("revenue").fill("80,000,000")
    page.get_by_test_id("persons").fill("たくさん")
    page.locator("input[name=categories][value=name]").check()
    page.locator("input[name=categories][value=address]").check()
    page.get_by_test_id("estimate-submit").click()
    page.get_by_test_id("estimate-errors").wait_for()
    assert page.get_by_test_id("revenue").input_value() == "80,000,000"  # nothing typed is lost
    page.get_by_test_id("persons").fill("5000")
    page.get_by_test_id("estimate-submit").click()
    page.get_by_test_id("estimate-result").wait_for()
    own_total = _yen(page.get_by_test_id("estimate-total").inner_text())
    own_payout = _yen(page.get_by_test_id("estimate-payout").inner_text())
    own_uninsured = _yen(page.get_by_test_id("estimate-uninsured").inner_text())
    assert own_total > 0 and own_payout + own_uninsured == own_total

    # on to a quote of the chosen plan
    page.get_by_test_id("estimate-quote").locator("button").click()
    page.wait_for_url(re.compile(r".*/quotes/[0-9a-f-]+/"))
    assert words["quote_title"] in page.content()
