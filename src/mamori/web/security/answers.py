"""Error answers of the guard rails in the one shape: JSON ``{"errors": [...]}`` under /api (ja or en by
Accept-Language), the error page elsewhere (Japanese unless the reader chose English)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from mamori import i18n
from mamori.errors import FieldError

API_PREFIX: Final = "/api/"

#: The error of an answer that carries none of its own, by status (interfaces.md §2: every answer under
#: /api/v1 is JSON in the one shape).
BY_STATUS: Final[Mapping[int, str]] = {
    400: "E_BAD_REQUEST",
    401: "E_AUTH_TOKEN",
    403: "E_FORBIDDEN",
    404: "E_NOT_FOUND",
    405: "E_METHOD",
    409: "E_CONFLICT",
    413: "E_BODY_TOO_LARGE",
    414: "E_URI_TOO_LONG",
    422: "E_INVALID",
    429: "E_RATE_LIMITED",
    500: "E_SERVER",
    503: "E_UNAVAILABLE",
}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_lang(request: HttpRequest) -> i18n.Lang:
    header = request.headers.get("Accept-Language", "")
    first = header.split(",", 1)[0].strip()
    return i18n.as_lang(first) if first else "ja"


def page_lang(request: HttpRequest) -> i18n.Lang:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return "en" if chosen == "en" else "ja"


def status_error(status: int, request: HttpRequest, **params: object) -> FieldError:
    code = BY_STATUS.get(status, "E_BAD_REQUEST" if status < 500 else "E_SERVER")
    if code == "E_SERVER":
        params.setdefault("request_id", getattr(request, "request_id", ""))
    if code == "E_METHOD":
        params.setdefault("method", request.method or "")
        params.setdefault("allowed", [])
    return FieldError("$", code, dict(params))


def answer(
    request: HttpRequest,
    status: int,
    errors: Iterable[FieldError] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The error answer for ``request``: JSON under /api, the error page elsewhere."""
    listed = list(errors) if errors is not None else [status_error(status, request)]
    if is_api(request):
        lang = api_lang(request)
        response: HttpResponse = JsonResponse(
            {"errors": [e.to_dict(lang) for e in listed]}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    else:
        lang = page_lang(request)
        message = " ".join(e.message(lang) for e in listed)
        try:
            html = render_to_string("mamori/error.html", {"message": message}, request=request)
        except Exception:  # the page itself cannot be drawn (e.g. the database is down): plain text
            html = message
        response = HttpResponse(html, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
