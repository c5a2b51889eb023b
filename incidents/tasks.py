from celery import shared_task

from . import services


@shared_task(name="incidents.urgent_resend_sweep", ignore_result=True)
def urgent_resend_sweep() -> int:
    """Every few minutes: re-alert the team and the head about urgent concerns nobody has acknowledged."""
    return services.urgent_resend_sweep()
