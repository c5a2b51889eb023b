"""The policy's incident categories, grouped by KCSiE's 4 Cs, and the default procedure for each.

Procedures follow Appendix A ("Procedures for Responding to Specific Online Incidents or Concerns") of
the seed policy; schools edit their own copy (``ProcedureStep``), and each new case takes a snapshot.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import models


class FourC(models.TextChoices):
    CONTENT = "content", "Content"
    CONTACT = "contact", "Contact"
    CONDUCT = "conduct", "Conduct"
    COMMERCE = "commerce", "Commerce"


class Category(models.TextChoices):
    # Content
    HARMFUL_CONTENT_ACCIDENTAL = "harmful_content_accidental", "Harmful or inappropriate content (seen by accident)"
    HARMFUL_CONTENT_DELIBERATE = (
        "harmful_content_deliberate",
        "Harmful or inappropriate content (searched for or shared)",
    )
    MISINFORMATION = "misinformation", "Misinformation, disinformation or conspiracy theories"
    RADICALISATION = "radicalisation", "Radicalisation and extremism"
    ONLINE_HATE = "online_hate", "Online hate"
    INDECENT_IMAGES = "indecent_images", "Indecent images of children (IIOC)"
    FILTERING_BREACH = "filtering_breach", "Filtering breach (a site that should have been blocked)"
    # KCSiE 2026: misogynistic content and the harassment it feeds.
    ONLINE_MISOGYNY = "online_misogyny", "Online misogyny and harassment"
    # Contact
    SEXUAL_ABUSE_EXPLOITATION = "sexual_abuse_exploitation", "Online child sexual abuse, exploitation or grooming"
    UNWANTED_CONTACT = "unwanted_contact", "Unwanted contact from a stranger or adult"
    # KCSiE 2026
    SEXTORTION = "sextortion", "Sextortion (financially motivated sexual extortion)"
    COERCIVE_CONTROL = "coercive_control", "Coercive or controlling behaviour online"
    # Conduct
    CYBERBULLYING = "cyberbullying", "Cyberbullying"
    YOUTH_PRODUCED_IMAGERY = "youth_produced_imagery", "Youth-produced sexual imagery (nudes and semi-nudes, “sexting”)"
    # KCSiE 2026: handled as youth-produced imagery or as indecent images of children (UKCIS), never stored.
    AI_SEXUAL_IMAGERY = (
        "ai_sexual_imagery",
        "AI-generated or altered sexual imagery of a child (deepfakes, “nudification” apps)",
    )
    PERSONAL_DEVICE_MISUSE = "personal_device_misuse", "Misuse of personal devices"
    EXCESSIVE_USE = "excessive_use", "Excessive use or gaming"
    PERSONAL_DATA_LOSS = "personal_data_loss", "Personal data loss or privacy breach"
    COPYRIGHT = "copyright", "Copyright or plagiarism"
    STAFF_CONDUCT = "staff_conduct", "Allegation about a member of staff's conduct online"
    # Commerce
    PHISHING_SCAMS = "phishing_scams", "Phishing, scams or fraud"
    GAMBLING_SPENDING = "gambling_spending", "Online gambling, loot boxes or in-game spending"


FOUR_C: dict[str, str] = {
    Category.HARMFUL_CONTENT_ACCIDENTAL: FourC.CONTENT,
    Category.HARMFUL_CONTENT_DELIBERATE: FourC.CONTENT,
    Category.MISINFORMATION: FourC.CONTENT,
    Category.RADICALISATION: FourC.CONTENT,
    Category.ONLINE_HATE: FourC.CONTENT,
    Category.INDECENT_IMAGES: FourC.CONTENT,
    Category.FILTERING_BREACH: FourC.CONTENT,
    Category.ONLINE_MISOGYNY: FourC.CONTENT,
    Category.SEXUAL_ABUSE_EXPLOITATION: FourC.CONTACT,
    Category.UNWANTED_CONTACT: FourC.CONTACT,
    Category.SEXTORTION: FourC.CONTACT,
    Category.COERCIVE_CONTROL: FourC.CONTACT,
    Category.CYBERBULLYING: FourC.CONDUCT,
    Category.YOUTH_PRODUCED_IMAGERY: FourC.CONDUCT,
    Category.AI_SEXUAL_IMAGERY: FourC.CONDUCT,
    Category.PERSONAL_DEVICE_MISUSE: FourC.CONDUCT,
    Category.EXCESSIVE_USE: FourC.CONDUCT,
    Category.PERSONAL_DATA_LOSS: FourC.CONDUCT,
    Category.COPYRIGHT: FourC.CONDUCT,
    Category.STAFF_CONDUCT: FourC.CONDUCT,
    Category.PHISHING_SCAMS: FourC.COMMERCE,
    Category.GAMBLING_SPENDING: FourC.COMMERCE,
}

# Policy 9.1 and 9.3: such files are never to be viewed, copied, saved or shared, so the portal refuses them.
# An AI-made or altered nude of a child is an indecent image in law, and sextortion turns on such images: the
# same refusal applies to both.
NO_ATTACHMENT_CATEGORIES = frozenset(
    {
        Category.YOUTH_PRODUCED_IMAGERY,
        Category.INDECENT_IMAGES,
        Category.SEXUAL_ABUSE_EXPLOITATION,
        Category.AI_SEXUAL_IMAGERY,
        Category.SEXTORTION,
    }
)

NO_ATTACHMENT_GUIDANCE = (
    "Do not attach, view, copy, save, forward or print any image you suspect is an indecent image of a child. "
    "Do not ask a child to show or send it to you. Secure the device (switch it off or put it in a locked place "
    "without looking through it) and tell the Designated Safeguarding Lead immediately. "
    "Describe what you were told or saw in words instead."
)


def categories_by_four_c() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a <select> with <optgroup>s, in the 4 Cs' usual order."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for four_c in FourC:
        items = [(c.value, c.label) for c in Category if FOUR_C[c] == four_c]
        groups.append((four_c.label, items))
    return groups


def categories_in(four_c: str) -> list[str]:
    return [c for c, group in FOUR_C.items() if group == four_c]


class StepSpec(NamedTuple):
    """One step of a procedure: its wording, whether a case may close with it open, and the timeline
    entries that complete it when recorded (keys of incidents.procedures.COMPLETIONS; none: by hand)."""

    text: str
    mandatory: bool
    completed_by: tuple[str, ...] = ()


S = StepSpec


_NOTIFY_DSL = "Notify the Designated Safeguarding Lead immediately"
_SECURE = "Store any devices involved securely"
_RISK = "Carry out a risk assessment for the children involved"
_VULN = "Consider the vulnerabilities of the children involved (including checks with other agencies)"
_SUPPORT = "Put safeguards and pastoral support in place for the children involved"
_PARENTS = "Inform parents or carers about the incident and how it is being managed (or record why not)"
_REVIEW = "Review the handling of the incident and record lessons learnt"
_RECORD = "Record the incident and the actions taken"
_ADVICE = "If unsure whether a crime has been committed, get advice from the Education Safeguarding Team or police"

DEFAULT_PROCEDURES: dict[str, list[StepSpec]] = {
    Category.YOUTH_PRODUCED_IMAGERY: [
        S(_NOTIFY_DSL, True, ("alert",)),
        S("Store the device securely; do not view, copy or share the imagery", True, ("device_secured",)),
        S(_RISK, True, ("risk_assessment",)),
        S(_VULN, True),
        S(
            "Refer to children's social care and/or the police as needed, or record the decision not to refer",
            True,
            ("referral:social_care", "referral:police", "no_referral"),
        ),
        S(_SUPPORT, True, ("support",)),
        S(
            "Apply sanctions under the behaviour policy, taking care not to further traumatise victims",
            False,
            ("sanction",),
        ),
        S(_PARENTS, True, ("parent_contact", "parent_not_informed")),
        S(_REVIEW, True, ("debrief",)),
    ],
    Category.SEXUAL_ABUSE_EXPLOITATION: [
        S(_NOTIFY_DSL, True, ("alert",)),
        S(_SECURE, True, ("device_secured",)),
        S("Inform the police via 101 (999 if a child is at immediate risk)", True, ("referral:police",)),
        S("Consider a CEOP report with the child", False, ("referral:ceop",)),
        S("Risk assessment considering vulnerabilities and checks with other agencies", True, ("risk_assessment",)),
        S(
            "Refer to children's social care if needed, or record the decision not to refer",
            True,
            ("referral:social_care", "no_referral"),
        ),
        S(_SUPPORT, True, ("support",)),
        S(_PARENTS, True, ("parent_contact", "parent_not_informed")),
        S("If pupils at other schools may be targeted, tell the Education Safeguarding Team", False, ("referral:est",)),
        S(_REVIEW, True, ("debrief",)),
    ],
    Category.INDECENT_IMAGES: [
        S(_NOTIFY_DSL, True, ("alert",)),
        S(_SECURE, True, ("device_secured",)),
        S("Report the URLs to the Internet Watch Foundation (iwf.org.uk)", True, ("referral:iwf",)),
        S("Inform the police via 101 (999 if a child is at immediate risk)", True, ("referral:police",)),
        S("Ensure any copies (for example in emails) are deleted, unless the police ask otherwise", True),
        S("If a member of staff is involved, inform the LADO", False, ("referral:lado",)),
        S(_REVIEW, True, ("debrief",)),
    ],
    Category.RADICALISATION: [
        S(_NOTIFY_DSL, True, ("alert",)),
        S("Consider a Prevent referral (Channel) and record the decision", True, ("referral:prevent", "no_referral")),
        S(_ADVICE, False),
        S(_PARENTS, False, ("parent_contact", "parent_not_informed")),
        S(_REVIEW, True, ("debrief",)),
    ],
    Category.ONLINE_HATE: [
        S(_RECORD, True),
        S("Respond under the anti-bullying and behaviour policies", True),
        S("Contact the police if a criminal offence is suspected", False, ("referral:police",)),
        S(_PARENTS, True, ("parent_contact", "parent_not_informed")),
    ],
    Category.CYBERBULLYING: [
        S(_RECORD, True),
        S("Advise those involved to keep a record of the bullying as evidence", True),
        S("Identify those responsible where possible (system logs, witnesses)", False),
        S(
            "Ask for the material to be removed; contact the service provider if it is not",
            False,
            ("referral:service_provider",),
        ),
        S("Consider suspending internet access or other sanctions under the AUP", False, ("sanction",)),
        S(_PARENTS, True, ("parent_contact", "parent_not_informed")),
        S(_SUPPORT, True, ("support",)),
    ],
    Category.STAFF_CONDUCT: [
        S("The headteacher considers the allegation (LADO route)", True),
        S("Consult the LADO within one working day and record the advice", True, ("referral:lado",)),
        S("Secure devices and evidence as advised", False, ("device_secured",)),
        S("Record the outcome and any actions under the conduct policy", True),
    ],
    Category.FILTERING_BREACH: [
        S("Record the URL and how it was reached", True),
        S("Raise a filtering change request to block it", True),
        S(_SUPPORT, False, ("support",)),
        S(_PARENTS, False, ("parent_contact", "parent_not_informed")),
    ],
    # KCSiE 2026's harms. The steps follow UKCIS "Sharing nudes and semi-nudes" (AI-made imagery is handled the
    # same way, and as an indecent image of a child in law), the NCA's sextortion alert for education settings
    # (do not pay, do not delete, report) and the policy's own responses to bullying and abuse.
    Category.AI_SEXUAL_IMAGERY: [
        S(_NOTIFY_DSL, True, ("alert",)),
        S("Do not view, copy, screenshot, save or share the imagery; secure the device", True, ("device_secured",)),
        S(
            "Decide whether to handle it as youth-produced imagery or as indecent images of a child, and record why",
            True,
        ),
        S(_RISK, True, ("risk_assessment",)),
        S("Report the URLs to the Internet Watch Foundation (iwf.org.uk)", True, ("referral:iwf",)),
        S(
            "Help the child pictured use Report Remove (Childline and IWF) to have the imagery taken down",
            False,
            ("referral:report_remove",),
        ),
        S(
            "Inform the police via 101 (999 if a child is at immediate risk), or record the decision not to refer",
            True,
            ("referral:police", "no_referral"),
        ),
        S("Consider a CEOP report if an adult made, asked for or shared the imagery", False, ("referral:ceop",)),
        S(
            "Refer to children's social care as needed, or record the decision not to refer",
            True,
            ("referral:social_care", "no_referral"),
        ),
        S(_SUPPORT, True, ("support",)),
        S("Apply sanctions under the behaviour policy to those who made or shared it", False, ("sanction",)),
        S(_PARENTS, True, ("parent_contact", "parent_not_informed")),
        S(_REVIEW, True, ("debrief",)),
    ],
    Category.SEXTORTION: [
        S(_NOTIFY_DSL, True, ("alert",)),
        S("Reassure the child: do not pay, do not delete the messages or the account, stop all contact", True),
        S("Do not view, copy, screenshot or save any images; secure the device", True, ("device_secured",)),
        S("Inform the police via 101 (999 if a child is at immediate risk)", True, ("referral:police",)),
        S("Make a CEOP report with the child", True, ("referral:ceop",)),
        S(
            "Help the child use Report Remove (Childline and IWF) to have images taken down",
            False,
            ("referral:report_remove",),
        ),
        S("Report the account to the platform", False, ("referral:service_provider",)),
        S(_RISK, True, ("risk_assessment",)),
        S(
            "Refer to children's social care if needed, or record the decision not to refer",
            True,
            ("referral:social_care", "no_referral"),
        ),
        S(_SUPPORT, True, ("support",)),
        S(_PARENTS, True, ("parent_contact", "parent_not_informed")),
        S(_REVIEW, True, ("debrief",)),
    ],
    Category.ONLINE_MISOGYNY: [
        S(_RECORD, True),
        S("Respond under the behaviour, anti-bullying and sexual harassment policies", True),
        S(_SUPPORT, True, ("support",)),
        S(
            "Ask for the material to be removed; report it to the service provider if it is not",
            False,
            ("referral:service_provider",),
        ),
        S("Contact the police if threats, stalking or image-based abuse are involved", False, ("referral:police",)),
        S("Consider teaching on healthy relationships and online influencers for the year group", False),
        S(_PARENTS, True, ("parent_contact", "parent_not_informed")),
        S(_REVIEW, False, ("debrief",)),
    ],
    Category.COERCIVE_CONTROL: [
        S(_NOTIFY_DSL, True, ("alert",)),
        S(_RISK, True, ("risk_assessment",)),
        S(_VULN, True),
        S(
            "Refer to children's social care (domestic abuse or teenage relationship abuse), or record the decision "
            "not to refer",
            True,
            ("referral:social_care", "no_referral"),
        ),
        S("Inform the police if a child is at risk or an offence is suspected", False, ("referral:police",)),
        S("Consider a CEOP report if an adult is controlling the child online", False, ("referral:ceop",)),
        S(_SUPPORT, True, ("support",)),
        S(_PARENTS + ", only when it is safe for the child", True, ("parent_contact", "parent_not_informed")),
        S(_REVIEW, True, ("debrief",)),
    ],
    Category.PHISHING_SCAMS: [
        S(_RECORD, True),
        S("Secure affected accounts (change passwords, revoke sessions)", True),
        S("Report to Action Fraud if money or data was lost", False, ("referral:action_fraud",)),
    ],
    Category.PERSONAL_DATA_LOSS: [
        S("Tell the Data Protection Officer the same day", True),
        S("Assess whether the ICO must be told within 72 hours, and record the decision", True),
        S(_RECORD, True),
    ],
}
GENERIC_PROCEDURE: list[StepSpec] = [
    S(_RECORD, True),
    S(_PARENTS, False, ("parent_contact", "parent_not_informed")),
    S(_REVIEW, False, ("debrief",)),
]


def default_procedure(category: str) -> list[StepSpec]:
    return DEFAULT_PROCEDURES.get(category, GENERIC_PROCEDURE)
