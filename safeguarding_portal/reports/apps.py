from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "safeguarding_portal.reports"
    label = "reports"
    verbose_name = "Governor reports"

    def ready(self) -> None:
        from safeguarding_portal.core import plugins  # why: in ready(), once every app's models are loaded

        from . import school_figures  # why: in ready(), once every app's models are loaded

        # The apps' figures modules name the models whose changes move a school's dashboard figures: imported
        # now (not on first use like the other plugins), so the signals below are connected for them.
        plugins.discover("figures")
        school_figures.connect_signals()
