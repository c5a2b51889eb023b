"""A correction points at the exact field it corrects (a field of the report, the text of a note, an agency);
the case page, the chronology and the PDF strike through only that field and show the correction beside
it. A corrected category is the case's category from then on: figures and the procedure follow it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from incidents import services
from incidents.categories import Category
from incidents.models import EntryKind, Incident
from incidents.trends import trends

from .factories import PupilFactory
from .incident_helpers import make_case

pytestmark = pytest.mark.django_db


def _act(client, incident, **data):
    return client.post(reverse("incidents:case_action", args=[incident.reference]), data)


def _field(page: str, name: str) -> str:
    start = page.index(f'data-field="{name}"')
    return page[start : page.index("</dd>", start)]


def test_correcting_the_description_strikes_through_the_description_alone(client, signed_in, school, staff, dsl):
    incident = make_case(
        school=school, reporter=staff, description="Jo was sent messages on Tuesday.", location_detail="ICT suite"
    )
    reported = incident.entries.get(kind=EntryKind.REPORTED)
    signed_in(dsl)
    assert (
        _act(
            client,
            incident,
            action="correct",
            entry=str(reported.pk),
            field="description",
            value="Jo was sent messages on Wednesday.",
            text="Jo's mother confirmed the day",
        ).status_code
        == 302
    )

    correction = incident.entries.get(kind=EntryKind.CORRECTION)
    assert correction.corrects == reported
    assert correction.data | {} == {
        "corrects_seq": reported.seq,
        "field": "description",
        "label": "What was seen or said",
        "was": "Jo was sent messages on Tuesday.",
        "now": "Jo was sent messages on Wednesday.",
    }
    incident.refresh_from_db()
    assert incident.description == "Jo was sent messages on Tuesday."  # what the reporter wrote never changes

    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    described = _field(page, "description")
    assert 'entry-corrected">Jo was sent messages on Tuesday.</span>' in described
    assert 'Corrected to <strong class="pre-wrap">Jo was sent messages on Wednesday.</strong>' in described
    assert "Jo&#x27;s mother confirmed the day" in described
    assert "entry-corrected" not in _field(page, "location_detail")  # the rest of the report stands


def test_a_notes_text_is_corrected_and_the_note_stays_as_written(client, signed_in, school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    note = services.case_record(incident=incident, by=dsl, kind=EntryKind.NOTE, text="Spoke to Jo at break.")
    referral = services.case_record(
        incident=incident,
        by=dsl,
        kind=EntryKind.REFERRAL,
        text="Referred",
        data={"agency": "police", "when": "2026-11-20T10:00"},
    )
    signed_in(dsl)
    assert (
        _act(
            client, incident, action="correct", entry=str(note.pk), field="text", value="Spoke to Jo at lunch."
        ).status_code
        == 302
    )
    assert (
        _act(
            client,
            incident,
            action="correct",
            entry=str(referral.pk),
            field="agency",
            value="social_care",
            text="It was MASH",
        ).status_code
        == 302
    )
    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    note_html = page[page.index(f'id="entry-{note.pk}"') : page.index("</li>", page.index(f'id="entry-{note.pk}"'))]
    assert 'entry-corrected">Spoke to Jo at break.</div>' in note_html and "Spoke to Jo at lunch." in note_html
    referral_html = page[page.index(f'id="entry-{referral.pk}"') :]
    assert '<span class="corrected entry-corrected">Police</span>' in referral_html[:2000]
    assert "Children&#x27;s social care / MASH" in referral_html[:2000]
    # The referral's own text was not corrected, so it is not struck through.
    assert 'entry-corrected">Referred</div>' not in referral_html[:2000]


def test_a_corrected_category_moves_the_figures_and_adds_its_procedure(client, signed_in, school, staff, dsl):
    pupil = PupilFactory(school=school)
    incident = make_case(school=school, reporter=staff, category=Category.CYBERBULLYING, pupils=[pupil])
    reported = incident.entries.get(kind=EntryKind.REPORTED)
    assert reported.data["category"] == Category.CYBERBULLYING  # the original is in the chain
    signed_in(dsl)
    assert (
        _act(
            client,
            incident,
            action="correct",
            entry=str(reported.pk),
            field="category",
            value=Category.SEXUAL_ABUSE_EXPLOITATION,
            text="An adult was grooming him",
        ).status_code
        == 302
    )
    incident.refresh_from_db()
    assert incident.category == Category.SEXUAL_ABUSE_EXPLOITATION
    assert incident.steps.filter(text__startswith="Inform the police").exists()
    assert incident.open_mandatory_steps == incident.steps.filter(mandatory=True, done_entry__isnull=True).count()
    counts = {bar.key: bar.n for bar in trends(school=school, with_names=False).by_category}
    assert counts[Category.SEXUAL_ABUSE_EXPLOITATION] == 1 and counts[Category.CYBERBULLYING] == 0

    page = client.get(reverse("incidents:case", args=[incident.reference])).content.decode()
    assert 'entry-corrected">Cyberbullying</span>' in _field(page, "category")
    # The reporter still sees the category they chose.
    signed_in(staff)
    mine = client.get(reverse("incidents:my_report", args=[incident.reference])).content.decode()
    assert "Cyberbullying" in mine and "grooming" not in mine


def test_corrections_that_make_no_sense_are_refused(school, staff, dsl):
    incident = make_case(school=school, reporter=staff)
    reported = incident.entries.get(kind=EntryKind.REPORTED)
    alert = incident.entries.get(kind=EntryKind.ALERT)
    for field, value in (
        ("category", "not-a-category"),
        ("category", Category.STAFF_CONDUCT),
        ("occurred_at", "next Tuesday"),
        ("description", incident.description),
        ("route", "x"),
    ):
        with pytest.raises(ValidationError):
            services.case_correct(incident=incident, by=dsl, entry=reported, field=field, value=value)
    with pytest.raises(ValidationError):
        services.case_correct(incident=incident, by=dsl, entry=alert, value="no")
    assert not Incident.objects.get(pk=incident.pk).entries.filter(kind=EntryKind.CORRECTION).exists()


def test_the_chronology_pdf_shows_the_correction_beside_the_original(client, signed_in, school, staff, dsl):
    pupil = PupilFactory(school=school)
    incident = make_case(school=school, reporter=staff, pupils=[pupil], description="Seen on Tuesday.")
    reported = incident.entries.get(kind=EntryKind.REPORTED)
    services.case_correct(incident=incident, by=dsl, entry=reported, field="description", value="Seen on Friday.")
    signed_in(dsl)
    page = client.get(reverse("incidents:chronology", args=[pupil.pk])).content.decode()
    assert 'entry-corrected">Seen on Tuesday.</span>' in page and "Seen on Friday." in page
    pdf = client.get(reverse("incidents:chronology_pdf", args=[pupil.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    squashed = "".join(text.split())  # PDF text comes back with spaces where letters were kerned apart
    assert "SeenonTuesday." in squashed and "Corrected" in squashed and "SeenonFriday." in squashed
