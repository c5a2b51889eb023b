"""Procedures follow the actions: recording a referral to the police ticks "Inform the police", each tick says
which entry did it, a step can be done by hand with a note or marked not needed with a reason, and a case
cannot close while a required step is open (KCSiE: decisions, including not to act, are written down)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents import procedures, services
from incidents.categories import Category, StepSpec
from incidents.models import EntryKind, Status

from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _act(client, incident, **data):
    return client.post(reverse("incidents:case_action", args=[incident.reference]), data)


def _open_required(incident):
    return list(incident.steps.filter(mandatory=True, done_entry__isnull=True).values_list("text", flat=True))


def test_the_alert_and_the_dsls_referrals_tick_the_steps_they_complete(client, signed_in, school, staff, dsl):
    incident = make_case(school=school, reporter=staff, category=Category.SEXUAL_ABUSE_EXPLOITATION)
    notify = incident.steps.get(text__startswith="Notify the Designated Safeguarding Lead")
    assert notify.done_entry is not None  # the portal alerted the team when the concern was reported
    assert notify.done_entry.data["completed_by_kind"] == EntryKind.ALERT

    signed_in(dsl)
    _act(client, incident, action="acknowledge")
    assert (
        _act(
            client,
            incident,
            action="record",
            kind="referral",
            agency="police",
            when="2026-11-20T10:00",
            text="Called 101; crime reference given",
        ).status_code
        == 302
    )
    assert (
        _act(
            client,
            incident,
            action="record",
            kind="referral",
            agency="social_care",
            when="2026-11-20T10:30",
            text="MASH referral made",
        ).status_code
        == 302
    )

    police = incident.steps.get(text__startswith="Inform the police")
    social_care = incident.steps.get(text__startswith="Refer to children's social care")
    referral = incident.entries.get(kind=EntryKind.REFERRAL, data__agency="police")
    assert police.done_entry.kind == EntryKind.STEP_DONE
    assert police.done_entry.data["completed_by_seq"] == referral.seq
    assert police.done_entry.text == f"Completed by entry #{referral.seq}: Referral to an agency"
    assert social_care.done_entry is not None
    # Recorded once: no step is ticked twice, and the projection on the case agrees with the steps.
    incident.refresh_from_db()
    assert incident.open_mandatory_steps == len(_open_required(incident))
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert f'entry <a href="#entry-{police.done_entry_id}">#{police.done_entry.seq}</a>' in page


def test_a_case_cannot_close_until_every_required_step_is_done_or_recorded_as_not_needed(
    client, signed_in, school, staff, dsl
):
    incident = make_case(school=school, reporter=staff, category=Category.SEXUAL_ABUSE_EXPLOITATION)
    signed_in(dsl)
    _act(client, incident, action="acknowledge")
    still_open = _open_required(incident)
    assert len(still_open) >= 5

    refused = _act(client, incident, action="transition", to="closed", outcome="Managed in school")
    assert refused.status_code == 400
    assert f"{len(still_open)} required steps still open" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.status != Status.CLOSED

    # By hand needs a note; not needed needs a reason.
    step = incident.steps.filter(mandatory=True, done_entry__isnull=True).first()
    assert _act(client, incident, action="step_done", step=str(step.pk), text="").status_code == 302
    step.refresh_from_db()
    assert step.done_entry is None
    for i, step in enumerate(incident.steps.filter(mandatory=True, done_entry__isnull=True)):
        not_needed = "1" if i % 2 else "0"
        reason = "Police said no further action was needed" if i % 2 else "Done at the meeting on Tuesday"
        assert (
            _act(
                client, incident, action="step_done", step=str(step.pk), text=reason, not_needed=not_needed
            ).status_code
            == 302
        )
    skipped = incident.steps.filter(done_entry__data__not_needed=True)
    assert skipped.exists() and all(s.done_entry.text for s in skipped)

    assert _act(client, incident, action="transition", to="closed", outcome="Managed in school").status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.open_mandatory_steps == 0

    # Reopening keeps the history: the steps stay as they were, and the case can close again.
    services.case_transition(incident=incident, to=Status.REOPENED, by=dsl, note="New messages found")
    assert incident.steps.filter(done_entry__isnull=True, mandatory=True).count() == 0
    assert (
        incident.entries.filter(kind=EntryKind.STEP_DONE).count()
        == incident.steps.filter(done_entry__isnull=False).count()
    )


def test_the_service_refuses_to_close_with_a_required_step_open(school, staff, dsl):
    incident = make_case(school=school, reporter=staff, category=Category.PHISHING_SCAMS)
    with pytest.raises(ValidationError, match="still open"):
        services.case_transition(incident=incident, to=Status.CLOSED, by=dsl, outcome="Resolved")


def test_a_schools_own_step_names_what_completes_it_and_new_cases_take_that(client, signed_in, school, staff, dsl):
    signed_in(dsl)
    url = reverse("incidents:procedure_edit", args=[Category.CYBERBULLYING])
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "40",
        "form-0-text": "Tell the class teacher",
        "form-0-mandatory": "on",
        "form-1-text": "Speak to the family",
        "form-1-mandatory": "on",
        "form-1-completed_by": ["parent_contact", "parent_not_informed"],
    }
    assert client.post(url, data).status_code == 302
    assert procedures.procedure_for(school=school, category=Category.CYBERBULLYING)[0] == [
        StepSpec("Tell the class teacher", True, ()),
        StepSpec("Speak to the family", True, ("parent_contact", "parent_not_informed")),
    ]
    assert "Contact with parents or carers" in client.get(url).content.decode()

    incident = make_case(school=school, reporter=staff, category=Category.CYBERBULLYING)
    services.case_record(
        incident=incident,
        by=dsl,
        kind=EntryKind.PARENT_NOT_INFORMED,
        text="Informing the father would put the pupil at risk",
    )
    assert _open_required(incident) == ["Tell the class teacher"]


def test_steps_a_corrected_category_brings_are_ticked_by_what_is_already_recorded(school, staff, dsl):
    incident = make_case(school=school, reporter=staff, category=Category.CYBERBULLYING)
    services.case_acknowledge(incident=incident, by=dsl)
    referral = services.case_record(
        incident=incident,
        by=dsl,
        kind=EntryKind.REFERRAL,
        text="Called 101",
        data={"agency": "police", "when": "2026-11-20T10:00"},
    )
    secured = services.case_record(
        incident=incident, by=dsl, kind=EntryKind.DEVICE_SECURED, text="Phone locked in the safe"
    )
    alert = incident.entries.get(kind=EntryKind.ALERT)
    reported = incident.entries.get(kind=EntryKind.REPORTED)

    services.case_correct(
        incident=incident,
        by=dsl,
        entry=reported,
        field="category",
        value=Category.SEXUAL_ABUSE_EXPLOITATION,
        reason="An adult was grooming him",
    )

    # The police were told and the phone secured before the category was put right: the new checklist says so,
    # each tick naming the entry that did it, rather than asking the DSL to record them a second time.
    for prefix, by in (
        ("Inform the police", referral),
        ("Store any devices", secured),
        ("Notify the Designated Safeguarding Lead", alert),
    ):
        step = incident.steps.get(text__startswith=prefix)
        assert step.done_entry is not None, prefix
        assert step.done_entry.data["completed_by_seq"] == by.seq, prefix
        assert step.done_entry.author == dsl, prefix  # ticked by the correction the DSL made
    assert incident.steps.get(text__startswith="Consider a CEOP report").done_entry is None
    incident.refresh_from_db()
    assert incident.open_mandatory_steps == len(_open_required(incident))


def test_correcting_a_referrals_agency_moves_the_tick_to_the_agency_it_really_went_to(
    client, signed_in, school, staff, dsl
):
    incident = make_case(school=school, reporter=staff, category=Category.SEXUAL_ABUSE_EXPLOITATION)
    services.case_acknowledge(incident=incident, by=dsl)
    referral = services.case_record(
        incident=incident,
        by=dsl,
        kind=EntryKind.REFERRAL,
        text="Referral made",
        data={"agency": "police", "when": "2026-11-20T10:00"},
    )
    police = incident.steps.get(text__startswith="Inform the police")
    social_care = incident.steps.get(text__startswith="Refer to children's social care")
    first_tick = police.done_entry
    assert first_tick is not None and social_care.done_entry is None

    signed_in(dsl)
    assert (
        _act(
            client,
            incident,
            action="correct",
            entry=str(referral.pk),
            field="agency",
            value="social_care",
            text="It went to MASH, not the police",
        ).status_code
        == 302
    )

    # The police were never told: their step is open again, by an entry that says why; the tick it had stays on
    # the timeline. The referral now completes the social care step.
    police.refresh_from_db()
    social_care.refresh_from_db()
    assert police.done_entry is None
    reopened = incident.entries.get(kind=EntryKind.STEP_REOPENED)
    assert reopened.corrects == first_tick and reopened.data["step_text"] == police.text
    assert f"entry #{referral.seq}" in reopened.text
    assert incident.entries.filter(pk=first_tick.pk).exists()
    assert social_care.done_entry.data["completed_by_seq"] == referral.seq
    incident.refresh_from_db()
    assert incident.open_mandatory_steps == len(_open_required(incident))
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert "Procedure step reopened: Inform the police" in page

    # A case cannot close on the strength of the tick that no longer holds.
    for step in incident.steps.filter(mandatory=True, done_entry__isnull=True).exclude(pk=police.pk):
        services.case_step_done(step=step, by=dsl, note="Done")
    with pytest.raises(ValidationError, match="Inform the police"):
        services.case_transition(incident=incident, to=Status.CLOSED, by=dsl, outcome="Resolved")


def test_a_step_completed_by_hand_stays_done_when_an_entry_is_corrected(school, staff, dsl):
    incident = make_case(school=school, reporter=staff, category=Category.SEXUAL_ABUSE_EXPLOITATION)
    referral = services.case_record(
        incident=incident,
        by=dsl,
        kind=EntryKind.REFERRAL,
        text="Referral made",
        data={"agency": "ceop", "when": "2026-11-20T10:00"},
    )
    police = incident.steps.get(text__startswith="Inform the police")
    services.case_step_done(step=police, by=dsl, note="Told PC Jones at the school gate")
    services.case_correct(
        incident=incident, by=dsl, entry=referral, field="agency", value="police", reason="It was the police"
    )
    police.refresh_from_db()
    assert police.done_entry.text == "Told PC Jones at the school gate"
    ceop = incident.steps.get(text__startswith="Consider a CEOP report")
    assert ceop.done_entry is None  # the referral it counted on went elsewhere
    reopened = incident.entries.filter(kind=EntryKind.STEP_REOPENED).values_list("data__step_text", flat=True)
    assert list(reopened) == [ceop.text]
