from django.apps import AppConfig


class ServicingConfig(AppConfig):
    """Policy servicing: binding, changes, referred changes, cancellation, renewal, premium payments and the
    daily job — the use cases' decisions written to the policy, billing and audit records."""

    name = "mamori.web.servicing"
    label = "servicing"
    verbose_name = "契約管理 / Policy servicing"
