from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safeguarding_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # tasks: the outbox finds tasks by name, and Celery's lazy autodiscovery only imports them in a worker,
        # so an eager (in-process) send would not find this app's tasks unless they are imported here.
        from . import signals, tasks  # noqa: F401
