"""The access policy: the one place that says who may see or do what.

Three tables, read by the middleware (for every URL), the templates (for navigation) and the selectors
(for object rules):

* ``ROLE_CAPABILITIES``: what each role may do at the school (or trust) it holds the role in.
* ``URL_RULES``: the rule for every named URL of the project. A URL that is not listed is refused, and
  the access test fails the build, so a new view cannot forget its rule.
* ``TWO_FACTOR_ROLES``: roles whose holders must pass a TOTP check before anything but sign-in pages.

Object rules (such as "the reporter of an incident") are functions at the end of this module, or, when they
read a domain app's models, in that app's ``access.py`` (the cases' rules: ``incidents/access.py``); views and
selectors call them instead of writing their own conditions. The foundations import no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from safeguarding_portal.core import plugins

if TYPE_CHECKING:
    pass


class Role(models.TextChoices):
    STAFF = "staff", "Staff member"
    DSL = "dsl", "Designated Safeguarding Lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy DSL"
    ONLINE_SAFETY_LEAD = "online_safety_lead", "Online safety lead"
    HEADTEACHER = "headteacher", "Headteacher"
    TECHNICIAN = "technician", "Technician (filtering management)"
    GOVERNOR = "governor", "Governor"
    PARENT = "parent", "Parent or carer"
    TRUST_LEAD = "trust_lead", "Trust safeguarding lead"
    OFFICE = "office", "School office / data protection"


class Cap(StrEnum):
    """Capabilities. The value is what templates test: ``{% if "incidents.report" in portal.caps %}``."""

    # Incidents
    REPORT_CONCERN = "incidents.report"
    VIEW_OWN_REPORTS = "incidents.view_own"
    TRIAGE = "incidents.triage"
    OPEN_CASES = "incidents.open_cases"  # may open case pages; which cases is the object rule below
    NAME_FLAGGED_PUPILS = "incidents.name_flagged_pupils"  # trends name pupils with 3+ concerns this term
    RECEIVE_STAFF_ALLEGATIONS = "incidents.staff_allegations"
    VIEW_TRENDS = "incidents.trends"  # aggregates only; names of flagged pupils also need TRIAGE
    EDIT_PROCEDURES = "incidents.procedures"  # the school's checklists per category (new cases only)
    VIEW_SHARED_CASES = "incidents.view_shared"  # open, read-only, a case the DSL shared with them by name
    DEVICE_SEARCHES = "incidents.device_searches"  # record and read searches of pupils' devices
    # People and the school
    SEARCH_PUPILS = "people.search_pupils"
    VIEW_PUPILS = "people.view_pupils"
    # A pupil's vulnerability flags (CP plan, looked after, SEND...): the DSL team only; others see counts.
    VIEW_VULNERABILITY_FLAGS = "people.vulnerability_flags"
    VIEW_STAFF = "people.view_staff"
    IMPORT_PEOPLE = "people.import"
    MANAGE_SCHOOL = "school.manage"
    VIEW_CONTACTS = "school.view_contacts"
    VIEW_AUDIT = "audit.view"
    # Agreements
    SIGN_OWN_AGREEMENTS = "aup.sign_own"
    MANAGE_AGREEMENTS = "aup.manage"
    VIEW_PHOTO_CONSENTS = "aup.photo_consents"  # a class's photo consents ("can I publish this photo?")
    RECORD_PUPIL_AGREEMENTS = "aup.record_pupils"  # teacher as witness of a class's pupil agreements

    # Filtering
    REQUEST_FILTER_CHANGE = "filtering.request"
    APPROVE_FILTER_CHANGE = "filtering.approve"
    APPLY_FILTER_CHANGE = "filtering.apply"
    VIEW_FILTER_LOG = "filtering.view_log"
    ASSESS_FILTER_RISK = "filtering.assess"  # educational (or, for technicians, technical) risk view
    MANAGE_FILTERING = "filtering.manage"  # responsibilities and reviews
    RECORD_FILTER_CHECK = "filtering.record_check"
    RECONCILE_FILTER_LOG = "filtering.reconcile"  # import the vendor's log and see what nobody approved

    # Curriculum and training
    LOG_TEACHING = "curriculum.log"
    VIEW_CURRICULUM = "curriculum.view"
    MANAGE_TRAINING = "curriculum.manage_training"
    VIEW_OWN_TRAINING = "curriculum.own_training"  # everyone who works at the school, governors too
    MANAGE_CURRICULUM = "curriculum.manage"  # units, events, the incident-to-strand map and threshold
    VIEW_POLICIES = "curriculum.view_policies"  # the policy register (read)
    MANAGE_POLICIES = "curriculum.manage_policies"

    # The DSL on duty, Operation Encompass and the AI tools register (duty)
    VIEW_DUTY_ROTA = "duty.view_rota"  # who is on duty: everyone who works at the school
    MANAGE_DUTY_ROTA = "duty.manage_rota"  # the weekly pattern, swaps, escalation times
    # Operation Encompass police notifications: confidential to the DSL team and the head
    VIEW_ENCOMPASS = "duty.encompass"
    OWN_SUPPORT_ACTIONS = "duty.own_actions"  # the support actions one is asked to take (nothing more)
    # The AI tools register (no pupil in it): read, add and assess, decide
    VIEW_AI_TOOLS = "duty.ai_tools"
    MANAGE_AI_TOOLS = "duty.manage_ai_tools"
    DECIDE_AI_TOOLS = "duty.decide_ai_tools"

    # Reports
    VIEW_GOVERNOR_REPORTS = "reports.view"  # ask for, watch and download the school's governor reports
    VIEW_REMINDER_LOG = "reminders.view_log"  # what reminders were sent, failed or bounced at the school
    # Every email's delivery (alerts above all), and the banner when an urgent alert has not gone.
    VIEW_EMAIL_DELIVERIES = "outbox.view_deliveries"

    # Monitoring alerts (the monitoring product's alerts in one timed queue)
    TRIAGE_ALERTS = "monitoring.triage"  # the queue, each alert's content, closing and escalating: DSL team only
    IMPORT_ALERTS = "monitoring.import"  # upload a vendor's CSV export (the result shows counts, not content)
    VIEW_ALERT_COUNTS = "monitoring.counts"  # how many alerts, by state and vendor; never which pupil or what
    MANAGE_ALERT_INTAKE = "monitoring.manage_intake"  # webhooks (secrets) and the CSV column mappings

    # Retention schedule (safeguarding_portal.retention): how long each kind of record is kept
    MANAGE_RETENTION = "retention.manage"

    # Subject access requests (sar): log a request, see the list and its deadlines, extend, be reminded...
    MANAGE_SAR = "sar.manage"
    # ...and read the review pack, mark redactions, build, download and send the disclosure. Whose pack each
    # reviewer may open is the object rule can_review_subject_access below (pupil: DSL team; staff: head).
    REVIEW_SAR = "sar.review"

    # Trust
    VIEW_TRUST_AGGREGATES = "trust.aggregates"
    MANAGE_TRUST = "trust.manage"  # the dashboard's thresholds; adding a school to the trust


_EVERY_STAFF_MEMBER = {
    Cap.REPORT_CONCERN,
    Cap.VIEW_OWN_REPORTS,
    Cap.SEARCH_PUPILS,
    Cap.VIEW_CONTACTS,
    Cap.SIGN_OWN_AGREEMENTS,
    Cap.REQUEST_FILTER_CHANGE,
    Cap.LOG_TEACHING,
}
_SAFEGUARDING_TEAM = _EVERY_STAFF_MEMBER | {
    Cap.TRIAGE,
    Cap.OPEN_CASES,
    Cap.NAME_FLAGGED_PUPILS,
    Cap.VIEW_PUPILS,
    Cap.VIEW_VULNERABILITY_FLAGS,
    Cap.VIEW_STAFF,
    Cap.IMPORT_PEOPLE,
    Cap.VIEW_FILTER_LOG,
    Cap.VIEW_CURRICULUM,
    Cap.VIEW_GOVERNOR_REPORTS,
    Cap.MANAGE_AGREEMENTS,
    Cap.VIEW_TRENDS,
    Cap.EDIT_PROCEDURES,
}

ROLE_CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.STAFF: frozenset(_EVERY_STAFF_MEMBER),
    Role.DSL: frozenset(_SAFEGUARDING_TEAM | {Cap.MANAGE_SCHOOL, Cap.VIEW_AUDIT, Cap.MANAGE_TRAINING}),
    # "Nothing is hidden from them at their school": deputies read the audit log like the DSL.
    Role.DEPUTY_DSL: frozenset(_SAFEGUARDING_TEAM | {Cap.VIEW_AUDIT}),
    # Trends, curriculum, training and policy reviews: aggregates, not pupils' records or parents' details.
    Role.ONLINE_SAFETY_LEAD: frozenset(
        _EVERY_STAFF_MEMBER
        | {Cap.VIEW_CURRICULUM, Cap.MANAGE_TRAINING, Cap.VIEW_GOVERNOR_REPORTS, Cap.VIEW_STAFF, Cap.VIEW_TRENDS}
    ),
    # The headteacher receives allegations about staff and approves filtering changes, but triage of
    # pupils' concerns is the DSL team's: a head who is also the DSL holds both roles.
    Role.HEADTEACHER: frozenset(
        _EVERY_STAFF_MEMBER
        | {
            Cap.RECEIVE_STAFF_ALLEGATIONS,
            Cap.OPEN_CASES,
            Cap.VIEW_PUPILS,
            Cap.VIEW_STAFF,
            Cap.IMPORT_PEOPLE,
            Cap.MANAGE_SCHOOL,
            Cap.VIEW_AUDIT,
            Cap.APPROVE_FILTER_CHANGE,
            Cap.VIEW_FILTER_LOG,
            Cap.VIEW_CURRICULUM,
            Cap.MANAGE_TRAINING,
            Cap.VIEW_GOVERNOR_REPORTS,
            Cap.MANAGE_AGREEMENTS,
            Cap.VIEW_TRENDS,
            Cap.EDIT_PROCEDURES,
        }
    ),
    # Technicians report like any staff member but never search pupils beyond that, nor see case notes.
    Role.TECHNICIAN: frozenset(_EVERY_STAFF_MEMBER | {Cap.APPLY_FILTER_CHANGE, Cap.VIEW_FILTER_LOG}),
    # Governors may report a concern (the brief: "any staff member, governor or technician") but never
    # see anything that identifies a child, so no pupil search.
    Role.GOVERNOR: frozenset(
        {
            Cap.REPORT_CONCERN,
            Cap.VIEW_OWN_REPORTS,
            Cap.VIEW_GOVERNOR_REPORTS,
            Cap.SIGN_OWN_AGREEMENTS,
            Cap.VIEW_CONTACTS,
        }
    ),
    Role.PARENT: frozenset({Cap.SIGN_OWN_AGREEMENTS}),
    Role.TRUST_LEAD: frozenset({Cap.VIEW_TRUST_AGGREGATES, Cap.MANAGE_TRUST}),
    # The school office / data protection: the whole role in one place. They work at the school, so they report
    # a concern, see their own reports, who is on duty and the policies, sign their agreement and take training;
    # they log subject access requests, see the list and its deadlines and are reminded of them. They never read
    # a safeguarding record: no case, pupil page, alert or review pack (no REVIEW_SAR, TRIAGE or VIEW_PUPILS).
    Role.OFFICE: frozenset(
        {
            Cap.REPORT_CONCERN,
            Cap.VIEW_OWN_REPORTS,
            Cap.SEARCH_PUPILS,  # to name the pupil a concern is about, as every member of staff may
            Cap.VIEW_CONTACTS,
            Cap.SIGN_OWN_AGREEMENTS,
            Cap.VIEW_DUTY_ROTA,
            Cap.OWN_SUPPORT_ACTIONS,
            Cap.VIEW_OWN_TRAINING,
            Cap.VIEW_POLICIES,
            Cap.MANAGE_SAR,
        }
    ),
}

# Capabilities each domain app grants beyond the sets above, one table per app (merged below), so each
# app's grants live apart: ``{Role.X: {Cap.Y, ...}}``.
# Teachers (the staff role) and the safeguarding team see a class's photo consents and record pupils'
# agreements; technicians and governors do not see pupils at all.
AUP_GRANTS: dict[str, set[Cap]] = {
    Role.STAFF: {Cap.VIEW_PHOTO_CONSENTS, Cap.RECORD_PUPIL_AGREEMENTS},
    Role.DSL: {Cap.VIEW_PHOTO_CONSENTS, Cap.RECORD_PUPIL_AGREEMENTS},
    Role.DEPUTY_DSL: {Cap.VIEW_PHOTO_CONSENTS, Cap.RECORD_PUPIL_AGREEMENTS},
    Role.HEADTEACHER: {Cap.VIEW_PHOTO_CONSENTS, Cap.RECORD_PUPIL_AGREEMENTS},
    Role.ONLINE_SAFETY_LEAD: {Cap.VIEW_PHOTO_CONSENTS, Cap.RECORD_PUPIL_AGREEMENTS},
}

# The DSL is a member of the senior leadership team (KCSiE), so approves filtering changes like the head:
# two senior approvers mean a request by one of them can still be decided by someone else (four eyes).
FILTERING_GRANTS: dict[str, set[Cap]] = {
    Role.HEADTEACHER: {Cap.ASSESS_FILTER_RISK, Cap.MANAGE_FILTERING, Cap.RECORD_FILTER_CHECK, Cap.RECONCILE_FILTER_LOG},
    Role.DSL: {
        Cap.APPROVE_FILTER_CHANGE,
        Cap.ASSESS_FILTER_RISK,
        Cap.MANAGE_FILTERING,
        Cap.RECORD_FILTER_CHECK,
        Cap.RECONCILE_FILTER_LOG,
    },
    Role.DEPUTY_DSL: {Cap.ASSESS_FILTER_RISK},
    Role.ONLINE_SAFETY_LEAD: {Cap.ASSESS_FILTER_RISK},
    Role.TECHNICIAN: {Cap.ASSESS_FILTER_RISK, Cap.RECORD_FILTER_CHECK, Cap.RECONCILE_FILTER_LOG},
}

CURRICULUM_GRANTS: dict[str, set[Cap]] = {
    # Everyone who works at the school sees their own training and the school's policies; parents do not.
    Role.STAFF: {Cap.VIEW_OWN_TRAINING, Cap.VIEW_POLICIES},
    Role.DSL: {Cap.VIEW_OWN_TRAINING, Cap.VIEW_POLICIES, Cap.MANAGE_CURRICULUM, Cap.MANAGE_POLICIES},
    Role.DEPUTY_DSL: {Cap.VIEW_OWN_TRAINING, Cap.VIEW_POLICIES},
    Role.ONLINE_SAFETY_LEAD: {Cap.VIEW_OWN_TRAINING, Cap.VIEW_POLICIES, Cap.MANAGE_CURRICULUM, Cap.MANAGE_POLICIES},
    Role.HEADTEACHER: {Cap.VIEW_OWN_TRAINING, Cap.VIEW_POLICIES, Cap.MANAGE_CURRICULUM, Cap.MANAGE_POLICIES},
    Role.TECHNICIAN: {Cap.VIEW_OWN_TRAINING, Cap.VIEW_POLICIES},
    # Governors approve policies and are trained themselves; curriculum coverage reaches them as aggregates
    # in the termly report rather than as pages.
    Role.GOVERNOR: {Cap.VIEW_OWN_TRAINING, Cap.VIEW_POLICIES},
}

REPORTS_GRANTS: dict[str, set[Cap]] = {
    # Bounced reminders are "shown to the office": the DSL team and the head run the school's records.
    Role.DSL: {Cap.VIEW_REMINDER_LOG, Cap.VIEW_EMAIL_DELIVERIES},
    Role.DEPUTY_DSL: {Cap.VIEW_REMINDER_LOG, Cap.VIEW_EMAIL_DELIVERIES},
    Role.HEADTEACHER: {Cap.VIEW_REMINDER_LOG, Cap.VIEW_EMAIL_DELIVERIES},
}

# A case is shared by name with teaching and pastoral staff who need to know (incidents.services.case_share
# refuses technicians, governors and the subject); they open it read-only through their own page.
# Searches of pupils' devices name the pupil and what was found: the headteacher (who authorises searches) and
# the DSL team (who receive what puts a child at risk) record and read them; governors see counts in the report.
INCIDENTS_GRANTS: dict[str, set[Cap]] = {
    Role.STAFF: {Cap.VIEW_SHARED_CASES},
    Role.ONLINE_SAFETY_LEAD: {Cap.VIEW_SHARED_CASES},
    Role.DSL: {Cap.VIEW_SHARED_CASES, Cap.DEVICE_SEARCHES},
    Role.DEPUTY_DSL: {Cap.VIEW_SHARED_CASES, Cap.DEVICE_SEARCHES},
    Role.HEADTEACHER: {Cap.VIEW_SHARED_CASES, Cap.DEVICE_SEARCHES},
}

# Monitoring alerts name pupils and carry what they typed: only the DSL team reads them. The technician runs
# the monitoring product, so uploads its exports and sets up its webhook, and sees counts only; the head
# sees counts (oversight) and the governor report's figures.
MONITORING_GRANTS: dict[str, set[Cap]] = {
    Role.DSL: {Cap.TRIAGE_ALERTS, Cap.IMPORT_ALERTS, Cap.VIEW_ALERT_COUNTS, Cap.MANAGE_ALERT_INTAKE},
    Role.DEPUTY_DSL: {Cap.TRIAGE_ALERTS, Cap.IMPORT_ALERTS, Cap.VIEW_ALERT_COUNTS},
    Role.TECHNICIAN: {Cap.IMPORT_ALERTS, Cap.VIEW_ALERT_COUNTS, Cap.MANAGE_ALERT_INTAKE},
    Role.HEADTEACHER: {Cap.VIEW_ALERT_COUNTS},
}

# Everyone who works at the school sees who is on duty (whom to go to); the DSL team and the head keep the rota.
# Police notifications (Operation Encompass) are read by the DSL team and the head, who is escalated to;
# anyone who works at the school may be asked to take a support action and sees only that.
DUTY_GRANTS: dict[str, set[Cap]] = {
    Role.STAFF: {Cap.VIEW_DUTY_ROTA, Cap.OWN_SUPPORT_ACTIONS},
    Role.ONLINE_SAFETY_LEAD: {Cap.VIEW_DUTY_ROTA, Cap.OWN_SUPPORT_ACTIONS},
    Role.TECHNICIAN: {Cap.VIEW_DUTY_ROTA, Cap.OWN_SUPPORT_ACTIONS},
    Role.DSL: {Cap.VIEW_DUTY_ROTA, Cap.MANAGE_DUTY_ROTA, Cap.VIEW_ENCOMPASS, Cap.OWN_SUPPORT_ACTIONS},
    Role.DEPUTY_DSL: {Cap.VIEW_DUTY_ROTA, Cap.MANAGE_DUTY_ROTA, Cap.VIEW_ENCOMPASS, Cap.OWN_SUPPORT_ACTIONS},
    Role.HEADTEACHER: {Cap.VIEW_DUTY_ROTA, Cap.MANAGE_DUTY_ROTA, Cap.VIEW_ENCOMPASS, Cap.OWN_SUPPORT_ACTIONS},
}
# How long the school keeps its records is the data controller's decision, taken by the DSL (who owns the child
# protection records) and the head (who answers for the school's records): both see and change the schedule.
RETENTION_GRANTS: dict[str, set[Cap]] = {
    Role.DSL: {Cap.MANAGE_RETENTION},
    Role.HEADTEACHER: {Cap.MANAGE_RETENTION},
}

# Subject access requests: the office logs them and watches the deadlines (Role.OFFICE, above); the DSL team and
# the head log and manage them too, and they alone read the pack (whose: can_review_subject_access, below).
SAR_GRANTS: dict[str, set[Cap]] = {
    Role.DSL: {Cap.MANAGE_SAR, Cap.REVIEW_SAR},
    Role.DEPUTY_DSL: {Cap.MANAGE_SAR, Cap.REVIEW_SAR},
    Role.HEADTEACHER: {Cap.MANAGE_SAR, Cap.REVIEW_SAR},
}

# The AI tools register: those who keep filtering and monitoring read it; the DSL, the head and the online
# safety lead add and assess tools; senior leaders (the DSL and the head) decide, as for filtering changes.
for _role, _caps in {
    Role.DSL: {Cap.VIEW_AI_TOOLS, Cap.MANAGE_AI_TOOLS, Cap.DECIDE_AI_TOOLS},
    Role.HEADTEACHER: {Cap.VIEW_AI_TOOLS, Cap.MANAGE_AI_TOOLS, Cap.DECIDE_AI_TOOLS},
    Role.ONLINE_SAFETY_LEAD: {Cap.VIEW_AI_TOOLS, Cap.MANAGE_AI_TOOLS},
    Role.DEPUTY_DSL: {Cap.VIEW_AI_TOOLS},
    Role.TECHNICIAN: {Cap.VIEW_AI_TOOLS},
}.items():
    DUTY_GRANTS[_role] = DUTY_GRANTS.get(_role, set()) | _caps

for _grants in (
    INCIDENTS_GRANTS,
    AUP_GRANTS,
    FILTERING_GRANTS,
    CURRICULUM_GRANTS,
    REPORTS_GRANTS,
    MONITORING_GRANTS,
    DUTY_GRANTS,
    RETENTION_GRANTS,
    SAR_GRANTS,
):
    for _role, _caps in _grants.items():
        ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | frozenset(_caps)

# Capabilities that come with a flag on a membership rather than with the role itself.
FLAG_CAPABILITIES: dict[str, frozenset[Cap]] = {
    # Concerns about the headteacher go to the chair of governors.
    "is_chair": frozenset({Cap.OPEN_CASES}),
}

# The office is here because its lists name the pupils and staff whose records are asked for, and who asked.
TWO_FACTOR_ROLES = frozenset(
    {Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.TECHNICIAN, Role.TRUST_LEAD, Role.OFFICE}
)

# Roles that work in a school context (everyone but the trust lead, whose context is the trust).
SCHOOL_ROLES = frozenset(set(Role) - {Role.TRUST_LEAD})
TRUST_ROLES = frozenset({Role.TRUST_LEAD})
# The roles of people who work at the school (not governors, parents or the trust lead): who signs the staff
# agreement and takes staff training. A tuple, so lists built from it come out in the same order every time.
STAFF_ROLES = (
    Role.STAFF,
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.ONLINE_SAFETY_LEAD,
    Role.HEADTEACHER,
    Role.TECHNICIAN,
    Role.OFFICE,
)


def roles_with(capability: Cap) -> list[str]:
    """The roles that hold ``capability`` (in Role order): who a reminder about that work goes to."""
    return [role for role in Role if capability in ROLE_CAPABILITIES.get(role, frozenset())]


# --- URL rules ----------------------------------------------------------------------------------------


class Access(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not
    SIGNED_IN = "signed_in"  # any signed-in user, whatever their roles
    CAPABILITY = "capability"  # a capability in the current school or trust context
    ADMIN = "admin"  # Django's admin decides (staff users); 2FA still applies


@dataclass(frozen=True)
class Rule:
    access: Access
    capability: Cap | None = None
    # Pages a user who must enrol in or pass 2FA may still reach (sign-in, enrolment, sign-out).
    before_two_factor: bool = False

    def allows(self, caps: frozenset[Cap] | set[Cap]) -> bool:
        if self.access is Access.CAPABILITY:
            return self.capability in caps
        return True


PUBLIC = Rule(Access.PUBLIC, before_two_factor=True)
SIGNED_IN = Rule(Access.SIGNED_IN)
SIGN_IN_FLOW = Rule(Access.SIGNED_IN, before_two_factor=True)
ADMIN = Rule(Access.ADMIN)


def needs(capability: Cap) -> Rule:
    return Rule(Access.CAPABILITY, capability=capability)


URL_RULES: dict[str, Rule] = {
    # Core
    "health": PUBLIC,
    "favicon": PUBLIC,
    "home": SIGNED_IN,
    "emergency_contacts": needs(Cap.VIEW_CONTACTS),
    "switch_context": SIGNED_IN,
    # Sign-in, 2FA, passwords
    "accounts:login": PUBLIC,
    "accounts:logout": SIGN_IN_FLOW,
    # Single sign-on (accounts/sso.py, sso_urls.py): the start button, and allauth's provider pages of the
    # flow, which are reached before anyone is signed in.
    "accounts:sso_start": PUBLIC,
    "account_login": PUBLIC,
    "account_inactive": PUBLIC,
    "socialaccount_signup": PUBLIC,
    "socialaccount_login_error": PUBLIC,
    "socialaccount_login_cancelled": PUBLIC,
    "microsoft_login": PUBLIC,
    "microsoft_callback": PUBLIC,
    "google_login": PUBLIC,
    "google_callback": PUBLIC,
    "openid_connect_login": PUBLIC,
    "openid_connect_callback": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:password_change": SIGNED_IN,
    "accounts:password_change_done": SIGNED_IN,
    "accounts:two_factor_verify": SIGN_IN_FLOW,
    "accounts:two_factor_setup": SIGN_IN_FLOW,
    "accounts:two_factor_qr": SIGN_IN_FLOW,
    "accounts:backup_codes": SIGNED_IN,
    "accounts:security": SIGNED_IN,
    "accounts:resume": SIGNED_IN,
    # Schools and people
    "schools:settings": needs(Cap.MANAGE_SCHOOL),
    "schools:contacts_edit": needs(Cap.MANAGE_SCHOOL),
    "schools:terms_edit": needs(Cap.MANAGE_SCHOOL),
    "schools:pupil_list": needs(Cap.VIEW_PUPILS),
    "schools:pupil_detail": needs(Cap.VIEW_PUPILS),
    "schools:pupil_flags": needs(Cap.VIEW_VULNERABILITY_FLAGS),
    "schools:staff_list": needs(Cap.VIEW_STAFF),
    "schools:import": needs(Cap.IMPORT_PEOPLE),
    "schools:import_result": needs(Cap.IMPORT_PEOPLE),
    "schools:import_template": needs(Cap.IMPORT_PEOPLE),
    "schools:trust_overview": needs(Cap.VIEW_TRUST_AGGREGATES),
    "schools:trust_school_add": needs(Cap.MANAGE_TRUST),
    # Audit
    "audit:log": needs(Cap.VIEW_AUDIT),
    # The domain apps (their own issues replace these placeholders)
    "incidents:index": needs(Cap.VIEW_OWN_REPORTS),
    "incidents:report": needs(Cap.REPORT_CONCERN),
    "incidents:pupil_options": needs(Cap.SEARCH_PUPILS),
    "incidents:reported": needs(Cap.VIEW_OWN_REPORTS),
    "incidents:my_report": needs(Cap.VIEW_OWN_REPORTS),
    "incidents:dashboard": needs(Cap.OPEN_CASES),
    "incidents:case": needs(Cap.OPEN_CASES),
    "incidents:case_action": needs(Cap.OPEN_CASES),
    "incidents:attachment": needs(Cap.OPEN_CASES),
    "incidents:chronology": needs(Cap.TRIAGE),
    "incidents:chronology_pdf": needs(Cap.TRIAGE),
    "incidents:cp_file_produce": needs(Cap.TRIAGE),
    "incidents:transfers": needs(Cap.TRIAGE),
    "incidents:transfers_badge": needs(Cap.TRIAGE),
    "incidents:transfer": needs(Cap.TRIAGE),
    "incidents:transfer_pdf": needs(Cap.TRIAGE),
    "incidents:transfer_status": needs(Cap.TRIAGE),  # the "being prepared" panel, polled
    # Signed transfer bundles (incidents/transfer_bundles.py): sending, receiving, importing and verifying are the
    # DSL team's. The one-time link is public: its token and the passphrase sent apart are the keys.
    "incidents:bundle_send": needs(Cap.TRIAGE),
    "incidents:bundle_download": needs(Cap.TRIAGE),
    "incidents:received_list": needs(Cap.TRIAGE),
    "incidents:received": needs(Cap.TRIAGE),
    "incidents:bundle_verify": needs(Cap.TRIAGE),
    "incidents:bundle_link": PUBLIC,
    "incidents:bundle_link_confirm": PUBLIC,
    "incidents:pupil_leaving": needs(Cap.TRIAGE),
    "incidents:trends": needs(Cap.VIEW_TRENDS),
    "incidents:procedures": needs(Cap.EDIT_PROCEDURES),
    "incidents:procedure_edit": needs(Cap.EDIT_PROCEDURES),
    "incidents:procedure_adopt": needs(Cap.EDIT_PROCEDURES),
    "incidents:shared_case": needs(Cap.VIEW_SHARED_CASES),
    "incidents:dashboard_csv": needs(Cap.TRIAGE),
    "incidents:saved_filter": needs(Cap.TRIAGE),
    "incidents:case_views": needs(Cap.OPEN_CASES),
    "incidents:device_searches": needs(Cap.DEVICE_SEARCHES),
    "incidents:device_search_new": needs(Cap.DEVICE_SEARCHES),
    "incidents:device_search": needs(Cap.DEVICE_SEARCHES),
    "incidents:device_search_act": needs(Cap.DEVICE_SEARCHES),
    # A pupil tells the safeguarding team: a form and help lines, nothing about anyone, no account needed.
    "incidents:tell_root": PUBLIC,
    "incidents:tell": PUBLIC,
    "incidents:tell_thanks": PUBLIC,  # the same page for every send; shows nothing of what was sent
    "incidents:pupil_link": needs(Cap.TRIAGE),  # the link, its QR code and replacing it: the DSL team
}

# Each domain app keeps its rules in its own block below (one block per app keeps changes apart).

# --- Agreements (aup) ---
URL_RULES |= {
    "aup:index": needs(Cap.SIGN_OWN_AGREEMENTS),
    "aup:sign_own": needs(Cap.SIGN_OWN_AGREEMENTS),
    "aup:my_certificate": needs(Cap.SIGN_OWN_AGREEMENTS),
    # Public, no sign-in: each page is reached by an unguessable token or key, shows a child's name only to
    # the holder of that parent's own link, and answers a bad link without naming anyone.
    "aup:sign": PUBLIC,
    "aup:signed": PUBLIC,
    "aup:signed_certificate": PUBLIC,
    "aup:verify": PUBLIC,  # initials, agreement, school and time only
    "aup:visitor": PUBLIC,  # the agreement's text and a form; nothing about anyone
    "aup:manage": needs(Cap.MANAGE_AGREEMENTS),
    "aup:visitor_qr": needs(Cap.MANAGE_AGREEMENTS),
    "aup:agreement_adopt": needs(Cap.MANAGE_AGREEMENTS),
    "aup:agreement": needs(Cap.MANAGE_AGREEMENTS),
    "aup:campaign_new": needs(Cap.MANAGE_AGREEMENTS),
    "aup:translation_add": needs(Cap.MANAGE_AGREEMENTS),
    "aup:register": needs(Cap.MANAGE_AGREEMENTS),
    "aup:campaign": needs(Cap.MANAGE_AGREEMENTS),
    "aup:campaign_csv": needs(Cap.MANAGE_AGREEMENTS),
    "aup:campaign_close": needs(Cap.MANAGE_AGREEMENTS),
    "aup:campaign_chase": needs(Cap.MANAGE_AGREEMENTS),
    "aup:paper_agreement": needs(Cap.MANAGE_AGREEMENTS),
    "aup:paper_scan": needs(Cap.MANAGE_AGREEMENTS),
    "aup:invitation_bounced": needs(Cap.MANAGE_AGREEMENTS),
    "aup:classes": needs(Cap.VIEW_PHOTO_CONSENTS),
    "aup:class": needs(Cap.VIEW_PHOTO_CONSENTS),
}

# --- Filtering ---
URL_RULES |= {
    "filtering:index": needs(Cap.REQUEST_FILTER_CHANGE),
    "filtering:request": needs(Cap.REQUEST_FILTER_CHANGE),
    "filtering:report_site": needs(Cap.REQUEST_FILTER_CHANGE),
    "filtering:change": needs(Cap.REQUEST_FILTER_CHANGE),  # object rule: can_view_filter_change
    "filtering:assess": needs(Cap.ASSESS_FILTER_RISK),
    "filtering:decide": needs(Cap.APPROVE_FILTER_CHANGE),
    "filtering:apply": needs(Cap.APPLY_FILTER_CHANGE),
    "filtering:revert": needs(Cap.APPLY_FILTER_CHANGE),
    "filtering:log": needs(Cap.VIEW_FILTER_LOG),
    "filtering:log_csv": needs(Cap.VIEW_FILTER_LOG),
    "filtering:log_pdf": needs(Cap.VIEW_FILTER_LOG),
    "filtering:responsibilities": needs(Cap.VIEW_FILTER_LOG),
    "filtering:responsibility_add": needs(Cap.MANAGE_FILTERING),
    "filtering:responsibility_end": needs(Cap.MANAGE_FILTERING),
    "filtering:vendor": needs(Cap.RECONCILE_FILTER_LOG),
    "filtering:vendor_import": needs(Cap.RECONCILE_FILTER_LOG),
    "filtering:vendor_entry": needs(Cap.RECONCILE_FILTER_LOG),
    "filtering:checks": needs(Cap.VIEW_FILTER_LOG),
    "filtering:check_add": needs(Cap.RECORD_FILTER_CHECK),
    "filtering:check_certificate": needs(Cap.VIEW_FILTER_LOG),
    "filtering:reviews": needs(Cap.VIEW_FILTER_LOG),
    "filtering:review_add": needs(Cap.MANAGE_FILTERING),
    "filtering:review_action_done": needs(Cap.MANAGE_FILTERING),
}

# --- Curriculum, training and the policy register ---
URL_RULES |= {
    "curriculum:index": needs(Cap.VIEW_OWN_TRAINING),
    # Training
    "curriculum:my_training": needs(Cap.VIEW_OWN_TRAINING),
    "curriculum:my_training_add": needs(Cap.VIEW_OWN_TRAINING),
    "curriculum:certificate": needs(Cap.VIEW_OWN_TRAINING),  # object rule: own record, or MANAGE_TRAINING
    "curriculum:matrix": needs(Cap.MANAGE_TRAINING),
    "curriculum:matrix_csv": needs(Cap.MANAGE_TRAINING),
    "curriculum:person": needs(Cap.MANAGE_TRAINING),
    "curriculum:briefing_new": needs(Cap.MANAGE_TRAINING),
    "curriculum:briefing": needs(Cap.MANAGE_TRAINING),
    "curriculum:requirements": needs(Cap.MANAGE_TRAINING),
    "curriculum:requirement_add": needs(Cap.MANAGE_TRAINING),
    "curriculum:requirement_edit": needs(Cap.MANAGE_TRAINING),
    "curriculum:standard_adopt": needs(Cap.MANAGE_TRAINING),
    # The trust's training standards: seen by the trust lead, published by whoever manages the trust.
    "curriculum:trust_standards": needs(Cap.VIEW_TRUST_AGGREGATES),
    "curriculum:trust_standard_publish": needs(Cap.MANAGE_TRUST),
    # The trust's templates of every kind (safeguarding_portal.standards): seen by the trust lead, published by
    # whoever manages the trust; each school takes them from its own page (the domain apps' adopt URLs).
    "standards:trust": needs(Cap.VIEW_TRUST_AGGREGATES),
    "standards:trust_kind": needs(Cap.VIEW_TRUST_AGGREGATES),
    "standards:publish": needs(Cap.MANAGE_TRUST),
    # The school's retention schedule, and taking the trust's (a template of the trust, not a school's record).
    "retention:schedule": needs(Cap.MANAGE_RETENTION),
    "retention:adopt": needs(Cap.MANAGE_RETENTION),
    # Legal holds and the monthly disposal batches: the DSL and the head, who each approve a batch (the service
    # takes the approval of each role once, from two people).
    "retention:holds": needs(Cap.MANAGE_RETENTION),
    "retention:hold_place": needs(Cap.MANAGE_RETENTION),
    "retention:hold_lift": needs(Cap.MANAGE_RETENTION),
    "retention:batches": needs(Cap.MANAGE_RETENTION),
    "retention:batch": needs(Cap.MANAGE_RETENTION),
    "retention:batch_approve": needs(Cap.MANAGE_RETENTION),
    "retention:item_remove": needs(Cap.MANAGE_RETENTION),
    # Teaching
    "curriculum:log_lesson": needs(Cap.LOG_TEACHING),
    "curriculum:heatmap": needs(Cap.VIEW_CURRICULUM),
    "curriculum:units": needs(Cap.VIEW_CURRICULUM),
    "curriculum:unit_add": needs(Cap.MANAGE_CURRICULUM),
    "curriculum:unit_edit": needs(Cap.MANAGE_CURRICULUM),
    "curriculum:events": needs(Cap.VIEW_CURRICULUM),
    "curriculum:event_add": needs(Cap.MANAGE_CURRICULUM),
    # From incidents to teaching
    "curriculum:gaps": needs(Cap.VIEW_CURRICULUM),
    "curriculum:gap": needs(Cap.VIEW_CURRICULUM),
    "curriculum:mapping": needs(Cap.MANAGE_CURRICULUM),
    # Policy register
    "curriculum:policies": needs(Cap.VIEW_POLICIES),
    "curriculum:policy_add": needs(Cap.MANAGE_POLICIES),
    "curriculum:policy_edit": needs(Cap.MANAGE_POLICIES),
    "curriculum:policy_document": needs(Cap.VIEW_POLICIES),
}

# --- Reports and reminders ---
URL_RULES |= {
    "reports:index": needs(Cap.VIEW_GOVERNOR_REPORTS),
    "reports:request": needs(Cap.VIEW_GOVERNOR_REPORTS),
    "reports:detail": needs(Cap.VIEW_GOVERNOR_REPORTS),
    "reports:status": needs(Cap.VIEW_GOVERNOR_REPORTS),
    "reports:download": needs(Cap.VIEW_GOVERNOR_REPORTS),
    "reports:trust": needs(Cap.VIEW_TRUST_AGGREGATES),
    "reports:trust_pdf": needs(Cap.VIEW_TRUST_AGGREGATES),
    # The trust dashboard's drill-down: one school's aggregates (a school of the trust, never a record).
    "reports:trust_school": needs(Cap.VIEW_TRUST_AGGREGATES),
    "reports:trust_thresholds": needs(Cap.MANAGE_TRUST),
    "reports:reminders": needs(Cap.VIEW_REMINDER_LOG),
    "outbox:deliveries": needs(Cap.VIEW_EMAIL_DELIVERIES),
}

# --- Monitoring alerts ---
URL_RULES |= {
    "monitoring:index": needs(Cap.VIEW_ALERT_COUNTS),
    "monitoring:queue": needs(Cap.TRIAGE_ALERTS),
    "monitoring:alert": needs(Cap.TRIAGE_ALERTS),
    "monitoring:alert_close": needs(Cap.TRIAGE_ALERTS),
    "monitoring:alert_escalate": needs(Cap.TRIAGE_ALERTS),
    "monitoring:alert_screenshot": needs(Cap.TRIAGE_ALERTS),
    "monitoring:message": needs(Cap.TRIAGE_ALERTS),
    "monitoring:usernames": needs(Cap.TRIAGE_ALERTS),
    "monitoring:upload": needs(Cap.IMPORT_ALERTS),
    "monitoring:mapping": needs(Cap.MANAGE_ALERT_INTAKE),
    "monitoring:severities_adopt": needs(Cap.MANAGE_ALERT_INTAKE),
    "monitoring:webhooks": needs(Cap.MANAGE_ALERT_INTAKE),
    "monitoring:webhook_revoke": needs(Cap.MANAGE_ALERT_INTAKE),
    # Public: the vendor's server posts here. Only a body signed with the webhook's secret is taken; anything
    # else is refused (401) and logged, and the answer never says whether the address exists.
    "monitoring:webhook_receive": PUBLIC,
}

# --- The DSL on duty, Operation Encompass and the AI tools register (duty) ---
URL_RULES |= {
    "duty:rota": needs(Cap.VIEW_DUTY_ROTA),
    "duty:pattern": needs(Cap.MANAGE_DUTY_ROTA),
    "duty:swap": needs(Cap.MANAGE_DUTY_ROTA),
    "duty:swap_cancel": needs(Cap.MANAGE_DUTY_ROTA),
    "duty:settings": needs(Cap.MANAGE_DUTY_ROTA),
    "duty:mobile": needs(Cap.MANAGE_DUTY_ROTA),
    "duty:encompass": needs(Cap.VIEW_ENCOMPASS),
    "duty:encompass_new": needs(Cap.VIEW_ENCOMPASS),
    "duty:encompass_detail": needs(Cap.VIEW_ENCOMPASS),
    "duty:encompass_acknowledge": needs(Cap.VIEW_ENCOMPASS),
    "duty:encompass_ask": needs(Cap.VIEW_ENCOMPASS),
    "duty:my_actions": needs(Cap.OWN_SUPPORT_ACTIONS),
    "duty:action_done": needs(Cap.OWN_SUPPORT_ACTIONS),  # object rule: the person asked, or the DSL team
    "duty:ai_tools": needs(Cap.VIEW_AI_TOOLS),
    "duty:ai_tool_add": needs(Cap.MANAGE_AI_TOOLS),
    "duty:ai_tool": needs(Cap.VIEW_AI_TOOLS),
    "duty:ai_tool_assess": needs(Cap.MANAGE_AI_TOOLS),
    "duty:ai_tool_decide": needs(Cap.DECIDE_AI_TOOLS),
}

# --- Subject access requests (sar) ---
URL_RULES |= {
    "sar:index": needs(Cap.MANAGE_SAR),
    "sar:new": needs(Cap.MANAGE_SAR),
    # The subject picker's search: names pupils and staff to whoever logs requests (each search audited).
    "sar:subject_search": needs(Cap.MANAGE_SAR),
    "sar:detail": needs(Cap.MANAGE_SAR),
    "sar:extend": needs(Cap.MANAGE_SAR),
    # The pack and what is built from it: object rule can_review_subject_access (pupil: DSL team; staff: head).
    "sar:pack": needs(Cap.REVIEW_SAR),
    "sar:mark": needs(Cap.REVIEW_SAR),
    "sar:withdraw": needs(Cap.REVIEW_SAR),
    "sar:build": needs(Cap.REVIEW_SAR),
    "sar:disclosure_status": needs(Cap.REVIEW_SAR),
    "sar:disclosure_pdf": needs(Cap.REVIEW_SAR),
    "sar:sent": needs(Cap.REVIEW_SAR),
}

# Every URL in these namespaces follows the namespace rule (Django's admin has hundreds of URLs).
NAMESPACE_RULES: dict[str, Rule] = {"admin": ADMIN}


def rule_for(view_name: str | None) -> Rule | None:
    """The rule for a resolved view name such as ``schools:pupil_detail``; None when it has none."""
    if not view_name:
        return None
    if view_name in URL_RULES:
        return URL_RULES[view_name]
    namespace = view_name.split(":", 1)[0] if ":" in view_name else ""
    return NAMESPACE_RULES.get(namespace)


def capabilities_for(roles: set[str] | frozenset[str]) -> frozenset[Cap]:
    caps: set[Cap] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)


def requires_two_factor(roles: set[str] | frozenset[str], *, is_superuser: bool = False) -> bool:
    return is_superuser or bool(set(roles) & TWO_FACTOR_ROLES)


# --- Object rules -------------------------------------------------------------------------------------
# Who may see which case lives with the cases (incidents/access.py: case_visibility, can_view_case, ...); the
# foundations import no domain app. The rules below need nothing from a domain app but the record's columns.


# --- Object rules: web filtering ------------------------------------------------------------------------
# A change request is seen by whoever made it and by those who keep the filtering record (the log's
# readers, risk assessors, approvers and technicians); other staff do not browse each other's requests.

FILTER_RECORD_CAPS = frozenset(
    {Cap.VIEW_FILTER_LOG, Cap.ASSESS_FILTER_RISK, Cap.APPROVE_FILTER_CHANGE, Cap.APPLY_FILTER_CHANGE}
)


def sees_all_filter_changes(portal) -> bool:
    return portal.school is not None and any(portal.can(c) for c in FILTER_RECORD_CAPS)


def filter_change_visibility(portal) -> models.Q:
    if portal.school is None or not portal.can(Cap.REQUEST_FILTER_CHANGE):
        return Q(pk__in=[])
    if sees_all_filter_changes(portal):
        return Q(school=portal.school)
    return Q(school=portal.school, requested_by=portal.user)


def can_view_filter_change(portal, change) -> bool:
    if portal.school is None or change.school_id != portal.school.pk or not portal.can(Cap.REQUEST_FILTER_CHANGE):
        return False
    return sees_all_filter_changes(portal) or change.requested_by_id == portal.user.pk


# --- Object rules: subject access requests ---------------------------------------------------------------
# Who reads a request's review pack, marks it and builds, downloads and sends its disclosure: a pupil's records are
# the DSL team's (cases, monitoring alerts, flags), a member of staff's (allegations about them) the headteacher's;
# never one's own. Logging and tracking requests (MANAGE_SAR: the office too) opens none of it. The rule reads
# only the request's columns, so it lives here; sar/access.py registers the audit log's rule for requests.


def subject_access_visibility(portal) -> models.Q:
    """A filter on sar.SubjectAccessRequest: the requests this person manages (never one about themself)."""
    if portal.school is None or not portal.can(Cap.MANAGE_SAR):
        return Q(pk__in=[])
    return Q(school=portal.school) & ~Q(subject_staff=portal.user)


def subject_access_review_visibility(portal) -> models.Q:
    """A filter on sar.SubjectAccessRequest: the requests whose pack this person reviews (can_review_subject_access
    for one request; a test holds the two together)."""
    if portal.school is None or not portal.can(Cap.REVIEW_SAR):
        return Q(pk__in=[])
    reviewed = Q(pk__in=[])
    if portal.can(Cap.TRIAGE):
        reviewed |= Q(subject_staff__isnull=True)
    if portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS):
        reviewed |= Q(subject_staff__isnull=False)
    return Q(school=portal.school) & reviewed & ~Q(subject_staff=portal.user)


def can_review_subject_access(portal, sar) -> bool:
    if portal.school is None or sar.school_id != portal.school.pk or not portal.can(Cap.REVIEW_SAR):
        return False
    if sar.subject_staff_id is not None:
        return sar.subject_staff_id != portal.user.pk and portal.can(Cap.RECEIVE_STAFF_ALLEGATIONS)
    return portal.can(Cap.TRIAGE)


# --- Curriculum and training --------------------------------------------------------------------------


def can_view_training_record(portal, record) -> bool:
    """A training record (and its certificate): its owner, or whoever manages training at its school."""
    if portal.school is None or record.school_id != portal.school.pk:
        return False
    return record.user_id == portal.user.pk or portal.can(Cap.MANAGE_TRAINING)


# --- Object rules: the audit log ----------------------------------------------------------------------
# An entry about a record names it ("Case OAK-2026-0042", "Attachment on ..."), so listing it to someone who may
# not open the record tells them the record exists and who is looking at it: the subject of an allegation
# would learn of it from the audit log. Entries about these records are listed only to those who may see them;
# entries about anything else (sign-ins, school settings...) to everyone who reads the log.


def _visible_ids(model_label: str, portal) -> models.QuerySet | None:
    """The ids (as text, like AuditEvent.object_id) of the records of this type the person may see; None: all.

    A record type with an object rule is ruled by the app that keeps it (kind ``record_access`` in
    ``<app>/access.py``: ``fn(portal)`` returns the visible records, or None for all); one with a capability by
    AUDIT_RECORD_CAPS. Fails closed: a type listed here whose app registered no rule shows no entry.
    """
    model = apps.get_model(model_label)
    rules = plugins.named("record_access")
    if model_label in rules:
        visible = rules[model_label](portal)
        if visible is None:
            return None
    elif model_label in AUDIT_RECORD_CAPS:
        return None if portal.can(AUDIT_RECORD_CAPS[model_label]) else model.objects.none()
    else:
        visible = model.objects.none()
    return visible.annotate(text_id=Cast("pk", CharField())).values("text_id")


# Record types whose audit entries only holders of the capability read (the school's own records, since the
# log is the school's). Cases and training records have object rules, per record, in their apps' access.py.
AUDIT_RECORD_CAPS: dict[str, Cap] = {
    "incidents.cpfiletransfer": Cap.TRIAGE,
    "incidents.devicesearch": Cap.DEVICE_SEARCHES,
    "schools.pupil": Cap.VIEW_PUPILS,
    "schools.pupilflag": Cap.VIEW_VULNERABILITY_FLAGS,
    "reports.governorreport": Cap.VIEW_GOVERNOR_REPORTS,
    "monitoring.monitoringalert": Cap.TRIAGE_ALERTS,
    "duty.encompassnotification": Cap.VIEW_ENCOMPASS,
    "duty.encompassentry": Cap.VIEW_ENCOMPASS,
}
AUDIT_OBJECT_RULES = (
    "incidents.incident",
    "incidents.attachment",
    "curriculum.trainingrecord",
    # Per request (sar/access.py): entries about a request about oneself are never listed to its subject.
    "sar.subjectaccessrequest",
    *AUDIT_RECORD_CAPS,
)


def audit_visibility(portal) -> models.Q:
    """A filter on AuditEvent: entries about records this person may not see are left out."""
    shown = ~Q(object_type__in=AUDIT_OBJECT_RULES)
    for label in AUDIT_OBJECT_RULES:
        ids = _visible_ids(label, portal)
        shown |= Q(object_type=label) if ids is None else Q(object_type=label, object_id__in=ids)
    return shown
