"""Login (django-axes counts failures per user name: a locked one is 429 with Retry-After), the staff
second factor (TOTP enrolment and verification), and logout."""

from __future__ import annotations

import base64

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from mamori.web.accounts import second_factor, selectors, services


def safe_next(request: HttpRequest, next_url: str) -> str:
    """``next`` when it stays on this site, else empty (never an open redirect)."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    context = {"error": "", "username": "", "next": safe_next(request, next_url)}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        context["username"] = username
        try:
            user = services.login_attempt(request=request, username=username, password=request.POST.get("password", ""))
        except services.LoginThrottled as exc:
            minutes = max(1, (exc.seconds + 59) // 60)
            context["error"] = _("Too many failed logins. Please try again in %(minutes)d minutes.") % {
                "minutes": minutes
            }
            response = render(request, "mamori/login.html", context, status=429)
            response["Retry-After"] = str(exc.seconds)
            return response
        if user is None:
            context["error"] = _("The user name or the password is wrong.")
            return render(request, "mamori/login.html", context, status=401)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(context["next"] or "pages:dashboard")
    return render(request, "mamori/login.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_view(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (first time) or give its current code; then on to ``next``."""
    user = request.user
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    enrolling = not second_factor.enrolled(user)
    context: dict[str, object] = {"next": next_url, "error": "", "enrolling": enrolling}
    if request.method == "POST":
        code = request.POST.get("code", "")
        device = second_factor.confirm(user, code) if enrolling else second_factor.verify(user, code)
        if device is not None:
            otp_login(request, device)
            return redirect(next_url or "pages:dashboard")
        context["error"] = _("The code is wrong. Enter the 6-digit code your authenticator app shows now.")
    if enrolling:
        device = second_factor.pending_device(user)
        context["qr"] = second_factor.qr_svg(device)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    context["staff"] = selectors.is_staff_member(user)
    return render(request, "mamori/second_factor.html", context, status=422 if context["error"] else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("pages:home")
