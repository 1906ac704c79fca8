"""A person at risk registers under the name they choose, asks for confidentiality and discreet
emails, and needs a grounds pass: what reaches their inbox says neither the event nor their legal
name, the organiser's exports leave them out, and their passport details are gone once the pass is
marked requested."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from rsvp.auth.models import Role
from rsvp.events.models import EventFormat
from rsvp.extensions import db
from rsvp.mail.worker import send_pending
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.reminders import enqueue_due_reminders
from rsvp.sealing import digest
from tests.browser.conftest import log_in, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_registration
from tests.mail.conftest import smtp  # noqa: F401  (a real SMTP server)
from tests.privacy.test_retention import every_text_in_the_database

pytestmark = pytest.mark.browser

TITLE = "Xinjiang camps: survivors testify"
LEGAL = "Gulbahar Legalname"
CHOSEN = "Gul"
EMAIL = "gul@example.org"


def downloaded(page, tmp_path, click) -> str:
    """The text of the file a click downloads."""
    with page.expect_download() as download:
        click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved.read_text(encoding="utf-8-sig")


def everything_in(message) -> str:
    """Every header and every text part of an email, and every attachment decoded."""
    parts = [f"{key}: {value}" for key, value in message.items()]
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_a_person_at_risk_registers_and_nothing_gives_them_away(page, smtp, tmp_path):  # noqa: F811
    event = make_event(title=TITLE, slug="camps", format=EventFormat.HYBRID,
                       venue="Room XXIII, Palais des Nations", grounds_pass_required=True,
                       capacity_in_person=40, reminder_offsets=[60])
    make_registration(event, name="Open Attendee", email="open@example.org",
                      status=RegistrationStatus.CONFIRMED)
    manager = make_organiser(name="Sarah Brooks")
    grant_role(event, manager, Role.MANAGER)
    manager_email, exports = manager.email, f"/manage/events/{event.public_id}/exports"
    reminder_due = event.starts_at - timedelta(minutes=30)

    page.goto("/events/camps/register")
    page.get_by_label("Name to use").fill(CHOSEN)
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("You are attending for").select_option("ngo")
    page.get_by_label("In person").check()
    page.locator("input[name=has_grounds_pass][value=no]").check()
    page.get_by_label("Full name as in your passport").fill(LEGAL)
    page.get_by_label("Nationality").select_option("CN")
    page.get_by_label("Date of birth").fill("1966-02-01")
    page.get_by_label("Organisation the pass is for").fill("Uyghur Survivors' Network")
    page.get_by_label("Your function or title").fill("Witness")
    page.get_by_label("Keep my participation confidential").check()
    page.get_by_label("Keep my emails discreet").check()
    page.get_by_label("I agree").check()
    screenshot(page, "person-at-risk-form")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/events/camps/registered")

    db.session.remove()
    person = db.session.scalar(sa.select(Registration).where(Registration.email_hash == digest(EMAIL)))
    assert person.name == CHOSEN and person.passport_name == LEGAL
    assert person.confidential and person.discreet_emails
    assert enqueue_due_reminders(reminder_due) == 2
    send_pending()

    mails = smtp.inbox.to(EMAIL)
    assert len(mails) == 2  # the confirmation and the reminder
    for message in mails:
        text = everything_in(message)
        assert "Xinjiang" not in text and "camps" not in text.lower() and LEGAL not in text
        assert "Palais des Nations" not in text
    (confirmation,) = [m for m in mails if any(p.get_content_type() == "text/calendar"
                                               for p in m.walk())]
    (ics,) = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    (entry,) = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")
    assert "Xinjiang" not in str(entry["SUMMARY"]) and "LOCATION" not in entry
    open_mail = smtp.inbox.to("open@example.org")[0]
    assert "Xinjiang" in everything_in(open_mail)  # the event is not discreet for everyone

    log_in(page, manager_email)
    page.goto(exports)
    attendees = page.get_by_role("region", name="Attendee list")
    rows = list(csv.DictReader(io.StringIO(downloaded(
        page, tmp_path, attendees.get_by_role("button", name="Download CSV").click))))
    names = [row["Name"] for row in rows]
    assert names == ["Open Attendee"]  # left out of the list that leaves the system

    passes = page.get_by_role("region", name="UN grounds-pass requests")
    pass_list = downloaded(page, tmp_path, passes.get_by_role("link", name="Download CSV").click)
    assert LEGAL in pass_list  # the manager sees what the UN asks for, until it is sent
    screenshot(page, "person-at-risk-exports")
    passes.get_by_label("I sent this request to the UN").check()
    passes.get_by_role("button", name="Mark as requested").click()
    assert "1 pass marked as requested" in page.get_by_role("main").inner_text()
    db.session.remove()
    assert LEGAL not in every_text_in_the_database()
    assert CHOSEN in every_text_in_the_database()  # the person is still registered
