"""The book's risk from the application: the in-force policies exported as a portfolio book the engine
reads (``mamori jobs export-book``), and the administrators' page that simulates the book and shows the
figures and plots of each run — reproducible by its seed, refused to everyone else."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.web.conftest import PASSWORD  # type: ignore[import-not-found]

from mamori import catalog as catalog_mod
from mamori.cli import main
from mamori.usecases import portfolio
from mamori.web.accounts import roles
from mamori.web.accounts import services as accounts
from mamori.web.accounts.models import Business
from mamori.web.audit.models import AuditEvent
from mamori.web.demo_incidents import policy_for
from mamori.web.portfolio import selectors, services
from mamori.web.portfolio.models import PortfolioRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(holder: User, holder2: User, business: Business, other_business: Business, today: dt.date) -> list[Any]:
    return [
        policy_for(user=holder, business=business, risk={"industry": "wholesale", "revenue": 500_000_000}, start=today,
                   today=today),
        policy_for(user=holder2, business=other_business,
                   risk={"industry": "retail", "revenue": 80_000_000, "bi_limit": 10_000_000, "measures": ["S01", "S04"]},
                   start=today, today=today),
    ]  # fmt: skip


def test_the_in_force_policies_are_exported_as_a_book_the_engine_reads(
    book: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "book.csv"
    assert main(["jobs", "export-book", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"policies": 2, "file": str(out)}
    version = catalog_mod.FolderCatalog().latest()
    read = portfolio.read_book(out, version)
    assert read.policy_id == tuple(sorted(p.number for p in book))
    by_number = {p.number: p for p in book}
    first = by_number[read.policy_id[0]].versions.get()
    assert (int(read.deductible[0]), int(read.annual_premium[0])) == (first.deductible_yen, first.annual_premium_yen)
    records = {r["policy_id"]: r for r in selectors.book_records()}
    assert sorted(r["security_measures"] for r in records.values()) == [2, version.rating.measure_reference_count]
    assert main(["jobs", "export-book", str(tmp_path / "book.xlsx")]) == 2  # a format named, nothing written
    assert not (tmp_path / "book.xlsx").exists()


def test_a_run_keeps_the_answer_and_plots_and_the_same_seed_gives_the_same_answer(book: list[Any], admin: User) -> None:
    first = services.portfolio_run(user=admin, years=2_000, seed=7)
    again = services.portfolio_run(user=admin, years=2_000, seed=7)
    assert first.answer == again.answer
    assert first.answer["policies"] == 2 and first.answer["aal"] > 0
    assert first.answer["aep"]["200"] >= first.answer["aep"]["10"]
    assert {(p.name, p.lang) for p in first.plots.all()} == {
        ("ep_curve", "ja"),
        ("ep_curve", "en"),
        ("loss_by_industry", "ja"),
        ("loss_by_industry", "en"),
    }
    assert bytes(first.plots.first().png).startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="portfolio.run").count() == 2


def test_bad_settings_are_named_and_nothing_is_kept(book: list[Any], admin: User) -> None:
    from mamori.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        services.portfolio_run(user=admin, years="たくさん")
    assert caught.value.errors[0].field == "years"
    with pytest.raises(InvalidInput):
        services.portfolio_run(user=admin, years=10**9)
    assert not PortfolioRun.objects.exists()


def test_administrators_run_and_see_it_by_page_and_no_one_else(
    book: list[Any], admin: User, holder: User, underwriter: User
) -> None:
    client = Client()
    client.login(username="admin", password=PASSWORD)
    page = client.get("/portfolio/")
    assert page.status_code == 200 and "ポートフォリオ" in page.content.decode()
    bad = client.post("/portfolio/", {"years": "0", "seed": ""})
    assert bad.status_code == 422 and 'data-field="years"' in bad.content.decode()
    r = client.post("/portfolio/", {"years": "2000", "seed": "11"})
    assert r.status_code == 302
    shown = client.get(r["Location"])
    run = PortfolioRun.objects.get()
    assert f"{run.answer['aep']['200']:,}" in shown.content.decode()
    assert "200年に1度" in shown.content.decode()
    plot = client.get(f"/portfolio/{run.pk}/ep_curve.png")
    assert plot.status_code == 200 and plot.content.startswith(b"\x89PNG")
    for user in (holder, underwriter):
        other = Client()
        other.login(username=user.username, password=PASSWORD)
        assert other.get("/portfolio/").status_code == 403
        assert other.get(f"/portfolio/{run.pk}/").status_code == 403
        assert other.get(f"/portfolio/{run.pk}/ep_curve.png").status_code == 403
        assert other.post("/portfolio/", {"years": "2000"}).status_code == 403
    assert PortfolioRun.objects.count() == 1
    assert Client().get("/portfolio/").status_code == 302  # to the login page


def test_administrators_choose_a_treaty_and_see_net_beside_gross(book: list[Any], admin: User) -> None:
    client = Client()
    client.login(username="admin", password=PASSWORD)
    page = client.get("/portfolio/").content.decode()
    assert 'name="treaty"' in page and 'value="sample-2025"' in page and "再保険特約の例" in page
    bad = client.post("/portfolio/", {"years": "2000", "seed": "11", "treaty": "surplus"})
    assert bad.status_code == 422 and 'data-field="treaty"' in bad.content.decode()
    assert "sample-2025" in bad.content.decode()  # the allowed treaties named
    assert not PortfolioRun.objects.exists()
    r = client.post("/portfolio/", {"years": "2000", "seed": "11", "treaty": "sample-2025"})
    assert r.status_code == 302
    run = PortfolioRun.objects.get()
    gross = services.portfolio_run(user=admin, years=2000, seed=11)
    a = run.answer
    assert {k: a[k] for k in ("aal", "aep", "oep", "tvar")} == {
        k: gross.answer[k] for k in ("aal", "aep", "oep", "tvar")
    }
    assert a["treaty"]["name"] == "sample-2025" and "net" not in gross.answer
    assert 0 < a["net"]["aal"] < a["gross"]["aal"]
    assert abs(a["gross"]["aal"] - a["ceded"]["aal"] - a["net"]["aal"]) <= 1
    shown = client.get(r["Location"]).content.decode()
    assert 'data-testid="portfolio-reinsurance"' in shown and "保有（正味）" in shown
    for view in ("gross", "ceded", "net"):
        assert f"{a[view]['aal']:,}" in shown
    assert f"{a['net']['aep']['200']:,}" in client.get("/portfolio/").content.decode()  # the list shows net 1-in-200
    assert [e.after["treaty"] for e in AuditEvent.objects.filter(action="portfolio.run").order_by("pk")] == [
        "sample-2025",
        None,
    ]


def test_the_page_counts_a_policy_starting_next_month_apart_from_those_in_force_today(
    book: list[Any], admin: User, holder: User, make_user: Any, today: dt.date
) -> None:
    later = today + dt.timedelta(days=40)
    firm = accounts.business_create(
        name="来月開業株式会社", entity="corporation", industry="retail", email="r@example.jp"
    )
    owner = make_user(roles.POLICYHOLDER, business=firm, name="opening")
    policy_for(user=owner, business=firm, risk={"industry": "retail", "revenue": 50_000_000}, start=later, today=today)
    assert selectors.book_counts(today=today) == (2, 1)
    assert len(selectors.book_records()) == 3  # the run simulates the whole book, the later start included
    client = Client()
    client.login(username="admin", password=PASSWORD)
    html = client.get("/portfolio/").content.decode()
    assert 'data-testid="portfolio-policies">2<' in html and 'data-testid="portfolio-starting-later">1<' in html
