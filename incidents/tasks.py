from celery import shared_task

from . import services


@shared_task(name="incidents.urgent_resend_sweep", ignore_result=True)
def urgent_resend_sweep() -> int:
    """Every few minutes: re-alert the team and the head about urgent concerns nobody has acknowledged."""
    return services.urgent_resend_sweep()


@shared_task(
    name="incidents.build_cp_file",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def build_cp_file(*, transfer_id: int) -> str:
    """The CP file's PDF, built off the request (17 s for a large file); acks late, so a killed worker's task is
    redelivered, and a stale build is claimed again (safeguarding_portal.core.builds)."""
    from . import transfers

    return transfers.cp_file_build(transfer_id=transfer_id).build_state
