"""After the event on the real servers: the organiser imports a Zoom and a Teams attendance report
and sends the follow-up; the worker process writes it and each registrant receives their own text,
in their language, once."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.registrations.models import Registration
from rsvp.timeutil import now_utc
from tests.attendance.test_reports import SAMPLES
from tests.factories import grant_role, make_event, make_organiser, make_registration
from tests.served.conftest import setting_up
from tests.served.test_sessions import log_in


def upload(browser, path: str, name: str):
    """Send the report as the page's form does (multipart, with its CSRF token)."""
    page = browser.get(path)
    token = browser.form(page, path).values["csrf_token"][0]
    return browser.post(path, data={"csrf_token": token}, headers={"Referer": str(page.url)},
                        files={"report": (name, (SAMPLES / name).read_bytes(), "text/csv")})


def test_reports_imported_then_each_registrant_gets_their_own_follow_up_once(served):
    with setting_up():
        ended = now_utc() - timedelta(hours=2)
        event = make_event(starts_at=ended - timedelta(hours=1), ends_at=ended, capacity_online=50)
        make_registration(event, name="Ana Quispe", email="ana.quispe@example.org", language="fr")
        make_registration(event, name="Zhou Li", email="zhou.li@example.org")
        make_registration(event, name="Sam Absent", email="sam@example.org", language="fr")
        organiser = make_organiser()
        grant_role(event, organiser, Role.MANAGER)
        event_id, email = event.public_id, organiser.email

    browser = served.visitor()
    log_in(browser, email)
    attendance = f"/manage/events/{event_id}/attendance"
    zoom = upload(browser, attendance, "zoom_webinar_attendee_report.csv")
    assert zoom.status_code == 200, zoom.text[-2000:]
    assert "1 registrant marked as attended." in zoom.text and "Call-in user 3" in zoom.text
    teams = upload(browser, attendance, "teams_attendance_report.csv")
    assert "1 registrant marked as attended." in teams.text and "Guest (Unverified)" in teams.text
    with setting_up():
        seen = dict(db.session.execute(sa.select(Registration.email_hash, Registration.attended_minutes)
                                       .where(Registration.attended.is_(True))).all())
        assert sorted(seen.values()) == [45, 55]

    path = f"/manage/events/{event_id}/follow-up"
    page = browser.get(path)
    assert "To the 2 people who attended" in page.text
    sent = browser.submit(page, path, {
        "recording_url": "https://webtv.example.org/recording",
        "attended-subject": "Thank you for joining", "attended-body": "Thank you for coming.",
        "attended-subject_fr": "Merci d'être venu·e", "attended-body_fr": "Merci d'être venu·e.",
        "absent-subject": "Sorry we missed you", "absent-body": "The recording is online.",
        "absent-subject_fr": "Vous nous avez manqué", "absent-body_fr": "L'enregistrement est en ligne."})
    assert sent.status_code == 303, sent.text[-2000:]
    again = browser.submit(page, path, {"attended-subject": "Again", "attended-body": "Again.",
                                        "absent-subject": "Again", "absent-body": "Again."})
    assert again.status_code == 303  # refused with a message: each registrant gets one

    (ana,) = served.wait_for_email("ana.quispe@example.org", "Merci")
    assert "Merci d'être venu·e." in ana.get_body(("plain",)).get_content()
    assert "https://webtv.example.org/recording" in ana.get_body(("plain",)).get_content()
    (zhou,) = served.wait_for_email("zhou.li@example.org", "Thank you for joining")
    (sam,) = served.wait_for_email("sam@example.org", "Vous nous avez manqué")
    assert "L'enregistrement est en ligne." in sam.get_body(("plain",)).get_content()
    assert "Written to 2 people" in browser.get(path).text
    assert [len(served.emails(to)) for to in ("ana.quispe@example.org", "zhou.li@example.org",
                                              "sam@example.org")] == [1, 1, 1]
