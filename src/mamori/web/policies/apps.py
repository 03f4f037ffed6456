from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "mamori.web.policies"
    label = "policies"
    verbose_name = "契約 / Policies"
