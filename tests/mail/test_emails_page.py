"""The organisers' Emails pages: the event's outbox, a message's status, the preview as sent."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.registrations import notify
from rsvp.sealing import digest
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
