"""The estimate page's own logic (``mamori.web.estimates``): the form read into an estimate document, the
answer split for the page, and the page itself rendered by its view for a preset and for invalid input.
The view is called directly as well as through the site's URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation

from mamori import catalog as catalog_mod
from mamori.estimate import answer
from mamori.usecases.estimate import estimate_loss
from mamori.web.estimates import views


@pytest.fixture
def installed() -> Iterator[None]:
    """Japanese as the page language."""
    with translation.override("ja"):
        yield


def form(**fields: str | list[str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def test_the_form_becomes_an_estimate_document_leaving_out_empty_fields() -> None:
    document, preset = views.estimate_document(
        form(preset="", industry="retail", revenue="500,000,000", employees="１２０", persons="8,000",
             categories=["name", "address"], response="", outage_hours="24", deductible="100000")
    )  # fmt: skip
    assert preset is None
    assert document == {
        "business": {"industry": "retail", "revenue": "500,000,000", "employees": 120},
        "records": [{"categories": ["name", "address"], "persons": 8000}],
        "outage_hours": 24,
        "plan": {"deductible": "100000"},
    }


def test_a_preset_picked_with_nothing_typed_is_the_preset_alone() -> None:
    assert views.estimate_document(form(preset="4", industry="", persons="")) == (None, "4")


def test_a_count_that_is_not_a_number_is_left_for_the_core_to_refuse() -> None:
    document, _ = views.estimate_document(form(categories=["name"], persons="many"))
    assert document == {"records": [{"categories": ["name"], "persons": "many"}]}


def test_the_page_splits_each_loss_kind_into_what_is_paid_and_what_is_not() -> None:
    result = estimate_loss(catalog_mod.FolderCatalog(), preset=4, today=dt.date(2026, 4, 1))
    view = views.result_view(answer.to_json_dict(result, "ja"), "ja")
    kinds = {k["key"]: (k["loss"], k["paid"], k["uninsured"]) for k in view["kinds"]}
    assert kinds == {
        "expense": (64_900_000, 30_000_000, 34_900_000),
        "liability": (0, 0, 0),
        "bi": (54_794_520, 0, 54_794_520),
        "uninsurable": (7_000_000, 0, 7_000_000),
    }
    assert (view["payout"], view["uninsured"], view["total"]) == (30_000_000, 96_694_520, 126_694_520)
    assert view["quote"] == {"industry": "construction", "revenue": 10_000_000_000, "liability_limit": 100_000_000,
                             "expense_limit": 30_000_000, "deductible": 100_000, "bi_limit": 0}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.usefixtures("installed")
def test_the_page_shows_a_preset_with_its_plans_and_a_button_to_quote_the_chosen_one() -> None:
    request = RequestFactory().get("/estimate/", {"preset": "4"})
    request.user = AnonymousUser()
    html = views.estimate_page(request).content.decode()
    assert "想定損害額の試算" in html
    assert "126,694,520" in html and "96,694,520" in html
    assert html.count('data-testid="estimate-chosen"') == 1
    assert 'data-testid="estimate-quote"' in html and 'name="industry" value="construction"' in html


_LEAK_WITH_OUTAGE = {
    "industry": "manufacturing", "revenue": "500000000", "persons": "1000", "categories": ["name", "address"],
    "outage_hours": "48", "liability_limit": "100000000", "expense_limit": "10000000", "deductible": "100000",
    "bi_limit": "10000000",
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.usefixtures("installed")
def test_the_page_shows_a_few_plans_and_why_a_loss_is_not_paid_and_the_incident_type_changes_it() -> None:
    def page(**extra: str) -> str:
        request = RequestFactory().post("/estimate/", {**_LEAK_WITH_OUTAGE, **extra})
        request.user = AnonymousUser()
        response = views.estimate_page(request)
        assert response.status_code == 200
        return response.content.decode()

    leak = page()
    shortlist = leak.split('data-testid="estimate-shortlist"', 1)[1].split("</table>", 1)[0]
    assert 3 <= shortlist.count("<tr") - 1 <= 5  # the header row, then the plans
    assert "補償を抑えたプラン" in shortlist and "お選びのプラン" in shortlist
    assert leak.count("<details") == leak.count("</details>")  # the whole comparison folded, nothing else
    assert "色付きの行がお選びのプランです" in leak.split('data-testid="estimate-all-plans"', 1)[0]
    unpaid = leak.split('data-testid="estimate-unpaid"', 1)[1].split("</div>", 1)[0]
    assert "利益損失" in unpaid and "この事故の種類では、この費目の補償は発動しません" in unpaid
    attack = page(accident_type="A1")
    assert 'data-testid="estimate-unpaid"' not in attack
    assert '<option value="A1" selected>' in attack  # the choice is kept


@pytest.mark.django_db
@pytest.mark.usefixtures("installed")
def test_the_page_lists_every_problem_of_the_form_with_status_422() -> None:
    request = RequestFactory().post("/estimate/", {"persons": "x", "categories": ["name"]})
    request.user = AnonymousUser()
    response = views.estimate_page(request)
    html = response.content.decode()
    assert response.status_code == 422
    assert "業種を入力してください" in html and "business.industry" not in html  # no internal name (issue 15)
    assert "被害を受けた人数は整数で入力してください" in html and "records[0]" not in html


@pytest.mark.django_db
def test_the_page_is_on_the_site_in_japanese_and_in_english() -> None:
    from django.test import Client

    client = Client()
    page = client.get("/estimate/?preset=4")
    assert page.status_code == 200 and "<h1>想定損害額の試算</h1>" in page.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/estimate/?preset=4")
    assert english.status_code == 200 and "<h1>Loss estimate</h1>" in english.content.decode()
