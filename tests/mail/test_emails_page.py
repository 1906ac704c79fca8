"""The organisers' Emails pages: the event's outbox, a message's status, the preview as sent."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.registrations import messaging, notify, reminders
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.sealing import digest
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration


def test_organisers_see_their_events_emails_with_status_and_preview(app, db_session):
    event = make_event()
    other = make_event()
    notify.status_email(make_registration(event, name="Ana", email="ana@example.org"))
    notify.status_email(make_registration(other, email="elsewhere@example.org"))
    failed = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient_hash == digest("ana@example.org"))).one()
    failed.status, failed.last_error = OutboxStatus.FAILED, "550 mailbox unavailable"
    db.session.commit()
    manager = make_organiser()
    grant_role(event, manager, Role.MANAGER)
    client = app.test_client()
    log_in(client, manager.email)

    listing = client.get(f"/manage/events/{event.public_id}/emails").get_data(as_text=True)
    assert "ana@example.org" in listing and "elsewhere@example.org" not in listing
    page = client.get(f"/manage/events/{event.public_id}/emails/{failed.id}")
    assert "550 mailbox unavailable" in page.get_data(as_text=True)
    preview = client.get(f"/manage/events/{event.public_id}/emails/{failed.id}/body.html")
    assert "Dear Ana," in preview.get_data(as_text=True)
    assert "sandbox" in preview.headers["Content-Security-Policy"]
    assert "script-src" not in preview.headers["Content-Security-Policy"]  # default-src 'none'
    elsewhere = db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.event_id == other.id)).one()
    assert client.get(f"/manage/events/{event.public_id}/emails/{elsewhere}").status_code == 404


def test_the_emails_page_says_what_will_go_out_and_when(app, db_session):
    starts = now_utc() + timedelta(hours=10)
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=1),
                       reminder_offsets=[1440, 60], capacity_online=10)
    for n in range(3):
        make_registration(event, email=f"r{n}@example.org", created_at=now_utc() - timedelta(days=2))
    assert reminders.enqueue_due_reminders(now_utc()) == 3  # the day-before reminder is due already
    make_registration(event, email="late@example.org")
    messaging.send(event, AttendeeFilter(), messaging.Draft("Room change", "Room XX.", "b1"),
                   "owner@example.org")
    db.session.commit()
    (day, hour) = reminders.scheduled_reminders(event, now_utc())
    assert (day.offset_minutes, day.queued, day.coming) == (1440, 3, 0)  # late@ registered after it
    assert (hour.offset_minutes, hour.queued, hour.coming) == (60, 0, 4)
    assert hour.due_at == starts - timedelta(hours=1)
    manager = make_organiser()
    grant_role(event, manager, Role.MANAGER)
    client = app.test_client()
    log_in(client, manager.email)
    page = client.get(f"/manage/events/{event.public_id}/emails").get_data(as_text=True)
    assert "What will go out" in page
    assert "1 day before the start" in page and "3 queued" in page
    assert "1 hour before the start" in page and "4 people confirmed so far" in page
    assert "Message from the organisers" in page and "Waiting for the email worker (4 people)" in page
    assert "late@example.org" not in page.split("Sent and waiting")[0]  # counts, not people
