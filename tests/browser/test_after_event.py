"""After the event, in a browser: the organiser imports a Zoom and a Teams attendance report,
reads who was matched and who was not, and sends the follow-up in two languages; in English and
in Arabic (right to left)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.registrations.models import MessageJob, Registration
from rsvp.timeutil import now_utc
from tests.attendance.test_reports import SAMPLES
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_registration

pytestmark = pytest.mark.browser

TITLE = "HRC47 Side Event - Rights at Risk: Time for Action"


def organised(page, event, people: list[tuple[str, str, str]]) -> str:
    """``event`` with ``people`` (name, email, language) registered, its owner logged in."""
    for name, email, language in people:
        make_registration(event, name=name, email=email, language=language)
    grant_role(event, make_organiser(name="Phil Lynch", email="phil@example.org"), Role.OWNER)
    db.session.commit()
    log_in(page, "phil@example.org")
    return event.public_id


def test_import_reports_then_send_the_follow_up(page):
    ended = now_utc() - timedelta(hours=3)
    event_id = organised(page, make_event(title=TITLE, starts_at=ended - timedelta(hours=1),
                                          ends_at=ended, capacity_online=50), [
        ("Ana Quispe", "ana.quispe@example.org", "fr"), ("Zhou Li", "zhou.li@example.org", "en"),
        ("Marie Dubois", "marie@example.org", "en"), ("Sam Absent", "sam@example.org", "ar")])
    page.goto(f"/manage/events/{event_id}")
    page.get_by_role("link", name="After the event").click()
    page.get_by_label("Attendance report").set_input_files(str(SAMPLES / "zoom_webinar_attendee_report.csv"))
    page.get_by_role("button", name="Import the report").click()
    assert "2 registrants marked as attended." in page.get_by_role("status").first.inner_text()
    matched = page.get_by_role("table", name="Matched by email address")
    expect(matched.get_by_role("row", name="Ana Quispe ana.quispe@example.org 55")).to_be_visible()
    unmatched = page.get_by_role("table", name="4 rows matched no registration")
    expect(unmatched.get_by_role("row", name="Call-in user 3 no address Attendee 12")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "after-event-zoom-import")

    page.get_by_label("Attendance report").set_input_files(str(SAMPLES / "teams_attendance_report.csv"))
    page.get_by_role("button", name="Import the report").click()
    assert "What the Microsoft Teams report said" in page.content()
    # Retried until the page is there, whatever its layout puts between the figure and its words.
    expect(page.locator(".stats")).to_contain_text(re.compile(r"\b3\s+attended online \(from reports\)"))
    online = page.get_by_role("table").last
    expect(online.get_by_role("row", name="Marie Dubois 61 no")).to_be_visible()
    expect(online.get_by_role("row", name="Zhou Li 45 no")).to_be_visible()
    screenshot(page, "after-event-teams-import")

    page.get_by_role("link", name="Write the follow-up").click()
    expect(page.get_by_role("group", name="To the 3 people who attended")).to_be_visible()
    expect(page.get_by_role("group", name="To the 1 registrant who did not attend")).to_be_visible()
    page.get_by_label("Link to the recording").fill("https://webtv.un.org/recording")
    came = page.get_by_role("group", name="To the 3 people who attended")
    came.get_by_label("Subject in English").fill("Thank you for joining")
    came.get_by_label("Message in English").fill("Thank you for joining us.")
    came.get_by_label("Subject in French").fill("Merci")
    came.get_by_label("Message in French").fill("Merci d'avoir été des nôtres.")
    page.get_by_role("button", name="Send the follow-up").click()
    assert "Write a subject." in page.locator("#error-summary, .error-summary").first.inner_text()
    assert came.get_by_label("Message in French").input_value() == "Merci d'avoir été des nôtres."
    missed = page.get_by_role("group", name="To the 1 registrant who did not attend")
    missed.get_by_label("Subject in English").fill("Sorry we missed you")
    missed.get_by_label("Message in English").fill("The recording is online.")
    assert_accessible(page)
    screenshot(page, "after-event-follow-up")
    page.get_by_role("button", name="Send the follow-up").click()
    assert "The follow-up is on its way" in page.get_by_role("status").first.inner_text()
    expect(page.get_by_role("table").get_by_role("row", name="Those who attended")).to_be_visible()
    db.session.rollback()  # read what the server stored since
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageJob)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.attended.is_(True))) == 3

    page.get_by_role("link", name="Emails").click()
    scheduled = page.get_by_role("table", name="Messages, notices and follow-ups")
    expect(scheduled.get_by_role("row", name="Follow-up to those who attended")).to_be_visible()
    expect(scheduled.get_by_role("row", name="Follow-up to those who did not attend")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "after-event-emails")

    page.goto(f"/manage/events/{event_id}/attendance?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, "after-event-attendance-ar")
    page.goto(f"/manage/events/{event_id}/follow-up?lang=ar")
    screenshot(page, "after-event-follow-up-ar")


def test_a_message_in_two_languages_then_a_postponement(page):
    event = make_event(title=TITLE, capacity_online=50)
    event_id = organised(page, event, [("Ana Quispe", "ana@example.org", "fr"),
                                       ("Zhou Li", "zhou@example.org", "en")])
    page.goto(f"/manage/events/{event_id}/messages")
    page.get_by_label("Subject in English").fill("Room change")
    page.get_by_label("Message in English").fill("We move to Room XX.")
    page.get_by_label("Subject in French").fill("Changement de salle")
    page.get_by_label("Message in French").fill("Nous allons en salle XX.")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    assert "Nous allons en salle XX." in preview.inner_text()
    assert "We move to Room XX." in preview.inner_text()
    assert_accessible(page)
    screenshot(page, "messages-in-languages")
    page.get_by_role("button", name="Send to 2 people").click()
    assert "on its way to 2 people" in page.get_by_role("status").first.inner_text()

    page.goto(f"/manage/events/{event_id}/edit/status")
    page.get_by_role("link", name="Postpone the event…").click()
    page.get_by_label("New date").fill("2020-01-01")
    page.get_by_label("Reason in English").fill("The speaker cannot travel.")
    page.get_by_role("button", name="Postpone the event and email registrants").click()
    assert "Choose a date still to come." in page.locator("#error-summary").inner_text()
    assert page.get_by_label("Reason in English").input_value() == "The speaker cannot travel."
    later = (event.starts_at + timedelta(days=21)).strftime("%Y-%m-%d")
    page.get_by_label("New date").fill(later)
    page.get_by_label("Reason in French").fill("L'oratrice ne peut pas voyager.")
    assert_accessible(page)
    screenshot(page, "editor-postpone")
    page.get_by_role("button", name="Postpone the event and email registrants").click()
    assert "The event is postponed." in page.get_by_role("status").first.inner_text()
    page.goto(f"/manage/events/{event_id}/emails")
    scheduled = page.get_by_role("table", name="Messages, notices and follow-ups")
    notice = scheduled.get_by_role("row").nth(1).inner_text()
    assert "Postponement notice" in notice and "New date:" in notice
    expect(page.get_by_role("table", name="Reminders")).to_be_visible()
    screenshot(page, "emails-scheduled")
