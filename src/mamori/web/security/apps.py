from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "mamori.web.security"
    label = "security"
    verbose_name = "安全 / Security"
