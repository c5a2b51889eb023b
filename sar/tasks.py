from celery import shared_task


@shared_task(
    name="sar.build_disclosure",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def build_disclosure(*, disclosure_id: int) -> str:
    """The disclosure PDF, built off the request (~14 s on a large pack); acks late, so a killed worker's task is
    redelivered, and a stale build is claimed again (safeguarding_portal.core.builds)."""
    from . import services

    return services.disclosure_make(disclosure_id=disclosure_id).build_state
