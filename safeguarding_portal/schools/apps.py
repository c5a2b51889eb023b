from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "safeguarding_portal.schools"
    label = "schools"
    verbose_name = "Schools and people"
