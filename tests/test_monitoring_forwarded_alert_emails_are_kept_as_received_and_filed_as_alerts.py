"""A forwarded alert email to a school's address is kept exactly as received (with its hash) and filed as an
alert by vendor; mail to any other address is refused; a message with no alert in it is still kept."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage

import pytest
from django.urls import reverse

from monitoring import mail
from monitoring.models import InboundMessage, MailAddress, MonitoringAlert

from .factories import PupilFactory

pytestmark = pytest.mark.django_db


def alert_email(**lines) -> bytes:
    msg = EmailMessage()
    msg["From"] = "alerts@smoothwall.example"
    msg["To"] = "x@alerts.localhost"
    msg["Subject"] = "Smoothwall Monitor alert: Risk level 5"
    msg["Date"] = "Mon, 14 Sep 2026 10:00:00 +0100"
    fields = {
        "Category": "Suicide and self-harm",
        "Risk level": "5",
        "User": "jsmith",
        "Device": "LAPTOP-4",
        "Captured text": "nobody would miss me",
        "Alert ID": "SWM-123",
    } | lines
    msg.set_content("A new alert.\n\n" + "\n".join(f"{k}: {v}" for k, v in fields.items() if v) + "\n")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n" + b"1" * 40, maintype="image", subtype="png", filename="capture.png")
    return msg.as_bytes()


@pytest.fixture
def address(school, dsl):
    return mail.address_create(school=school, vendor="smoothwall", by=dsl)


def test_an_alert_email_is_kept_and_filed(school, address):
    pupil = PupilFactory(school=school, network_username="jsmith")
    raw = alert_email()
    received = mail.receive_message(raw=raw, mail_from="alerts@smoothwall.example", rcpt=address.address)
    assert received.alerts == 1
    message = InboundMessage.objects.get()
    assert bytes(message.raw) == raw and message.sha256 == hashlib.sha256(raw).hexdigest()
    alert = MonitoringAlert.objects.get()
    assert (alert.channel, alert.message, alert.pupil, alert.severity) == ("email", message, pupil, "critical")
    assert alert.external_id == "SWM-123" and alert.captured_text == "nobody would miss me" and alert.screenshot


def test_suspected_imagery_by_email_keeps_the_message_but_not_the_capture(school, address):
    mail.receive_message(raw=alert_email(Category="Indecent imagery"), mail_from="a@v.example", rcpt=address.address)
    alert = MonitoringAlert.objects.get()
    assert alert.imagery_withheld and not alert.screenshot and alert.captured_text == ""


def test_mail_to_an_unknown_or_old_address_is_refused(school, dsl, address):
    assert mail.receive_message(raw=alert_email(), mail_from="a@v.example", rcpt="alerts-nope@alerts.localhost") is None
    mail.address_create(school=school, vendor="smoothwall", by=dsl)  # replaces the old one
    assert mail.receive_message(raw=alert_email(), mail_from="a@v.example", rcpt=address.address) is None
    assert not InboundMessage.objects.exists()


def test_a_message_without_an_alert_is_kept_for_the_record(school, address):
    received = mail.receive_message(
        raw=b"Subject: hello\r\n\r\nJust saying hi\r\n", mail_from="a@v.example", rcpt=address.address
    )
    assert received.alerts == 0 and InboundMessage.objects.count() == 1 and not MonitoringAlert.objects.exists()


def test_the_dsl_downloads_the_original_message(school, dsl, signed_in, address):
    mail.receive_message(raw=alert_email(), mail_from="a@v.example", rcpt=address.address)
    alert = MonitoringAlert.objects.get()
    response = signed_in(dsl).get(reverse("monitoring:message", args=[alert.pk]))
    assert response.status_code == 200 and b"nobody would miss me" in b"".join(response.streaming_content)


def test_the_technician_makes_an_address_on_the_webhooks_page(school, technician, signed_in):
    response = signed_in(technician).post(reverse("monitoring:webhooks"), {"vendor": "impero", "make": "address"})
    assert response.status_code == 302
    assert MailAddress.objects.get().school == school


def html_alert_email(rows: list[tuple[str, str]], *, subject: str) -> bytes:
    # Products that send HTML alert emails lay the details out as a two-column table, labels with or without
    # a colon, text escaped as HTML.
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "alerts@vendor.example", "x@alerts.localhost", subject
    msg["Date"] = "Mon, 14 Sep 2026 10:00:00 +0100"
    cells = "".join(f'<tr>\n  <td class="label">{k}</td>\n  <td><b>{v}</b></td>\n</tr>' for k, v in rows)
    msg.set_content(f"<html><body><p>New alert</p><table>{cells}</table></body></html>", subtype="html")
    return msg.as_bytes()


@pytest.mark.parametrize(
    "vendor,rows,severity",
    [
        (
            "senso",
            [
                ("Violation", "Self harm &amp; suicide"),
                ("Severity", "High"),
                ("Username", "jsmith"),
                ("Machine", "ICT-12"),
                ("Captured", "14/09/2026 09:58"),
                ("Keyword", "don&#39;t want to live"),
            ],
            "high",
        ),
        (
            "impero",
            [
                ("Policy:", "Self harm &amp; suicide"),
                ("Severity level:", "Critical"),
                ("Student:", "jsmith"),
                ("Computer name:", "ICT-12"),
                ("Date/Time:", "14/09/2026 09:58"),
                ("Phrase:", "don&#39;t want to live"),
            ],
            "critical",
        ),
    ],
)
def test_an_html_table_alert_email_is_read_by_vendor(school, dsl, vendor, rows, severity):
    pupil = PupilFactory(school=school, network_username="jsmith")
    address = mail.address_create(school=school, vendor=vendor, by=dsl)
    raw = html_alert_email(rows, subject=f"{vendor} alert")
    assert mail.receive_message(raw=raw, mail_from="a@v.example", rcpt=address.address).alerts == 1
    alert = MonitoringAlert.objects.get()
    assert (alert.vendor, alert.rule, alert.severity, alert.pupil, alert.device) == (
        vendor,
        "Self harm & suicide",
        severity,
        pupil,
        "ICT-12",
    )
    assert alert.captured_text == "don't want to live"
