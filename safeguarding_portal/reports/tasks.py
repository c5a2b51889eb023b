from __future__ import annotations

from celery import shared_task

from . import school_figures, services


@shared_task(
    name="reports.build_governor_report",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def build_governor_report(self, *, report_id: int) -> str:
    return services.build(report_id=report_id).state


@shared_task(name="reports.refresh_school_figures", ignore_result=True)
def refresh_school_figures(*, school_id: int) -> int:
    return school_figures.refresh_one(school_id=school_id)


@shared_task(name="reports.sweep_school_figures", ignore_result=True)
def sweep_school_figures() -> int:
    return school_figures.sweep()
