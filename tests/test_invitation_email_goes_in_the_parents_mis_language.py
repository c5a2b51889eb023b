"""The MIS file's home language column ("WEL", "Polish", "BNGS"...) sets the family's language; the invitation
email goes in it when the school offers it, in English when it does not."""

import pytest
from django.core import mail

from safeguarding_portal.schools.importer import import_people
from safeguarding_portal.schools.languages import from_mis
from safeguarding_portal.schools.models import Pupil

from . import factories_aup as f

pytestmark = pytest.mark.django_db

ROLL = (
    "UPN,Legal Forename,Surname,DOB,Year,Reg Group,Home Language,Contact Name,Contact Email,Relationship\n"
    "A123456789012,Osian,Jones,17/05/2016,5,5B,WEL,Siân Jones,sian@home.example,Mother\n"
    "B123456789012,Zofia,Nowak,03/11/2016,5,5B,Polish,Anna Nowak,anna@home.example,Mother\n"
    "C123456789012,Ayaan,Miah,03/11/2016,5,5B,BNGS,Rahima Miah,rahima@home.example,Mother\n"
)


def test_the_mis_home_language_column_is_read_as_a_language_code(school):
    run = import_people(school=school, kind="pupils", data=ROLL.encode(), filename="roll.csv")

    assert run.status == "applied"
    assert dict(Pupil.objects.filter(school=school).values_list("legal_forename", "home_language")) == {
        "Osian": "cy",
        "Zofia": "pl",
        "Ayaan": "bn",
    }
    assert (from_mis("PNJM"), from_mis("Urdu"), from_mis("Bengali (Sylheti)"), from_mis("ENG"), from_mis("FRN")) == (
        "pa",
        "ur",
        "bn",
        "en-gb",
        "",
    )


def test_each_parent_gets_the_invitation_in_their_mis_language_when_the_school_offers_it(
    school, django_capture_on_commit_callbacks
):
    import_people(school=school, kind="pupils", data=ROLL.encode(), filename="roll.csv")
    f.offer_languages(school, "cy", "bn")  # not Polish
    with django_capture_on_commit_callbacks(execute=True):
        f.campaign(school)

    by_parent = {m.to[0]: m for m in mail.outbox}
    welsh, bengali, english = (
        by_parent["sian@home.example"],
        by_parent["rahima@home.example"],
        by_parent["anna@home.example"],
    )
    assert welsh.subject == f"Llofnodwch gytundeb defnydd derbyniol {school.name}"
    assert welsh.body.startswith("Annwyl riant neu ofalwr,")
    assert bengali.body.startswith("প্রিয় অভিভাবক বা পরিচর্যাকারী,")
    assert english.body.startswith("Dear parent or carer,")  # Polish is not offered: English
    for message in (welsh, bengali, english):
        assert "/agreements/s/" in message.body  # the link is the same in every language
