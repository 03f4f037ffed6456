from django.apps import AppConfig


class ClaimsDeskConfig(AppConfig):
    name = "mamori.web.claimsdesk"
    label = "claimsdesk"
    verbose_name = "保険金支払 / Claims"
