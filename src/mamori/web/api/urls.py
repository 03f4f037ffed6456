from django.urls import path

from mamori.web.api.app import api

urlpatterns = [path("", api.urls)]
