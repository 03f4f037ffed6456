"""A crawl of the main pages as each role, in Japanese and in English, at a desk (1366 px) and on a phone
(390 px) — issue 15. Every page: answered without error, no horizontal overflow (scrollWidth ≤ innerWidth),
no console error, no failed request, no raw stored value or internal field name in the text, no English
sentence on a Japanese page; and axe-core (bundled by axe-playwright-python, offline) finds no serious or
critical violation. ``MAMORI_SCREENSHOTS=docs/img`` also saves a screenshot of each page for the README."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from tests.e2e.conftest import PASSWORD  # type: ignore[import-not-found]

from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.applications import services as applications
from mamori.web.claimsdesk import services as claims
from mamori.web.demo_incidents import policy_for
from mamori.web.incidents import services as incidents
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes import services as quotes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desk": (1366, 900), "phone": (390, 844)}
SHOTS = os.environ.get("MAMORI_SCREENSHOTS", "")

#: Stored values and internal names that must never reach a reader (codes stay in <code> for staff).
RAW_ANY = re.compile(
    r"\b(?:IN_FORCE|SUBMITTED|AWAITING_APPROVAL|REFERRED|APPROVED|BOUND|DECIDED|None|True|False|"
    r"[a-z]+_[a-z_]+|[a-z]+\[\d+\]|illustrative:)\b"
)
RAW_JA = re.compile(r"\b(?:monthly|annual|due|issue|change|referred|quoted|declined|corporation|sole_proprietor)\b")
#: Three English words in a row on a Japanese page: a label left untranslated.
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}\b")
#: The words of the page's text, without the staff's <code> details, the user's own entries and the brand.
TEXT_JS = """() => {
  const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('code, input, textarea, select, [data-user-text]').forEach(e => e.remove());
  return main.innerText;
}"""


def _world() -> dict[str, Any]:
    today = productdb.catalog().latest().today()
    business = accounts.business_create(name="株式会社まもり商事", entity="corporation", industry="wholesale")
    people: dict[str, User] = {
        "holder": accounts.user_create(
            username="holder", password=PASSWORD, role=roles.POLICYHOLDER, business=business
        ),
        "underwriter": accounts.user_create(username="underwriter", password=PASSWORD, role=roles.UNDERWRITER),
        "support": accounts.user_create(username="support", password=PASSWORD, role=roles.SUPPORT_DESK, team="tokyo"),
        "claims": accounts.user_create(username="claims", password=PASSWORD, role=roles.CLAIMS_HANDLER, team="tokyo"),
    }
    policy = policy_for(
        user=people["holder"],
        business=business,
        risk={"industry": "wholesale", "revenue": 500_000_000},
        start=today - dt.timedelta(days=10),
        today=today,
    )
    discovered = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    incident, _ = incidents.incident_submit(
        user=people["holder"],
        policy_number=policy.number,
        block={
            "accident_types": ["A1", "A2"],
            "discovered_at": discovered.isoformat(),
            "country": "JP",
            "attack_confirmed": True,
            "culprit": "external",
            "affected_persons": 3400,
            "affected_businesses": 0,
            "personal_data": {"improper_purpose": True},
        },
        summary="サーバーが暗号化され、身代金を要求された",
        data_description="顧客名簿 3,400件",
    )
    claim, _ = claims.claim_open(
        user=people["claims"],
        incident_id=incident.pk,
        costs=[{"item": "RANSOM", "amount": 30_000_000}, {"item": "EX_FORENSICS", "amount": 8_000_000}],
    )
    referred, _ = quotes.quote_create(
        raw={"industry": "wholesale", "revenue": 50_000_000_000, "start": today.isoformat()},
        user=people["holder"],
        business=business,
    )
    app = applications.application_submit(
        user=people["holder"], quote=referred, start=today.isoformat(), payment="monthly", consent=True
    )
    return {
        "people": people,
        "pages": {
            None: ["/", "/quote/", "/estimate/", "/disclosure/", "/terms/", "/accounts/login/", "/signup/", "/nope/"],
            "holder": [
                "/dashboard/",
                f"/policies/{policy.number}/",
                "/incidents/",
                "/incidents/new/",
                f"/incidents/{incident.pk}/",
                f"/claims/{claim.pk}/",
                f"/quotes/{referred.pk}/",
            ],
            "underwriter": ["/dashboard/", "/underwriting/", f"/underwriting/{app.pk}/"],
            "support": ["/desk/", f"/desk/cases/{incident.case.pk}/"],
            "claims": ["/claims/", f"/claims/{claim.pk}/"],
        },
    }


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r".*/dashboard/.*"))


def _check(page: Any, base: str, url: str, lang: str, width: str, axe: Any, role: str | None) -> list[str]:
    problems: list[str] = []
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: seen.append(f"request failed: {r.url}"))
    page.on(
        "response",
        lambda r: seen.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 and r.url != f"{base}{url}" else None,
    )
    response = page.goto(f"{base}{url}")
    page.wait_for_load_state("networkidle")
    status = response.status if response is not None else 0
    if status >= 400 and url != "/nope/":
        problems.append(f"HTTP {status}")
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        problems.append(f"overflow {scroll} > {inner}")
    text = page.evaluate(TEXT_JS)
    for found in sorted(set(RAW_ANY.findall(text))):
        problems.append(f"raw token {found!r}")
    if lang == "ja":
        problems.extend(f"raw token {found!r}" for found in sorted(set(RAW_JA.findall(text))))
        problems.extend(f"English on a Japanese page: {found!r}" for found in sorted(set(ENGLISH_RUN.findall(text))))
    problems.extend(seen)
    if axe is not None:
        result = axe.run(page, options={"resultTypes": ["violations"], "runOnly": ["wcag2a", "wcag2aa"]})
        for v in result.response["violations"]:
            if v.get("impact") in ("serious", "critical"):
                targets = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"axe {v['impact']} {v['id']}: {targets}")
    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", f"{role or 'public'}{url}".lower()).strip("-")
        name = re.sub(r"-[0-9a-f]{8}-[0-9a-f-]{27}", "", name)
        page.screenshot(path=str(folder / f"{name}-{lang}-{width}.png"), full_page=False)
    return [f"{role or 'public'} {lang} {width} {url}: {p}" for p in problems]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_main_page_reads_well_at_a_desk_and_on_a_phone(browser: Any, live_server: Any, lang: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    world = _world()
    axe = Axe()
    problems: list[str] = []
    for role, urls in world["pages"].items():
        for width, (w, h) in WIDTHS.items():
            context = browser.new_context(
                locale="ja-JP" if lang == "ja" else "en-GB", viewport={"width": w, "height": h}
            )
            context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
            page = context.new_page()
            page.set_default_timeout(20_000)
            if role is not None:
                _login(page, live_server.url, world["people"][role].get_username())
            for url in urls:
                problems += _check(page, live_server.url, url, lang, width, axe if width == "desk" else None, role)
                page.close()
                page = context.new_page()
            context.close()
    assert not problems, "\n".join(problems)
