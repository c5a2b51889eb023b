from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguarding_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Every app's tasks module is registered by CoreConfig.ready(), for all apps at once.
        from . import signals  # noqa: F401  # why: in ready(), once every app's models are loaded
