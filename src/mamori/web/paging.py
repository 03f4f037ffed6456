"""Lists in pages: a page of a query at a time (``?page=N``), the filters and the order people ask for.

A page costs the same whatever the number of rows: one count and one slice, with the rows' relations
selected or prefetched by the caller (tests/web/test_scale_pages.py counts the queries).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

#: Rows per page of a list (at most :data:`MAX_PER_PAGE` when ``?per_page=`` asks).
PER_PAGE = 25
MAX_PER_PAGE = 200
#: The API's lists: ``limit`` rows (default, at most :data:`API_MAX_LIMIT`) from ``offset``.
API_LIMIT = 100
API_MAX_LIMIT = 500


def per_page(request: HttpRequest, default: int = PER_PAGE) -> int:
    raw = request.GET.get("per_page", "")
    return min(int(raw), MAX_PER_PAGE) if raw.isdigit() and int(raw) > 0 else default


def page_of(request: HttpRequest, rows: Any, *, size: int | None = None, param: str = "page") -> Page:
    """The page of ``rows`` (a query set, ordered) the request asks for (the last one past the end)."""
    return Paginator(rows, size or per_page(request)).get_page(request.GET.get(param))


def sort_of(request: HttpRequest, choices: Mapping[str, tuple[str, ...]], default: str) -> tuple[str, tuple[str, ...]]:
    """(name, order_by fields) of ``?sort=`` among ``choices`` (``-name``: descending; else ``default``)."""
    asked = request.GET.get("sort") or default
    if asked.removeprefix("-") not in choices:
        asked = default
    fields = choices[asked.removeprefix("-")]
    return asked, _desc(fields) if asked.startswith("-") else fields


def _desc(fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in fields)


def window(rows: Any, limit: int, offset: int) -> Any:
    """``limit`` rows of ``rows`` from ``offset`` (limit within 1 … API_MAX_LIMIT, offset at least 0)."""
    start = max(offset, 0)
    return rows[start : start + min(max(limit, 1), API_MAX_LIMIT)]
