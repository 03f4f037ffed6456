from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "mamori.web.estimates"
    label = "estimates"
    verbose_name = "想定損害額 / Loss estimates"
