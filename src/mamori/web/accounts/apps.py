from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mamori.web.accounts"
    label = "accounts"
    verbose_name = "利用者 / Accounts"

    def ready(self) -> None:
        from mamori.web.accounts import signals  # noqa: F401 - connects the receivers
