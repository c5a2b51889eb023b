"""Agreements, signatures and consents about a person, for a subject access request (sar.sources): what a
parent signed for the child (or the pupil themself), the child's current consents, a member of staff's own
signatures."""

from __future__ import annotations

from django.db.models import Q

from sar.sources import Passage, Record, Subject, source

from .disposal import disposed_ids
from .models import Consent, Signature


@source("aup.signatures", label="Agreements signed and consents", order=50)
def signatures(*, portal, subject: Subject) -> list[Record]:
    if portal.school is None:
        return []
    whose = Q(pupil=subject.pupil) if subject.is_pupil else Q(user=subject.staff, pupil__isnull=True)
    found = list(
        Signature.objects.filter(whose, school=portal.school)
        .select_related("version__agreement")
        .order_by("signed_at", "pk")
    )
    records = []
    gone = disposed_ids(s.pk for s in found)
    for s in found:
        prefix = f"aup.signature:{s.pk}"
        if s.pk in gone:
            # Disposed of under the retention schedule: nothing personal is left to disclose, only that it was.
            t = gone[s.pk]
            text = f"Disposed of under the retention schedule on {t.disposed_at:%-d %B %Y} ({t.rule})"
            passages = [Passage(f"{prefix}/disposed", "Disposed of", text)]
            records.append(Record(prefix, f"{s.version.agreement.title}, {s.version.label}", s.signed_at, passages))
            continue
        passages = [
            Passage(f"{prefix}/signer", "Signed by", s.signer_name + (f" ({s.organisation})" if s.organisation else ""))
        ]
        passages.append(
            Passage(f"{prefix}/how", "How", f"{s.get_method_display()}, verification code {s.verification_code}")
        )
        if s.consents:
            passages.append(
                Passage(
                    f"{prefix}/consents",
                    "Consents given then",
                    "; ".join(f"{k}: {'yes' if v else 'no'}" for k, v in sorted(s.consents.items())),
                )
            )
        records.append(Record(prefix, f"{s.version.agreement.title}, {s.version.label}", s.signed_at, passages))
    if subject.is_pupil:
        now = list(Consent.objects.filter(school=portal.school, pupil=subject.pupil).order_by("label"))
        if now:
            prefix = f"aup.consents:{subject.pupil.pk}"
            records.append(
                Record(
                    prefix,
                    "Consents as they stand",
                    None,
                    [
                        Passage(
                            f"{prefix}/{c.key}",
                            c.label,
                            f"{'Given' if c.given else 'Not given'} (last changed by {c.changed_by})",
                        )
                        for c in now
                    ],
                )
            )
    return records
