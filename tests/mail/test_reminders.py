"""Reminders and event-change notices, on a frozen clock (every function takes ``now``)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from rsvp.editor import lifecycle
from rsvp.editor import services as editor
from rsvp.events.models import EventStatus
from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.registrations import reminders
from rsvp.registrations.messaging import write_messages
from rsvp.registrations.models import RegistrationStatus
from rsvp.registrations.reminders import enqueue_due_reminders, reminder_skip_reason
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration


def reminder_recipients() -> list[str]:
    return sorted(db.session.scalars(
        sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == "reminder")))


def test_reminders_at_24h_and_1h_once_each_and_never_to_late_registrants(db_session):
    start = now_utc().replace(microsecond=0) + timedelta(days=5)
    event = make_event(starts_at=start, reminder_offsets=[1440, 60])
    make_registration(event, email="early@example.org", created_at=start - timedelta(days=3))
    make_registration(event, email="waiting@example.org", created_at=start - timedelta(days=3),
                      status=RegistrationStatus.WAITLISTED)
    make_registration(event, email="late@example.org", created_at=start - timedelta(hours=2))

    assert enqueue_due_reminders(start - timedelta(hours=25)) == 0
    assert enqueue_due_reminders(start - timedelta(hours=24)) == 1
    assert enqueue_due_reminders(start - timedelta(hours=23)) == 0  # once per person and offset
    assert reminder_recipients() == ["early@example.org"]

    assert enqueue_due_reminders(start - timedelta(minutes=59)) == 2  # 1 h: early and late
    assert reminder_recipients() == ["early@example.org", "early@example.org", "late@example.org"]
    assert enqueue_due_reminders(start + timedelta(minutes=1)) == 0  # started: nothing more


def test_reminders_for_a_large_event_go_to_everyone_once(db_session, monkeypatch):
    """Registrants are read and their keys looked up in batches (on PostgreSQL one query with a
    parameter per person failed past 65,535 people, and no reminder left at all)."""
    monkeypatch.setattr(reminders, "REMINDER_BATCH", 2)
    start = now_utc().replace(microsecond=0) + timedelta(days=5)
    event = make_event(starts_at=start, reminder_offsets=[1440])
    for n in range(5):
        make_registration(event, email=f"p{n}@example.org", created_at=start - timedelta(days=3))
    make_registration(event, email="cancelled@example.org", created_at=start - timedelta(days=3),
                      status=RegistrationStatus.CANCELLED)
    assert enqueue_due_reminders(start - timedelta(hours=23)) == 5
    assert enqueue_due_reminders(start - timedelta(hours=22)) == 0
    assert reminder_recipients() == [f"p{n}@example.org" for n in range(5)]


def test_a_long_reminder_goes_on_at_the_next_pass_where_the_last_stopped(db_session, monkeypatch):
    """A pass queues a few batches, so the emails queued meanwhile leave in between."""
    monkeypatch.setattr(reminders, "REMINDER_BATCH", 2)
    monkeypatch.setattr(reminders, "REMINDER_BATCHES_PER_PASS", 2)
    start = now_utc().replace(microsecond=0) + timedelta(days=5)
    event = make_event(starts_at=start, reminder_offsets=[1440])
    for n in range(5):
        make_registration(event, email=f"p{n}@example.org", created_at=start - timedelta(days=3))
    assert [enqueue_due_reminders(start - timedelta(hours=23)) for _ in range(3)] == [4, 1, 0]
    assert reminder_recipients() == [f"p{n}@example.org" for n in range(5)]


def test_someone_approved_after_the_reminders_left_gets_theirs_at_the_next_pass(db_session):
    start = now_utc().replace(microsecond=0) + timedelta(days=5)
    event = make_event(starts_at=start, reminder_offsets=[1440])
    make_registration(event, email="early@example.org", created_at=start - timedelta(days=3))
    waiting = make_registration(event, email="approved@example.org",
                                created_at=start - timedelta(days=3),
                                status=RegistrationStatus.PENDING_APPROVAL)
    assert enqueue_due_reminders(start - timedelta(hours=23)) == 1
    waiting.status = RegistrationStatus.CONFIRMED
    db.session.commit()
    assert enqueue_due_reminders(start - timedelta(hours=22)) == 1
    assert enqueue_due_reminders(start - timedelta(hours=21)) == 0
    assert sorted(reminder_recipients()) == ["approved@example.org", "early@example.org"]


def test_reminder_not_sent_before_the_start_is_dropped_not_sent_late(db_session, smtp):
    start = now_utc().replace(microsecond=0) + timedelta(days=2)
    event = make_event(starts_at=start, reminder_offsets=[60])
    make_registration(event, created_at=start - timedelta(days=1))
    enqueue_due_reminders(start - timedelta(minutes=30))
    db.session.commit()
    after = start + timedelta(minutes=5)
    result = worker.send_pending(after, skip=lambda m: reminder_skip_reason(m, after))
    assert (result.sent, result.failed) == (0, 1)
    assert smtp.inbox.messages == []
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status is OutboxStatus.FAILED and "skipped" in message.last_error


def test_moved_event_recomputes_reminders_and_sends_a_change_notice(db_session, smtp):
    start = now_utc().replace(microsecond=0) + timedelta(days=3)
    event = make_event(starts_at=start, reminder_offsets=[1440],
                       join_url="https://meet.example.org/old-room")
    # Registered before the change: its notice is written to those registered when it was sent.
    make_registration(event, email="a@example.org", created_at=now_utc() - timedelta(days=1))
    assert enqueue_due_reminders(start - timedelta(hours=23)) == 1
    db.session.commit()

    new_start = start + timedelta(days=2)
    changes = editor.update_logistics(event, starts_at=new_start,
                                      ends_at=new_start + timedelta(minutes=90), venue=None,
                                      join_url="https://meet.example.org/new-room")
    db.session.commit()
    assert len(changes) == 2 and event.sequence == 1
    assert write_messages() == 1  # the worker writes the change notice

    # the old reminder is stale: dropped at send time; a new one falls due for the new time
    now = start - timedelta(hours=22)
    result = worker.send_pending(now, skip=lambda m: reminder_skip_reason(m, now))
    assert result.failed == 1 and result.sent == 1  # stale reminder dropped; change notice sent
    (notice,) = smtp.inbox.to("a@example.org")
    assert notice["Subject"].startswith("Changed:")
    assert "new-room" in notice.get_body(("plain",)).get_content()
    (attachment,) = list(notice.iter_attachments())
    (entry,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert entry.decoded("dtstart") == new_start and int(entry["sequence"]) == 1
    assert str(entry["uid"]) == f"event-{event.public_id}@localhost"
    assert "new-room" not in attachment.get_content()

    assert enqueue_due_reminders(new_start - timedelta(hours=23)) == 1


def test_cancelled_event_tells_everyone_with_a_cancelling_calendar_file(db_session, smtp):
    event = make_event()
    for n in range(3):
        make_registration(event, email=f"c{n}@example.org")
    make_registration(event, email="gone@example.org", status=RegistrationStatus.CANCELLED)
    assert lifecycle.cancel_event(event) == 3
    db.session.commit()
    assert event.status is EventStatus.CANCELLED
    write_messages()  # the notice is written by the worker, a batch at a time
    worker.send_pending()
    assert sorted(m["To"] for m in smtp.inbox.messages) == [f"c{n}@example.org" for n in range(3)]
    calendar = Calendar.from_ical(list(smtp.inbox.messages[0].iter_attachments())[0].get_content())
    assert str(calendar["method"]) == "CANCEL"
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["status"]) == "CANCELLED" and int(entry["sequence"]) == 1
    assert enqueue_due_reminders(event.starts_at - timedelta(minutes=30)) == 0
