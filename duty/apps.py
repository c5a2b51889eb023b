from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "duty"
    verbose_name = "DSL on duty, Operation Encompass and AI tools"
