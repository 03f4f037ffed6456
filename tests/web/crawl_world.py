"""The pages a crawl visits as each role (issue 15), with the data they show, and the tokens that must never
reach a reader: shared by the browser crawl (tests/e2e/test_crawl.py) and the server-side text crawl."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.models import User

from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.applications import services as applications
from mamori.web.claimsdesk import services as claims
from mamori.web.demo_incidents import policy_for
from mamori.web.incidents import services as incidents
from mamori.web.productdb import selectors as productdb
from mamori.web.quotes import services as quotes

PASSWORD = "correct-horse-battery-7"

#: Stored values and internal names that must never reach a reader (codes stay in <code> for staff).
RAW_ANY = re.compile(
    r"\b(?:IN_FORCE|SUBMITTED|AWAITING_APPROVAL|REFERRED|APPROVED|BOUND|DECIDED|None(?!\.| yet)|True|False|"
    r"[a-z]+_[a-z_]+|[a-z]+\[\d+\]|illustrative:)\b"
)
RAW_JA = re.compile(r"\b(?:monthly|annual|due|issue|change|referred|quoted|declined|corporation|sole_proprietor)\b")
#: Three English words in a row on a Japanese page: a label left untranslated.
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}\b")


def world() -> dict[str, Any]:
    today = productdb.catalog().latest().today()
    business = accounts.business_create(name="株式会社まもり商事", entity="corporation", industry="wholesale")
    people: dict[str, User] = {
        "holder": accounts.user_create(
            username="holder", password=PASSWORD, role=roles.POLICYHOLDER, business=business
        ),
        "underwriter": accounts.user_create(username="underwriter", password=PASSWORD, role=roles.UNDERWRITER),
        "support": accounts.user_create(username="support", password=PASSWORD, role=roles.SUPPORT_DESK, team="tokyo"),
        "claims": accounts.user_create(username="claims", password=PASSWORD, role=roles.CLAIMS_HANDLER, team="tokyo"),
        "admin": accounts.user_create(username="admin", password=PASSWORD, role=roles.ADMINISTRATOR),
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
    from mamori.web.servicing import services as servicing

    # Cover widened while an incident is open: referred to an underwriter.
    referred_change = servicing.policy_change(
        user=people["holder"], number=policy.number, effective_date=today.isoformat(), changes={"bi_limit": 10_000_000}
    )
    assert type(referred_change).__name__ == "ChangeRequest"
    return {
        "people": people,
        "pages": {
            None: [
                "/",
                "/quote/",
                "/estimate/",
                "/estimate/?preset=4",
                "/disclosure/",
                "/terms/",
                "/accounts/login/",
                "/signup/",
                "/nope/",
            ],
            "holder": [
                "/dashboard/",
                f"/policies/{policy.number}/",
                "/incidents/",
                "/incidents/new/",
                f"/incidents/{incident.pk}/",
                f"/claims/{claim.pk}/",
                f"/quotes/{referred.pk}/",
            ],
            "underwriter": [
                "/dashboard/",
                "/underwriting/",
                f"/underwriting/{app.pk}/",
                f"/underwriting/changes/{referred_change.pk}/",
            ],
            "support": ["/desk/", f"/desk/cases/{incident.case.pk}/"],
            "claims": ["/claims/", f"/claims/{claim.pk}/"],
            "admin": ["/policies/", f"/policies/{policy.number}/", "/payments/"],
        },
    }
