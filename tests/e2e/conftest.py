"""End-to-end tests: Debian's Chromium (``/usr/bin/chromium``) driven by Playwright against the application
served on localhost by the test server (a real HTTP server over the test database). No browser is
downloaded. A screenshot of the page is saved under ``test-artifacts/`` when a test fails."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: The password of the users the browser tests create.
PASSWORD = "correct-horse-battery-7"
CHROMIUM = os.environ.get("MAMORI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API runs an event loop in this thread; the test server and the ORM are ours, in threads.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists():
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(
                    pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: install Debian's chromium (scripts/test does)")
                )


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed:
        page = getattr(item, "_mamori_page", None)
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            path = ARTIFACTS / f"{item.name}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                report.sections.append(("screenshot", str(path)))
            except Exception as exc:
                report.sections.append(("screenshot", f"not saved: {exc}"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    request.node._mamori_page = page
    yield page
    context.close()


def login(page: Any, base: str, username: str) -> None:
    """Log in through the login page; lands on the user's dashboard."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r".*/dashboard/.*"))


def logout(page: Any) -> None:
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_load_state()
