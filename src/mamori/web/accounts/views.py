"""Login (throttled after repeated failures) and logout."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mamori.web.accounts import services


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    context = {"error": "", "username": "", "next": next_url}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        context["username"] = username
        try:
            user = services.login_attempt(request=request, username=username, password=request.POST.get("password", ""))
        except services.LoginThrottled as exc:
            minutes = max(1, int(exc.retry_after.total_seconds() // 60) + 1)
            context["error"] = _("Too many failed logins. Please try again in %(minutes)d minutes.") % {
                "minutes": minutes
            }
            return render(request, "mamori/login.html", context, status=429)
        if user is None:
            context["error"] = _("The user name or the password is wrong.")
            return render(request, "mamori/login.html", context, status=401)
        login(request, user)
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = ""
        return redirect(next_url or "pages:dashboard")
    return render(request, "mamori/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("pages:home")
