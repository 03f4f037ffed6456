from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "mamori.web.billing"
    label = "billing"
    verbose_name = "請求・収納 / Billing"
