"""Cancelling or postponing with the organisers' words in each language: the request stores the
notice, the worker writes it a batch at a time, and each registrant reads their own language,
with a calendar file that removes or moves the event (parsed back with icalendar)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from rsvp.editor import lifecycle
from rsvp.editor import services as editor
from rsvp.events.models import EventStatus
from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import messaging
from rsvp.registrations.messaging import Draft, write_messages
from rsvp.registrations.models import MessageJob, RegistrationStatus
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration
from tests.mail.conftest import smtp  # noqa: F401 - the real SMTP server
from tests.registrations.test_messages_in_languages import manager_client, plain

REASON = Draft("", "The speaker fell ill.\n\nWe are sorry.", "",
               {"fr": ("", "L'oratrice est tombée malade.\n\nNous en sommes désolés.")})


def calendar_of(message) -> Calendar:
    (attachment,) = [part for part in message.iter_attachments()
                     if part.get_content_type() == "text/calendar"]
    content = attachment.get_content()
    return Calendar.from_ical(content if isinstance(content, str) else content.decode())


def test_a_cancellation_tells_each_registrant_the_reason_in_their_language(db_session, smtp):  # noqa: F811
    event = make_event(capacity_online=10)
    make_registration(event, email="fr@example.org", language="fr")
    make_registration(event, email="en@example.org", status=RegistrationStatus.WAITLISTED)
    make_registration(event, email="gone@example.org", status=RegistrationStatus.CANCELLED)
    assert lifecycle.cancel(event, "owner@example.org", REASON) == 2
    db.session.commit()
    assert db.session.scalars(sa.select(OutboxMessage)).all() == []  # nothing written in the request
    assert write_messages() == 2
    worker.send_pending()
    (french,) = smtp.inbox.to("fr@example.org")
    (english,) = smtp.inbox.to("en@example.org")
    assert "L'oratrice est tombée malade." in plain(french) and "fell ill" not in plain(french)
    assert "Les organisateurs écrivent" in plain(french)
    assert "The speaker fell ill." in plain(english)
    assert calendar_of(french).walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert smtp.inbox.to("gone@example.org") == []


def test_a_postponement_keeps_registrations_and_moves_the_calendar_entry(db_session, smtp):  # noqa: F811
    event = make_event(capacity_online=10)
    person = make_registration(event, email="fr@example.org", language="fr")
    make_registration(event, email="en@example.org")
    old_start, old_sequence = event.starts_at, event.sequence
    new_start = old_start + timedelta(days=14)
    assert lifecycle.postpone(event, new_start, new_start + timedelta(hours=2), REASON,
                           "owner@example.org") == 2
    db.session.commit()
    assert person.status is RegistrationStatus.CONFIRMED and event.status is EventStatus.PUBLISHED
    write_messages()
    worker.send_pending()
    (french,) = smtp.inbox.to("fr@example.org")
    (english,) = smtp.inbox.to("en@example.org")
    assert french["Subject"].startswith("Reporté")
    assert "L'oratrice est tombée malade." in plain(french)
    assert "The speaker fell ill." in plain(english)
    entry = calendar_of(english).walk("VEVENT")[0]
    assert entry["SEQUENCE"] == old_sequence + 1 > old_sequence
    assert entry.decoded("DTSTART") == new_start
    assert str(entry["UID"]) == str(calendar_of(french).walk("VEVENT")[0]["UID"])
    assert str(entry["UID"]).startswith(event.public_id) or event.public_id in str(entry["UID"])


def test_a_postponement_goes_forward_only_for_a_published_event(db_session):
    event = make_event()
    with pytest.raises(lifecycle.NotLater):
        lifecycle.postpone(event, now_utc() - timedelta(hours=1), now_utc(), REASON, "o@example.org")
    with pytest.raises(editor.EndsBeforeStart):
        lifecycle.postpone(event, event.starts_at + timedelta(days=1), event.starts_at, REASON,
                        "o@example.org")
    with pytest.raises(lifecycle.WrongStatus):
        lifecycle.postpone(make_event(status=EventStatus.DRAFT), event.starts_at + timedelta(days=1),
                        event.starts_at + timedelta(days=2), REASON, "o@example.org")


def test_a_large_notice_is_written_in_batches(db_session, monkeypatch):
    monkeypatch.setattr(messaging, "BATCH", 3)
    monkeypatch.setattr(messaging, "BATCHES_PER_PASS", 1)
    event = make_event(capacity_online=100)
    for n in range(7):
        make_registration(event, email=f"p{n}@example.org")
    assert lifecycle.cancel(event, "owner@example.org", REASON) == 7
    assert [write_messages() for _ in range(4)] == [3, 3, 1, 0]
    job = db.session.scalar(sa.select(MessageJob))
    assert (job.kind, job.queued, job.status.value) == ("cancelled", 7, "sent")


def test_the_cancel_and_postpone_pages_ask_for_the_reason_and_keep_what_was_typed(app, db_session):
    event = make_event(capacity_online=10)
    client = manager_client(app, event, language="fr")
    cancel = f"/manage/events/{event.public_id}/cancel"
    refused = client.post(cancel, data={"confirm": "y", "body_fr": "Salle fermée."})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Write the reason." in page and "Salle fermée." in page
    local = event.starts_at + timedelta(days=7)
    postpone = f"/manage/events/{event.public_id}/postpone"
    assert "Reason in French" in client.get(postpone).get_data(as_text=True)
    moved = client.post(postpone, data={
        "start_date": local.strftime("%Y-%m-%d"), "start_time": "15:00", "end_time": "16:00",
        "body": "The room was taken.", "body_fr": "La salle était prise."})
    assert moved.status_code == 303
    job = db.session.scalar(sa.select(MessageJob))
    assert job.kind == "postponed" and job.translations == {"fr": {"subject": "",
                                                                   "body": "La salle était prise."}}
    assert event.status is EventStatus.PUBLISHED
    assert client.post(cancel, data={"confirm": "y", "body": "Closed."}).status_code == 303
    assert event.status is EventStatus.CANCELLED
