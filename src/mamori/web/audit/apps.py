from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mamori.web.audit"
    label = "audit"
    verbose_name = "監査ログ / Audit log"
