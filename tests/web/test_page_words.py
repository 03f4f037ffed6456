"""The words of every main page as each role, in Japanese and in English (issue 15), read from the HTML the
server sends (the browser crawl in tests/e2e/test_crawl.py adds the layout, the console and axe-core): no
stored value (``monthly``, ``IN_FORCE``), no internal name (``pd_rider``, ``costs[0]``), no ``None``, and no
English sentence on a Japanese page. Staff detail inside ``<code>`` is allowed."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from tests.web.crawl_world import ENGLISH_RUN, PASSWORD, RAW_ANY, RAW_JA, world  # type: ignore[import-not-found]

pytestmark = pytest.mark.django_db

_DROP = re.compile(
    r"<(code|script|style|select|textarea|title)\b.*?</\1>|<input\b[^>]*>|<!--.*?-->", re.DOTALL | re.IGNORECASE
)
_TAG = re.compile(r"<[^>]+>")


def words_of(page: str) -> str:
    """The text of <main> as a reader sees it (attributes, staff codes and form values left out)."""
    main = page.split('<main id="main">', 1)[-1].split("</main>", 1)[0]
    return html.unescape(_TAG.sub(" ", _DROP.sub(" ", main)))


def _problems(text: str, lang: str) -> list[str]:
    found = [f"raw token {t!r}" for t in sorted(set(RAW_ANY.findall(text)))]
    if lang == "ja":
        found += [f"raw token {t!r}" for t in sorted(set(RAW_JA.findall(text)))]
        found += [f"English on a Japanese page: {t!r}" for t in sorted(set(ENGLISH_RUN.findall(text)))]
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_page_shows_a_raw_value_an_internal_name_or_the_other_language(lang: str) -> None:
    crawl: dict[str, Any] = world()
    problems: list[str] = []
    for role, urls in crawl["pages"].items():
        client = Client()
        client.cookies["django_language"] = lang
        if role is not None:
            assert client.login(username=crawl["people"][role].get_username(), password=PASSWORD)
        for url in urls:
            response = client.get(url)
            if response.status_code >= 400 and url != "/nope/":
                problems.append(f"{role} {url}: HTTP {response.status_code}")
                continue
            problems += [
                f"{role or 'public'} {lang} {url}: {p}" for p in _problems(words_of(response.content.decode()), lang)
            ]
    assert not problems, "\n".join(problems)


def test_the_check_finds_what_it_looks_for() -> None:
    page = '<main id="main"><td>monthly</td><td>IN_FORCE</td><p>pd_rider None</p><code>X_RANSOM</code></main>'
    found = _problems(words_of(page), "ja")
    assert "raw token 'monthly'" in found and "raw token 'IN_FORCE'" in found and "raw token 'pd_rider'" in found
    assert "raw token 'None'" in found and not any("X_RANSOM" in f for f in found)
    assert _problems(words_of('<main id="main"><p>Overseas revenue share</p></main>'), "ja")
