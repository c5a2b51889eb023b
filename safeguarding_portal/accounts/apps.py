from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguarding_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from . import signals  # noqa: F401
