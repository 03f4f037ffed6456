from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "mamori.web.quotes"
    label = "quotes"
    verbose_name = "見積り / Quotes"
