from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "safeguarding_portal.reports"
    label = "reports"
    verbose_name = "Governor reports"
