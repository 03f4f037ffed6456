"""The insurer's books in the application (product.md §8, interfaces.md §2 /api/v1/books/…): from the demo's
policies and claims, premium, triangles, reserves and the monthly close, for administrators only; every
figure recomputed here from the records by other means."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from mamori import books
from mamori.cli import main
from mamori.web import demo
from mamori.web.books import selectors
from mamori.web.claimsdesk.models import Claim, LedgerEntry
from mamori.web.policies.models import Policy, PolicyVersion

pytestmark = pytest.mark.django_db

JST = selectors.JST


@pytest.fixture
def loaded() -> User:
    demo.load(out=io.StringIO())
    return User.objects.get(username="admin")


def _today() -> dt.date:
    return timezone.now().astimezone(JST).date()


def test_premium_and_claims_books_from_the_records(loaded: User, api: Callable[..., Any]) -> None:
    _claims_books_agree_with_the_ledger_and_the_reserves(loaded, api)
    _the_demo_history_develops(loaded, api)
    as_of = _today()
    answer = api(loaded).get(f"/books/premium?as_of={as_of.isoformat()}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    expected_written = expected_earned = 0
    for policy in Policy.objects.all():
        issue = policy.versions.get(number=1)
        w = 12 * issue.monthly_premium_yen if policy.payment == "monthly" else issue.annual_premium_yen
        assert not policy.versions.exclude(reason=PolicyVersion.Reason.ISSUE).exists()  # the demo changes nothing
        days = min(max((as_of - issue.effective_date).days + 1, 0), (policy.end_date - issue.effective_date).days)
        e = w * days // (policy.end_date - issue.effective_date).days
        row = next(p for p in body["policies"] if p["number"] == policy.number)
        assert (row["written"], row["earned"], row["unearned"]) == (w, e, w - e)
        expected_written += w
        expected_earned += e
    assert (body["written"], body["earned"]) == (expected_written, expected_earned)
    assert body["unearned"] == expected_written - expected_earned
    assert sum(g["written"] for g in body["by_industry"].values()) == expected_written
    assert sum(g["earned"] for g in body["by_product_version"].values()) == expected_earned
    assert sum(m["written"] for m in body["by_month"]) == expected_written  # the demo's history is within 36 months
    assert sum(m["earned"] for m in body["by_month"]) == expected_earned


def _the_demo_history_develops(loaded: User, api: Callable[..., Any]) -> None:
    """The demo's history (web.demo_books): several accident quarters, paid growing with age in some."""
    cells = api(loaded).get(f"/books/triangle?as_of={_today().isoformat()}&basis=paid").json()["triangle"]
    rows: dict[str, list[int]] = {}
    for cell in sorted(cells, key=lambda c: (c["origin"], c["age"])):
        rows.setdefault(cell["origin"], []).append(cell["value"])
    assert len(rows) >= 3
    assert any(len(r) >= 2 and r[-1] > r[0] for r in rows.values()), rows
    mack = api(loaded).get(f"/books/reserves?as_of={_today().isoformat()}&method=mack").json()
    assert mack["total"]["ibnr"] >= 0 and mack["total"]["se"] is not None


def _claims_books_agree_with_the_ledger_and_the_reserves(loaded: User, api: Callable[..., Any]) -> None:
    far = _today() + dt.timedelta(days=800)  # every age ended: the last diagonal is what is known today
    paid = sum(e.expense_yen + e.liability_yen + e.bi_yen for e in LedgerEntry.objects.all())
    reserves = sum(c.reserve_yen for c in Claim.objects.all())
    assert paid > 0 and Claim.objects.exists()
    for basis, total in (("paid", paid), ("incurred", paid + reserves)):
        answer = api(loaded).get(f"/books/triangle?as_of={far.isoformat()}&basis={basis}&period=quarter")
        assert answer.status_code == 200, answer.content
        cells = answer.json()["triangle"]
        latest: dict[str, tuple[int, int]] = {}
        for cell in cells:
            if cell["age"] > latest.get(cell["origin"], (0, 0))[0]:
                latest[cell["origin"]] = (cell["age"], cell["value"])
        assert sum(v for _, v in latest.values()) == total
    reserve = api(loaded).get(f"/books/reserves?as_of={far.isoformat()}&method=mack")
    assert reserve.status_code == 200, reserve.content
    body = reserve.json()
    assert body["method"] == "mack" and body["total"]["latest"] == paid + reserves
    assert body["total"]["ultimate"] >= body["total"]["latest"]


