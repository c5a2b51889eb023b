from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "safeguarding_portal.reports"
    label = "reports"
    verbose_name = "Governor reports"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import school_figures

        # The apps' figures modules name the models whose changes move a school's dashboard figures.
        autodiscover_modules("figures")
        school_figures.connect_signals()
