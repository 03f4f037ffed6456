"""URLs: the pages, the API under /api/v1, and the language switch."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("mamori.web.api.urls")),
    path("accounts/", include("mamori.web.accounts.urls")),
    path("", include("mamori.web.pages.urls")),
]

handler404 = "mamori.web.pages.views.not_found"
