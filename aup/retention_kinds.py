"""How long the portal keeps signed agreements and consents by default (safeguarding_portal.retention)."""

from safeguarding_portal.retention.registry import RecordKind, Trigger, register

from .disposal import AgreementDisposal

# The IRMS toolkit for schools has no line for acceptable use agreements; they are a promise each party made,
# so the portal keeps them while the person is at the school and six years after, the limitation period for a
# claim in contract (Limitation Act 1980, s.5), as the toolkit does for staff records.
register(
    RecordKind(
        name="aup.agreements",
        label="Agreements and consents",
        trigger=Trigger.LEFT,
        years=6,
        covers="Signed acceptable use agreements, parents' consents, paper scans and certificates.",
        source="Kept while on roll or in post, then 6 years: the Limitation Act 1980 period for a claim in contract.",
        disposal=AgreementDisposal(),
    )
)
