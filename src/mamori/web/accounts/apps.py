from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mamori.web.accounts"
    label = "accounts"
    verbose_name = "利用者 / Accounts"
