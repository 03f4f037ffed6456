"""A customer-grade experience (issue 15): the reader's language everywhere (labels, values, messages), one
date and yen format, the emergency line and "what to do now", the documents read before applying, the
意向確認, the holder's overview, a branded 404, the favicon and the font."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from tests.web import test_incident_pages as incident_pages  # type: ignore[import-not-found]
from tests.web.conftest import PASSWORD  # type: ignore[import-not-found]
from tests.web.test_incident_pages import last_night, ransomware  # type: ignore[import-not-found]

from mamori.errors import FieldError
from mamori.web.incidents import services as incidents
from mamori.web.incidents.models import Incident

pytestmark = pytest.mark.django_db
world = incident_pages.world  # the fixtures of the incident pages' tests
reported = incident_pages.reported
HOTLINE = "0120-000-000"  # support.toml [service] hotline of sme-cyber 2025-04


def login(user: User, lang: str = "ja") -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    client.cookies["django_language"] = lang
    return client


def render(text: str, lang: str, **context: Any) -> str:
    with translation.override(lang):
        return Template(text).render(Context(context))


# ------------------------------------------------------------------------------------------ language


def test_the_percent_labels_of_the_quote_form_are_translated() -> None:
    page = Client().get("/quote/").content.decode()
    assert "海外売上高の割合（%）" in page and "うち米国・カナダ（%）" in page
    assert "Overseas revenue share" not in page


@pytest.mark.parametrize(
    ("lang", "date", "moment"),
    [("ja", "2026年12月3日", "2026年12月3日 14:05"), ("en", "3 Dec 2026", "3 Dec 2026 14:05")],
)
def test_one_date_format_per_language(lang: str, date: str, moment: str) -> None:
    at = dt.datetime(2026, 12, 3, 5, 5, tzinfo=dt.UTC)  # 14:05 in Japan
    shown = render(
        "{{ d|when }}|{{ d }}|{{ s|when }}|{{ t|when:'time' }}", lang, d=dt.date(2026, 12, 3), s="2026-12-03", t=at
    )
    assert shown == f"{date}|{date}|{date}|{moment}"


@pytest.mark.parametrize(("lang", "shown"), [("ja", "13,300,000円"), ("en", "13,300,000 yen")])
def test_yen_with_separators_and_the_unit(lang: str, shown: str) -> None:
    assert render("{{ a|yen }}", lang, a=13_300_000) == shown


@pytest.mark.parametrize(
    ("value", "kind", "ja", "en"),
    [
        ("monthly", "payment", "月払（12回）", "Monthly (12 installments)"),
        ("due", "installment", "未払", "Due"),
        ("change", "version_reason", "中途変更", "Mid-term change"),
        ("issue", "version_reason", "新規発行", "Issue"),
    ],
)
def test_stored_values_are_shown_by_their_labels(value: str, kind: str, ja: str, en: str) -> None:
    got_ja = render("{{ v|choice:k }}", "ja", v=value, k=kind)
    got_en = render("{{ v|choice:k }}", "en", v=value, k=kind)
    assert got_en == en and got_ja != value and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", got_ja)


def test_a_customer_message_names_the_field_by_its_label_and_groups_amounts() -> None:
    error = FieldError("costs[0].amount", "E_RANGE", {"value": 13_300_000, "minimum": 1, "maximum": 10**15})
    plain = error.message("ja", plain=True)
    assert "costs" not in plain and "13,300,000" in plain
    assert "costs[0].amount" in error.message("ja")  # the API and the CLI keep the path
    typed = FieldError("amount", "E_PAYMENT_ABOVE_ALLOWED", {"value": "13300000", "allowed_amount": 1_000_000})
    assert "13,300,000円" in typed.message("ja", plain=True) and "1,000,000円" in typed.message("ja", plain=True)
    assert FieldError("revenue", "E_REQUIRED").message("en", plain=True).startswith("Annual revenue ")
    assert "(revenue)" not in FieldError("revenue", "E_REQUIRED").message("en", plain=True)


def test_a_quote_typed_in_man_and_oku_is_rated() -> None:
    page = Client().post("/quote/preview/", {"industry": "retail", "revenue": "8,000万円"}).content.decode()
    assert "premium-1" in page
    page = Client().post("/quote/preview/", {"industry": "retail", "revenue": "1億"}).content.decode()
    assert "premium-1" in page


def test_the_public_quote_form_ticks_no_security_measure_and_hides_the_factors() -> None:
    page = Client().get("/quote/").content.decode()
    assert not re.search(r'name="measures"[^>]*checked', page)
    assert '<details class="more" data-testid="factor-details">' in page  # behind 「詳しく」, closed


# ------------------------------------------------------------------------------------------ trust


def test_the_incident_pages_and_the_dashboard_show_the_hotline_and_what_to_do(
    world: dict[str, Any], reported: Incident, holder: User
) -> None:
    client = login(holder)
    for url in ("/incidents/new/", f"/incidents/{reported.pk}/", "/dashboard/"):
        page = client.get(url).content.decode()
        assert HOTLINE in page and 'data-testid="what-to-do"' in page, url
        assert "いますぐ行うこと" in page
    dashboard = client.get("/dashboard/").content.decode()
    assert "事故を報告する" in dashboard and 'data-testid="open-incidents"' in dashboard
    assert f"/incidents/{reported.pk}/" in dashboard  # the open incident is listed
    assert 'data-testid="next-payment"' in dashboard


def test_every_incident_e_mail_carries_the_hotline_and_a_link(
    world: dict[str, Any], holder: User, today: dt.date, mail_outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    world["policy"].business.email = "owner@example.jp"
    world["policy"].business.save()
    with django_capture_on_commit_callbacks(execute=True):
        incident, _ = incidents.incident_submit(
            user=holder, policy_number=world["policy"].number, block=ransomware(last_night(today))
        )
    body = mail_outbox[-1].body
    assert HOTLINE in body and f"/incidents/{incident.pk}/" in body and "What to do now" in body


def test_a_discovery_in_the_future_is_refused(world: dict[str, Any], holder: User, today: dt.date) -> None:
    from mamori.errors import InvalidInput

    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        incidents.incident_submit(user=holder, policy_number=world["policy"].number, block=ransomware(tomorrow))
    assert [e.code for e in caught.value.errors] == ["E_FUTURE"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_disclosure_and_the_terms_are_pages_from_the_product_data(lang: str) -> None:
    client = Client()
    client.cookies["django_language"] = lang
    disclosure = client.get("/disclosure/").content.decode()
    assert ("契約概要" if lang == "ja" else "Contract summary") in disclosure
    assert ("注意喚起情報" if lang == "ja" else "Important warnings") in disclosure
    assert HOTLINE in disclosure and ("1億円" if lang == "ja" else "100,000,000 yen") in disclosure
    terms = client.get("/terms/")
    assert terms.status_code == 200 and "§3.2" in terms.content.decode()
    pdf = client.get("/disclosure.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_certificate_shows_the_hotline() -> None:
    from mamori import catalog
    from mamori.support import emergency

    terms = catalog.FolderCatalog().latest().support
    assert emergency.hotline_line(terms, "ja") == f"24時間緊急ダイヤル {HOTLINE}"
    assert len(emergency.what_to_do(terms, "en")) == emergency.STEPS
    assert HOTLINE in emergency.email_footer(terms, "https://example.jp/x")


# ------------------------------------------------------------------------------------------ polish


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_missing_page_is_branded(lang: str) -> None:
    client = Client()
    client.cookies["django_language"] = lang
    r = client.get("/no-such-page/")
    page = r.content.decode()
    assert r.status_code == 404 and 'class="brand"' in page
    assert ("ページが見つかりません" if lang == "ja" else "Page not found") in page
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404 and api.json()["errors"][0]["code"] == "E_NOT_FOUND"


def test_the_favicon_the_skip_link_and_the_font_first_and_preloaded() -> None:
    page = Client().get("/").content.decode()
    assert 'rel="icon"' in page and 'class="skip"' in page
    assert re.search(r'rel="preload" href="[^"]*ipaexg\.ttf" as="font"', page)
    from django.contrib.staticfiles import finders

    css = open(finders.find("mamori/mamori.css"), encoding="utf-8").read()  # noqa: SIM115
    assert re.search(r'body \{[^}]*font-family: "Mamori IPAexGothic",', css)


# ------------------------------------------------------------------------------------------ pages that help


def test_the_underwriting_page_reads_the_risk_in_words_with_a_suggested_premium(
    holder: User, underwriter: User, today: dt.date
) -> None:
    customer = Client()
    quoted = customer.post("/quote/", {"industry": "wholesale", "revenue": "500億", "start": today.isoformat()})
    assert quoted.status_code == 302
    assert customer.login(username="holder", password=PASSWORD)
    from mamori.web.quotes.models import Quote

    quote = Quote.objects.get()
    r = customer.post(f"/quotes/{quote.pk}/apply/", {"start": today.isoformat(), "payment": "monthly", "consent": "on"})
    assert r.status_code == 422 and 'data-field="intent"' in r.content.decode()  # 意向確認 is asked
    r = customer.post(
        f"/quotes/{quote.pk}/apply/",
        {"start": today.isoformat(), "payment": "monthly", "consent": "on", "intent": "on"},
    )
    from mamori.web.applications.models import Application

    app = Application.objects.get()
    page = login(underwriter).get(f"/underwriting/{app.pk}/").content.decode()
    assert 'data-testid="uw-suggested"' in page and re.search(r"<strong>[\d,]+円</strong>", page)
    assert "50,000,000,000円" in page and "卸売" in page  # the revenue and the industry in words
    assert "measures None" not in page and "pd_rider" not in page and "<th>revenue</th>" not in page


def test_a_change_is_previewed_before_it_is_made_and_a_no_op_is_refused(
    holder: User, business: Any, today: dt.date
) -> None:
    from mamori.web.demo_incidents import policy_for
    from mamori.web.policies.models import PolicyVersion

    policy = policy_for(
        user=holder,
        business=business,
        risk={"industry": "wholesale", "revenue": 500_000_000},
        start=today - dt.timedelta(days=10),
        today=today,
    )
    client = login(holder)
    url = f"/policies/{policy.number}/change/"
    preview = client.post(url, {"effective_date": today.isoformat(), "bi_limit": "10000000", "step": "preview"})
    page = preview.content.decode()
    assert preview.status_code == 200 and 'data-testid="preview-after"' in page and "+" in page
    assert PolicyVersion.objects.filter(policy=policy).count() == 1  # nothing made yet
    assert 'name="bi_limit" value="10000000"' in page and 'data-testid="ch-confirm"' in page
    client.post(url, {"effective_date": today.isoformat(), "bi_limit": "10000000"})
    assert PolicyVersion.objects.filter(policy=policy).count() == 2
    same = client.post(url, {"effective_date": today.isoformat(), "bi_limit": "10000000", "step": "preview"})
    assert same.status_code == 302 and PolicyVersion.objects.filter(policy=policy).count() == 2
    assert "変更" in client.get(same["Location"]).content.decode()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_certificate_carries_the_hotline_and_what_to_do(
    holder: User, business: Any, today: dt.date, lang: str
) -> None:
    import io

    from pypdf import PdfReader

    from mamori.web.demo_incidents import policy_for

    policy = policy_for(
        user=holder, business=business, risk={"industry": "wholesale", "revenue": 500_000_000}, start=today, today=today
    )
    pdf = login(holder).get(f"/policies/{policy.number}/certificate/?lang={lang}")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert HOTLINE in text
    assert ("いますぐ行うこと" if lang == "ja" else "What to do now") in text.replace("\n", "")


def test_the_command_line_the_api_and_the_form_read_8000_man_alike() -> None:
    """One input path: 8,000万円 is 80,000,000 yen whether typed on the form, sent to the API or given to the CLI."""
    import json
    import subprocess
    import sys

    start = dt.date(2026, 4, 1).isoformat()
    args = ["quote", "--industry", "wholesale", "--revenue", "8000万", "--start", start, "--security-measures", "0"]
    cli = subprocess.run(
        [sys.executable, "-m", "mamori.cli", *args, "--json"],
        capture_output=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    by_cli = json.loads(cli.stdout)
    api = Client().post(
        "/api/v1/quotes",
        {"industry": "wholesale", "revenue": "8,000万円", "start": start, "security_measures": 0},
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    assert by_cli["inputs"]["revenue"] == api.json()["inputs"]["revenue"] == 80_000_000
    assert by_cli["monthly_premium"] == api.json()["monthly_premium"]
    # The form declares no measure unless the customer ticks one (nothing is pre-ticked).
    form = Client().post("/quote/preview/", {"industry": "wholesale", "revenue": "8000万", "start": start})
    assert f"{by_cli['monthly_premium']:,}" in form.content.decode()


def test_the_api_records_the_intent_when_it_is_given(holder: User, api: Any, today: dt.date) -> None:
    from mamori.web.applications.models import Application

    customer = api(holder)
    quote = customer.post("/quotes", {"industry": "wholesale", "revenue": "5億", "start": today.isoformat()}).json()
    body = {"quote_id": quote["id"], "start": today.isoformat(), "payment": "monthly", "consent": True}
    refused = customer.post("/applications", {**body, "intent": False})
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "E_INTENT"
    made = customer.post("/applications", {**body, "intent": True})
    assert made.status_code == 201
    assert Application.objects.get(pk=made.json()["id"]).intent_confirmed_at is not None
    unasked = customer.post("/applications", body)  # an interface that does not ask it records nothing
    assert Application.objects.get(pk=unasked.json()["id"]).intent_confirmed_at is None


def test_the_quote_made_from_an_estimate_costs_what_its_plan_showed() -> None:
    client = Client()
    page = client.get("/estimate/", {"preset": "4"}).content.decode()
    form = page.split('data-testid="estimate-quote"', 1)[1].split("</form>", 1)[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', form))
    chosen = page.split('data-testid="estimate-chosen"', 1)[1].split("</tr>", 1)[0]
    shown = [int(v.replace(",", "")) for v in re.findall(r'<td class="yen">([\d,]+)</td>', chosen)]
    r = client.post("/quote/", hidden)
    assert r.status_code == 302, r.content.decode()[:500]
    from mamori.web.quotes.models import Quote

    assert Quote.objects.get().monthly_premium_yen in shown  # the plan's monthly premium
