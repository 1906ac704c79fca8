"""After the event: Zoom's and Teams' reports mark the right registrants as attended with their
minutes (rows matched by address only, the rest listed); the follow-up reaches those who came and
those who did not with their own text, in their language, once each — read back from a real SMTP
server."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa

from rsvp.attendance import followup, reports, services
from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.registrations.messaging import Draft, write_messages
from rsvp.registrations.models import MessageJob, Registration, RegistrationStatus
from rsvp.timeutil import now_utc
from tests.attendance.test_reports import SAMPLES
from tests.factories import make_event, make_registration
from tests.mail.conftest import smtp  # noqa: F401 - the real SMTP server
from tests.registrations.test_messages_in_languages import manager_client, plain

ZOOM = (SAMPLES / "zoom_webinar_attendee_report.csv").read_bytes()
TEAMS = (SAMPLES / "teams_attendance_report.csv").read_bytes()

CAME = Draft("Thank you for coming", "Thank you for joining us.", "",
             {"fr": ("Merci d'être venu·e", "Merci d'avoir été des nôtres.")})
MISSED = Draft("Sorry we missed you", "The recording is online.", "",
               {"fr": ("Vous nous avez manqué", "L'enregistrement est en ligne.")})


def a_past_event(**fields):
    ended = now_utc() - timedelta(hours=2)
    return make_event(starts_at=ended - timedelta(hours=1), ends_at=ended, capacity_online=50, **fields)


@pytest.fixture
def people(db_session):
    event = a_past_event()
    registered = {
        "ana": make_registration(event, email="ana.quispe@example.org", language="fr"),
        "marie": make_registration(event, email="marie@example.org"),
        "bo": make_registration(event, email="bo@example.org"),
        "zhou": make_registration(event, email="zhou.li@example.org"),
        "door": make_registration(event, email="door@example.org", checked_in_at=now_utc()),
        "away": make_registration(event, email="away@example.org", language="fr"),
        "cancelled": make_registration(event, email="gone@example.org",
                                       status=RegistrationStatus.CANCELLED),
    }
    db.session.commit()
    return event, registered


def minutes(registered: dict[str, Registration]) -> dict[str, int | None]:
    db.session.expire_all()
    return {key: r.attended_minutes for key, r in registered.items() if r.attended}


def test_zoom_then_teams_mark_the_right_registrants_with_their_minutes(people):
    event, registered = people
    outcome = services.import_report(event, reports.parse(ZOOM), "owner@example.org")
    db.session.commit()
    assert minutes(registered) == {"ana": 55, "marie": 61}  # Bo registered on Zoom, never came
    assert sorted(row.name for row in outcome.unmatched) == [
        "Call-in user 3", "Glacier Kwong", "ISHR Geneva", "Someone Else"]  # listed, not guessed
    services.import_report(event, reports.parse(TEAMS), "owner@example.org")
    db.session.commit()
    assert minutes(registered) == {"ana": 55, "marie": 61, "bo": 1, "zhou": 45}
    services.import_report(event, reports.parse(ZOOM), "owner@example.org")  # again: no change
    db.session.commit()
    assert minutes(registered) == {"ana": 55, "marie": 61, "bo": 1, "zhou": 45}
    assert services.summary(event) == services.Summary(registered=6, in_the_room=1, online=4, came=5)


def test_the_follow_up_reaches_each_with_their_own_text_once(people, smtp):  # noqa: F811
    event, _registered = people
    services.import_report(event, reports.parse(ZOOM), "owner@example.org")
    assert followup.send(event, CAME, MISSED, "https://webtv.example.org/rec", "Report: https://x.example/r.pdf",
                         "owner@example.org") == (3, 3)  # Ana, Marie, the door; Bo, Zhou, Away
    db.session.commit()
    with pytest.raises(followup.AlreadySent):
        followup.send(event, CAME, MISSED, "", "", "owner@example.org")
    db.session.rollback()
    while write_messages():
        pass
    worker.send_pending()
    inbox = {m["To"]: m for m in smtp.inbox.messages}
    assert len(smtp.inbox.messages) == len(inbox) == 6  # once each
    assert inbox["ana.quispe@example.org"]["Subject"] == "Merci d'être venu·e"
    assert "Merci d'avoir été des nôtres." in plain(inbox["ana.quispe@example.org"])
    assert "https://webtv.example.org/rec" in plain(inbox["ana.quispe@example.org"])
    assert "Report: https://x.example/r.pdf" in plain(inbox["marie@example.org"])
    assert inbox["marie@example.org"]["Subject"] == inbox["door@example.org"]["Subject"] == (
        "Thank you for coming")
    assert inbox["away@example.org"]["Subject"] == "Vous nous avez manqué"
    assert inbox["bo@example.org"]["Subject"] == inbox["zhou.li@example.org"]["Subject"] == (
        "Sorry we missed you")
    assert "gone@example.org" not in inbox
    # A job written again (a worker's lease ran out) queues no one twice.
    db.session.execute(sa.update(MessageJob).values(status="queued", after_id=0, claim=None))
    db.session.commit()
    assert write_messages() == 0


def test_no_follow_up_before_the_event_is_over(db_session):
    event = make_event()
    with pytest.raises(followup.NotOverYet):
        followup.send(event, CAME, MISSED, "", "", "owner@example.org")


def test_the_pages_import_a_report_and_send_the_follow_up(app, db_session):
    event = a_past_event()
    client = manager_client(app, event, email="marie@example.org", language="fr")
    url = f"/manage/events/{event.public_id}/attendance"
    refused = client.post(url, data={"report": (BytesIO(b"Name,Organisation\nAna,ISHR\n"), "list.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "not an attendance report we can read" in refused.get_data(as_text=True)
    imported = client.post(url, data={"report": (BytesIO(ZOOM), "report.csv")},
                           content_type="multipart/form-data")
    page = imported.get_data(as_text=True)
    assert imported.status_code == 200 and "1 registrant marked as attended." in page
    assert "Call-in user 3" in page and "Someone Else" in page  # the rows matched to no one
    assert "61" in page
    follow = f"/manage/events/{event.public_id}/follow-up"
    assert "To the 1 person who attended" in client.get(follow).get_data(as_text=True)
    missing = client.post(follow, data={"attended-subject": "Thanks", "attended-body": "Thank you.",
                                        "absent-body_fr": "Dommage."})
    assert missing.status_code == 422 and "Dommage." in missing.get_data(as_text=True)
    sent = client.post(follow, data={
        "recording_url": "https://webtv.example.org/rec", "attended-subject": "Thanks",
        "attended-body": "Thank you.", "absent-subject": "Sorry", "absent-body": "Next time."})
    assert sent.status_code == 303
    kinds = sorted(db.session.scalars(sa.select(MessageJob.kind)))
    assert kinds == ["follow_up_absent", "follow_up_attended"]
