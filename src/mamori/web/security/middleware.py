"""Middleware of the guard rails, in the order of ``settings.MIDDLEWARE``:

- :class:`RequestIdMiddleware` — a request id per request (``X-Request-ID``), carried by every log line of
  the request, and one structured access line per request;
- :class:`RequestLimitsMiddleware` — before anything reads the request: an address longer than
  ``MAMORI_MAX_URL_BYTES`` is 414, a body above ``MAMORI_MAX_BODY_BYTES`` (an upload path:
  ``MAMORI_MAX_UPLOAD_BYTES``) is 413 unread, a NUL character in the path is 404, in the query or a form
  field 422;
- :class:`ApiErrorsMiddleware` — every answer under /api is JSON in the one error shape, whatever produced
  it (Django's own 400/404/405/500 pages included); a value the database cannot store is 422, a database
  that does not answer 503 — on pages too;
- :class:`HeadersMiddleware` — Permissions-Policy, ``Cache-Control: no-store`` on API answers and on the
  pages of a signed-in user;
- :class:`SessionPolicyMiddleware` — sessions end after ``MAMORI_STAFF_IDLE_SECONDS`` idle for staff,
  ``MAMORI_SESSION_IDLE_SECONDS`` for everyone else; staff pages need the second factor when
  ``MAMORI_STAFF_SECOND_FACTOR`` is on;
- :class:`ThrottleMiddleware` — public endpoints throttled per client address (429 with Retry-After).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any, Final

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from mamori.errors import FieldError
from mamori.web.security import answers, throttle
from mamori.web.security.client import client_address
from mamori.web.security.logs import request_id_var

Handler = Callable[[HttpRequest], HttpResponse]
access_log = logging.getLogger("mamori.request")
error_log = logging.getLogger("mamori.errors")

_REQUEST_ID: Final = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: Headers of an answer kept when it is re-shaped into the one error shape.
_KEPT: Final = ("Retry-After", "Allow", "WWW-Authenticate", "X-Request-ID", "Vary")


class RequestIdMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Set for the rest of this request's thread (Django logs some answers after the middleware returns);
        # the next request sets its own.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        user = getattr(request, "user", None)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path[:200],
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path[:200],
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "client": client_address(request),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


def _is_upload(request: HttpRequest) -> bool:
    return any(re.match(pattern, request.path_info) for pattern in settings.MAMORI_UPLOAD_PATHS)


class RequestLimitsMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.refuse(request)
        return refused if refused is not None else self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse | None:  # noqa: PLR0911 - one refusal per limit, in order
        url_max = settings.MAMORI_MAX_URL_BYTES
        if len(request.get_full_path().encode("utf-8", "surrogateescape")) > url_max:
            return answers.answer(request, 414, [FieldError("$", "E_URI_TOO_LONG", {"maximum": url_max})])
        if "\x00" in request.path_info:
            return answers.answer(request, 404)
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return answers.answer(request, 422, [FieldError(_shown_name(name), "E_NUL", {})])
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return answers.answer(request, 400)
        limit = settings.MAMORI_MAX_UPLOAD_BYTES if _is_upload(request) else settings.MAMORI_MAX_BODY_BYTES
        if length > limit:
            error = FieldError("$", "E_BODY_TOO_LARGE", {"size": length, "maximum": limit})
            response = answers.answer(request, 413, [error])
            response["Connection"] = "close"  # the body was not read
            return response
        if request.method == "POST" and request.content_type in (
            "multipart/form-data",
            "application/x-www-form-urlencoded",
        ):
            return self.refuse_form(request)
        return None

    def refuse_form(self, request: HttpRequest) -> HttpResponse | None:
        try:
            fields = request.POST
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return answers.answer(request, 413, [FieldError("$", "E_BODY_TOO_LARGE", {"size": "?", "maximum": limit})])
        except (TooManyFieldsSent, MultiPartParserError, SuspiciousOperation):
            return answers.answer(request, 400)
        for name, values in fields.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return answers.answer(request, 422, [FieldError(_shown_name(name), "E_NUL", {})])
        return None


def _shown_name(name: str) -> str:
    return name.replace("\x00", "\\u0000")[:100] or "$"


class ApiErrorsMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not answers.is_api(request):
            return response
        response = self.shaped(request, response)
        patch_cache_control(response, private=True, no_store=True)  # every API answer, errors included
        response.headers.setdefault("Permissions-Policy", settings.MAMORI_PERMISSIONS_POLICY)
        return response

    def shaped(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json") and _has_errors(response):
            return response
        params: dict[str, Any] = {}
        if response.status_code == 405:
            params["allowed"] = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        shaped = answers.answer(
            request, response.status_code, [answers.status_error(response.status_code, request, **params)]
        )
        for name in _KEPT:
            if name in response:
                shaped[name] = response[name]
        return shaped

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, DataError | OverflowError):
            error_log.warning("a value the database cannot store: %s", exc, exc_info=exc)
            return answers.answer(request, 422, [FieldError("$", "E_NOT_STORABLE", {})])
        if isinstance(exc, OperationalError | InterfaceError):
            error_log.error("the database does not answer: %s", str(exc).splitlines()[0] if str(exc) else exc)
            return answers.answer(request, 503, headers={"Retry-After": "30"})
        if isinstance(exc, RequestDataTooBig):
            return answers.answer(request, 413)
        return None


def _has_errors(response: HttpResponse) -> bool:
    """Whether a JSON answer is already in the one error shape."""
    if getattr(response, "streaming", False):
        return True
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("errors"), list)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, not building the policy for an answer that takes none (JSON, PDF, files:
    :class:`HeadersMiddleware` marks them) — most API answers."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(response, "_csp_exempt", False) and not getattr(
            settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None
        ):
            return response
        return super().process_response(request, response)


class HeadersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.MAMORI_PERMISSIONS_POLICY)
        if not response.get("Content-Type", "").startswith("text/html"):
            response._csp_exempt = True  # a policy for documents; JSON, PDF and files need none
        elif request.path_info == settings.MAMORI_API_DOCS_PATH:
            # Swagger UI (served from our static files) sets inline styles on its elements; no script is inline.
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        user = getattr(request, "user", None)
        private = answers.is_api(request) or (user is not None and user.is_authenticated)
        if private and not request.path_info.startswith(settings.STATIC_URL):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _exempt(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith((settings.STATIC_URL, "/i18n/", answers.API_PREFIX)) or path in (
        reverse("accounts:logout"),
        reverse("accounts:second-factor"),
    )


class SessionPolicyMiddleware:
    """After authentication (and django-otp's middleware): idle lifetimes by role, the staff second factor."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from mamori.web.accounts import selectors

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or answers.is_api(request):
            return self.get_response(request)
        staff = selectors.is_staff_member(user)
        idle = settings.MAMORI_STAFF_IDLE_SECONDS if staff else settings.MAMORI_SESSION_IDLE_SECONDS
        if request.session.get("_session_expiry") != idle:
            request.session.set_expiry(idle)
        else:
            request.session.modified = True  # idle time counts from the last request
        if staff and settings.MAMORI_STAFF_SECOND_FACTOR and not _verified(user) and not _exempt(request):
            target = reverse("accounts:second-factor")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)


def _verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


class ThrottleMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wait = throttle.hit(request, client_address(request))
        if wait is not None:
            seconds = max(1, int(wait + 0.999))
            error = FieldError("$", "E_RATE_LIMITED", {"seconds": seconds})
            return answers.answer(request, 429, [error], headers={"Retry-After": str(seconds)})
        return self.get_response(request)
