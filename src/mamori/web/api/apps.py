from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mamori.web.api"
    label = "api"
    verbose_name = "API"
