from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "mamori.web.applications"
    label = "applications"
    verbose_name = "申込み / Applications"