BAD_QUERIES = [
    ("/books/premium?as_of=2026-02-30", "as_of"),
    ("/books/premium?as_of=1990-01-01", "as_of"),
    ("/books/triangle?basis=reported", "basis"),
    ("/books/triangle?period=month", "period"),
    ("/books/reserves?method=odp", "method"),
    ("/books/reserves?method=bf&loss_ratio=high", "loss_ratio"),
]


def test_books_are_for_administrators_only_and_bad_queries_are_422(loaded: User, api: Callable[..., Any]) -> None:
    for name in ("claims", "holder", "underwriter"):
        user = User.objects.get(username=name)
        for path in ("/books/premium", "/books/triangle", "/books/reserves"):
            assert api(user).get(path).status_code == 403
    assert api().get("/books/premium").status_code == 401
    assert Client().get("/books/").status_code in (302, 403)
    for query, field in BAD_QUERIES:
        answer = api(loaded, lang="ja").get(query)
        assert answer.status_code == 422, (query, answer.content)
        assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_the_monthly_close_page_pdf_csv_and_commands(
    loaded: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _close_adds_up(loaded)
    _commands_read_the_database(tmp_path, capsys)
    _close_takes_the_portfolio_run(loaded)
    client = Client()
    client.force_login(loaded)
    month = f"{_today():%Y-%m}"
    page = client.get(f"/books/?month={month}")
    assert page.status_code == 200
    assert 'data-testid="books-close"' in page.content.decode()
    assert 'data-testid="books-by-month"' in page.content.decode()
    pdf = client.get(f"/books/close.pdf?month={month}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "未経過保険料" in text
    csv_text = client.get(f"/books/close.csv?month={month}").content.decode("utf-8-sig")
    close = selectors.close(user=loaded, month=month)
    assert f"{close['premium']['unearned']:,}円" in csv_text
    assert client.get("/books/?month=2026-13").status_code == 422
    premium_csv = client.get(f"/books/premium.csv?as_of={_today().isoformat()}").content.decode("utf-8-sig")
    assert premium_csv.splitlines()[0] == "number,written,earned,unearned"
    written_csv = client.get(f"/books/written.csv?as_of={_today().isoformat()}").content.decode("utf-8-sig")
    lines = written_csv.splitlines()
    assert lines[0] == "policy,source,effective,term_end,written,earned"
    total = selectors.premium(user=loaded, as_of=_today().isoformat())
    assert sum(int(line.rsplit(",", 2)[1]) for line in lines[1:]) == total["written"]
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == total["earned"]


def _close_takes_the_portfolio_run(loaded: User) -> None:
    from mamori.web.portfolio import services as portfolio

    run = portfolio.portfolio_run(user=loaded, years=1_000, seed=3)
    close = selectors.close(user=loaded, month=f"{_today():%Y-%m}")
    assert close["portfolio"]["aep_200"] == run.answer["aep"]["200"]
    assert close["portfolio"]["run"] == str(run.pk)
    assert close["portfolio"]["basis"].startswith("net" if "net" in run.answer else "gross")
    assert close["ibnr"]["loss_ratio"] == run.answer["premium"]["loss_ratio"]
    assert close["ibnr"]["by_method"]["bf"] is not None
    from mamori.web.portfolio import selectors as portfolio_selectors

    treaty = next(iter(portfolio_selectors.treaties()))
    ceded = portfolio.portfolio_run(user=loaded, years=1_000, seed=3, treaty=treaty)
    close = selectors.close(user=loaded, month=f"{_today():%Y-%m}")
    assert close["portfolio"] == {"aep_200": ceded.answer["net"]["aep"]["200"], "basis": "net", "run": str(ceded.pk)}
    assert close["portfolio"]["aep_200"] <= ceded.answer["gross"]["aep"]["200"]


def _close_adds_up(loaded: User) -> None:
    month = f"{_today():%Y-%m}"
    close = selectors.close(user=loaded, month=month, loss_ratio="0.6")
    _first, last = books.month_bounds(month)
    book = selectors.premium(user=loaded, as_of=last.isoformat())
    assert close["premium"]["unearned"] == book["unearned"]
    assert close["claims"]["incurred"] == close["claims"]["paid_to_date"] + close["claims"]["case_reserves"]
    assert close["ibnr"]["loss_ratio"] == 0.6 and close["ibnr"]["by_method"]["bf"] is not None


def _commands_read_the_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "triangle.csv"
    far = (_today() + dt.timedelta(days=800)).isoformat()
    assert main(["books", "triangle", str(out), "--as-of", far, "--basis", "paid", "--json"]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0].replace('"', "") == "origin,age,value"
    capsys.readouterr()
    assert main(["reserve", str(out), "--method", "mack", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "mack"
    pdf = tmp_path / "close.pdf"
    assert main(["books", "close", "--month", f"{_today():%Y-%m}", "--json", "--pdf", str(pdf)]) == 0
    assert json.loads(capsys.readouterr().out)["month"] == f"{_today():%Y-%m}"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_written_amounts_follow_changes_cancellations_and_lapses(
    holder: User, holder2: User, business: Any, other_business: Any, admin: User
) -> None:
    """Monthly: what is written equals the installments still due or paid (repriced by a change, less those a
    cancellation or a lapse cancelled); annual: the annual premium less the refund (product.md §8.1)."""
    from mamori.web.billing.models import Installment
    from mamori.web.demo_incidents import policy_for
    from mamori.web.servicing import services as servicing

    today = _today()
    risk = {"industry": "wholesale", "revenue": 500_000_000}
    started = today - dt.timedelta(days=100)
    changed = policy_for(user=holder, business=business, risk=risk, start=started, today=today)
    servicing.policy_change(user=holder, number=changed.number, effective_date=today, changes={"deductible": 300_000},
                            today=today)  # fmt: skip
    annual = policy_for(user=holder, business=business, risk=risk, start=started, today=today, payment="annual")
    _, refund = servicing.policy_cancel(user=holder, number=annual.number, effective_date=today, today=today)
    cancelled = policy_for(user=holder2, business=other_business, risk=risk, start=started, today=today)
    servicing.policy_cancel(user=holder2, number=cancelled.number, effective_date=today, today=today)
    lapsing = policy_for(user=holder2, business=other_business, risk=risk, start=started, today=started)
    servicing.daily_run(on_date=today)
    lapsing.refresh_from_db()
    assert lapsing.status == Policy.Status.LAPSED
    far = (today + dt.timedelta(days=800)).isoformat()
    body = selectors.premium(user=admin, as_of=far)
    rows = {r["number"]: r for r in body["policies"]}

    def due_or_paid(policy: Policy) -> int:
        return sum(i.amount_yen for i in Installment.objects.filter(policy=policy).exclude(status="CANCELLED"))

    for policy in (changed, cancelled, lapsing):
        assert rows[policy.number]["written"] == rows[policy.number]["earned"] == due_or_paid(policy), policy.number
    assert rows[annual.number]["written"] == annual.versions.get(number=1).annual_premium_yen - refund
    assert refund > 0 and len(selectors.written(user=admin, as_of=far)) == 2 + 2 + 2 + 2  # issue + one each


def test_the_books_csv_files_neutralise_a_cell_a_spreadsheet_would_run_and_keep_numbers() -> None:
    from mamori.web.books import documents

    text = documents.table_csv(["source", "written"], [["=HYPERLINK(1)", 5], ["change", -3]])
    assert text == "source,written\r\n'=HYPERLINK(1),5\r\nchange,-3\r\n"
    premium = {"policies": [{"number": "MC1", "written": 10, "earned": 4, "unearned": 6}], "written": 10,
               "earned": 4, "unearned": 6}  # fmt: skip
    assert documents.premium_csv(premium).splitlines()[-1] == "total,10,4,6"
