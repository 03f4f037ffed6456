from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "mamori.web.incidents"
    label = "incidents"
    verbose_name = "事故受付・緊急時サポート / Incidents and support"
