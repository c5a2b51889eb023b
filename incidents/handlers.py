"""What the incidents app does when something happens in the foundations (connected in ``apps.ready``)."""

from __future__ import annotations

from django.utils import timezone

from safeguarding_portal.accounts.signals import membership_ended

from . import services


def hand_over_a_leavers_work(sender, membership, by, **kwargs) -> None:
    """Staff who leave lose access the same day; their open tasks and cases must not be left with nobody."""
    if membership.school_id is None or membership.ended_on is None or membership.ended_on > timezone.localdate():
        # A trust role holds no case work; an ending set for a later day is handed over by the daily sweep.
        return
    services.staff_left_handover(school=membership.school, leaver=membership.user, by=by)


def connect() -> None:
    membership_ended.connect(hand_over_a_leavers_work, dispatch_uid="incidents.hand_over_a_leavers_work")
