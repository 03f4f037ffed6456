"""The monthly close in a real browser: the administrator opens the books from the menu, closes last month of
the demo (its history of claims over past quarters), reads the figures in Japanese, asks for the PDF and the
CSV (made by a task: here where it is queued) and downloads them from their page; a month that is not YYYY-MM
is named on the page."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader
from tests.e2e.conftest import PASSWORD, login  # type: ignore[import-not-found]

from mamori.web import demo
from mamori.web.books.selectors import JST

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_administrator_closes_last_month(page: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMORI_DEMO_PASSWORD", PASSWORD)
    demo.load(out=io.StringIO())
    base = live_server.url
    login(page, base, "admin")
    page.get_by_test_id("nav-books").click()
    month = f"{timezone.now().astimezone(JST).date().replace(day=1) - dt.timedelta(days=1):%Y-%m}"
    page.get_by_test_id("books-month").fill(month)
    page.get_by_test_id("books-month").press("Enter")
    table = page.get_by_test_id("books-close")
    table.wait_for()
    text = table.inner_text()
    assert "未経過保険料" in text and "支払備金" in text and "チェインラダー法" in text
    page.get_by_test_id("books-documents").click()
    page.get_by_test_id("books-pdf").wait_for()
    with page.expect_download() as download:
        page.get_by_test_id("books-pdf").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert month in pdf.pages[0].extract_text()
    with page.expect_download() as download:
        page.get_by_test_id("books-csv").click()
    assert "未経過保険料" in download.value.path().read_text(encoding="utf-8-sig")
    page.goto(f"{base}/books/")
    page.get_by_test_id("books-month").fill("2026-13")
    page.get_by_test_id("books-month").press("Enter")
    page.locator("p.field-error[data-field='month']").wait_for()
