"""The pages as a user meets them: Japanese first with an English switch, the live quote, errors next to
their field with everything typed kept, and the journey quote → apply → underwriting → bind by page."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.web.conftest import PASSWORD  # type: ignore[import-not-found]

from mamori.web.applications.models import Application
from mamori.web.policies.models import Policy
from mamori.web.quotes.models import Quote

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_pages_are_japanese_first_with_an_english_switch() -> None:
    client = Client()
    page = client.get("/quote/").content.decode()
    assert "お見積り" in page and "公表保険料" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/quote/"})
    page = client.get("/quote/").content.decode()
    assert "Get a quote" in page and "Published monthly premiums" in page
    assert "7,920" in page and "27,250" in page  # the published table beside the form


def test_the_quote_preview_updates_with_the_inputs_and_explains_a_referral() -> None:
    client = Client()
    quoted = client.post(
        "/quote/preview/",
        {
            "industry": "retail",
            "revenue": "500,000,000",
            "liability_limit": "30000000",
            "expense_limit": "30000000",
            "bi_limit": "30000000",
            "deductible": "100000",
            "payment": "monthly",
            "measures": ["S01", "S02", "S03", "S04", "S05"],
        },
    )
    assert "7,430" in quoted.content.decode()
    referred = client.post("/quote/preview/", {"industry": "utilities", "revenue": "1"}).content.decode()
    assert 'data-code="R_INDUSTRY"' in referred and "引受審査" in referred
    assert "<code>R_INDUSTRY</code>" not in referred  # codes are not shown to a customer (issue 15)
    invalid = client.post("/quote/preview/", {"industry": "retail", "revenue": "500,00"}).content.decode()
    # The field by its label, never its internal name (issue 15).
    assert "年間売上高" in invalid and "500,00" in invalid and "revenue" not in invalid


def test_an_invalid_quote_shows_the_error_next_to_its_field_keeps_the_input_and_saves_nothing() -> None:
    r = Client().post("/quote/", {"industry": "retail", "revenue": "5億円万", "overseas_share": "12.34567"})
    assert r.status_code == 422
    page = r.content.decode()
    assert 'data-field="revenue"' in page and 'data-field="overseas_share"' in page
    assert 'value="5億円万"' in page and 'value="12.34567"' in page
    assert Quote.objects.count() == 0


def test_the_journey_by_page_quote_apply_referral_approval_bind(
    holder: User, underwriter: User, today: dt.date
) -> None:
    customer = Client()
    r = customer.post("/quote/", {"industry": "finance_insurance", "revenue": "900000000", "payment": "monthly"})
    assert r.status_code == 302
    quote = Quote.objects.get()
    assert customer.get(r["Location"]).status_code == 200
    assert customer.login(username="holder", password=PASSWORD)
    missing = customer.post(f"/quotes/{quote.pk}/apply/", {"start": today.isoformat(), "payment": "monthly"})
    assert missing.status_code == 422 and 'data-field="consent"' in missing.content.decode()
    assert Application.objects.count() == 0
    r = customer.post(
        f"/quotes/{quote.pk}/apply/",
        {"start": today.isoformat(), "payment": "monthly", "consent": "on", "intent": "on"},
    )
    assert r.status_code == 302
    app = Application.objects.get()
    assert app.status == "REFERRED"
    assert app.intent_confirmed_at is not None  # 意向確認 recorded with the application (issue 15)

    staff = Client()
    assert staff.login(username="underwriter", password=PASSWORD)
    assert str(app.pk) in staff.get("/underwriting/").content.decode()
    r = staff.post(f"/underwriting/{app.pk}/", {"decision": "approve", "reason": "", "monthly_premium": "12000"})
    assert r.status_code == 422 and 'data-field="reason"' in r.content.decode()
    r = staff.post(
        f"/underwriting/{app.pk}/",
        {"decision": "approve", "reason": "EDR and MFA confirmed", "monthly_premium": "12,000"},
    )
    assert r.status_code == 302
    app.refresh_from_db()
    assert (app.status, app.monthly_premium_yen, app.decided_by) == ("APPROVED", 12000, underwriter)

    r = customer.post(f"/applications/{app.pk}/bind/")
    policy = Policy.objects.get()
    assert r["Location"].endswith(f"/policies/{policy.number}/")
    page = customer.get(r["Location"]).content.decode()
    assert policy.number in page and "12,000" in page
    pdf = customer.get(f"/policies/{policy.number}/certificate/?lang=en")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_web_catalogue_of_translations_is_complete_and_compiled() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
