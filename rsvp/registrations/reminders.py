"""Reminders before an event: queued by the worker's pass, a short transaction at a time.

An event can have 100,000 confirmed registrants. The worker reads who still
lacks a reminder REMINDER_BATCH at a time, without SQLite's write lock, words
each reminder while still only reading, and then writes them REMINDER_WRITES
to a statement, each its own transaction: the write lock (or, on PostgreSQL,
the event's key lock taken by the outbox rows' foreign key) is held for those
inserts only, and a registration waits for one of them at most. The outbox's
unique dedupe key makes each reminder once, whatever the number of workers.
The worker then writes and sends each one (rsvp.mail.worker).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, format_timedelta
from flask_babel import gettext as _
from sqlalchemy.orm import load_only

from rsvp.db import end_read, reading
from rsvp.events.models import Event, EventStatus
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.mail.outbox import queue_many
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.notify import _later
from rsvp.timeutil import format_moment

#: Registrants read this many at a time (without the write lock), their reminders written
#: REMINDER_WRITES at a time, each write its own short transaction.
REMINDER_BATCH = 500
REMINDER_WRITES = 25
#: Batches read per pass of the worker: the emails queued meanwhile (a registrant's
#: confirmation) leave between one pass's reminders and the next, not after 100,000 of them.
REMINDER_BATCHES_PER_PASS = 10


def reminder_key(offset_minutes: int, public_id: str, starts_at: datetime) -> str:
    # The start is part of the key: a moved event reminds again for its new time.
    return f"reminder:{offset_minutes}:{public_id}:{int(starts_at.timestamp())}"


@dataclass(frozen=True)
class _Due:
    """One reminder of one event that is due, as plain values read once."""

    event_id: int
    offset: int
    due_at: datetime
    starts_at: datetime
    timezone: str


def enqueue_due_reminders(now: datetime, stop: Callable[[], bool] = lambda: False) -> int:
    """Queue every reminder that is due and not yet queued, committing each batch; how many.

    A reminder is due once ``starts_at - offset`` has passed and the event has
    not started; it goes to confirmed registrants who registered before it fell
    due, once each (the dedupe key holds even with several workers). The
    database finds who still lacks one (``_due_without_reminder``), so a pass
    with nothing to do reads no registrant, and the next pass goes on where
    this one stopped (REMINDER_BATCHES_PER_PASS), or where a worker asked to ``stop`` left off.
    """
    queued, batches = 0, 0
    for due in _due_reminders(now):
        for messages in _worded(due, now):
            if stop():
                return queued  # told to stop: the worker exits, the next one goes on from here
            batches += 1
            # Written only now, a statement and a transaction per REMINDER_WRITES: the write
            # lock is held for that, not for the reading and the wording, and registrations
            # get their turn in between (another worker's copy is skipped by its key).
            for first in range(0, len(messages), REMINDER_WRITES):
                queued += queue_many(messages[first:first + REMINDER_WRITES])
                db.session.commit()
            if batches >= REMINDER_BATCHES_PER_PASS:
                return queued  # the rest at the next pass, once what is queued has left
    return queued


def _due_reminders(now: datetime) -> list[_Due]:
    """The reminders due now of the published events starting in the next 30 days."""
    horizon = now + timedelta(days=30)
    with reading():
        events = db.session.scalars(sa.select(Event).where(
            Event.status == EventStatus.PUBLISHED, Event.starts_at > now, Event.starts_at <= horizon))
        due = [_Due(event.id, offset, event.starts_at - timedelta(minutes=offset), event.starts_at,
                    event.timezone)
               for event in events for offset in sorted(set(event.reminder_offsets), reverse=True)
               if event.starts_at - timedelta(minutes=offset) <= now]
        end_read(db.session())
    return due


def _worded(due: _Due, now: datetime) -> Iterator[list[OutboxMessage]]:
    """The reminders still to queue, a batch of recipients at a time, worded while only reading
    (a read transaction on SQLite, ended before the caller writes)."""
    starts_in: dict[str, str] = {}  # the same words for everyone reading the same language
    for recipients in _due_without_reminder(due):
        with reading():
            messages = []
            for registration in recipients:
                language = registration.language
                if language not in starts_in:
                    with force_locale(language):
                        delta = _("in %(delta)s", delta=format_timedelta(
                            due.starts_at - now, threshold=1.1, add_direction=False))
                        starts_in[language] = f"{delta} ({format_moment(due.starts_at, due.timezone)})"
                messages.append(_later("reminder", registration, starts_in=starts_in[language],
                                       dedupe_key=reminder_key(due.offset, registration.public_id,
                                                               due.starts_at)))
            end_read(db.session())
        yield messages


def _due_without_reminder(due: _Due) -> Iterator[list[Registration]]:
    """The event's registrants confirmed and registered by ``due_at`` whose reminder for
    ``offset`` is not queued yet, in batches by id: the outbox's unique dedupe key is looked
    up by the database, one indexed probe per registrant, with no parameter per person.
    Only what a reminder needs is read (no name, no answers: nothing else to unseal)."""
    starts = int(due.starts_at.timestamp())
    key = sa.literal(f"reminder:{due.offset}:") + Registration.public_id + sa.literal(f":{starts}")
    after = 0
    while True:
        with reading():  # on SQLite, without the write lock: other writers go on meanwhile
            batch = list(db.session.scalars(
                sa.select(Registration).options(load_only(
                    Registration.id, Registration.event_id, Registration.public_id,
                    Registration.email, Registration.language, Registration.status))
                .where(Registration.event_id == due.event_id, Registration.id > after,
                       Registration.status == RegistrationStatus.CONFIRMED,
                       Registration.created_at <= due.due_at,
                       ~sa.exists().where(OutboxMessage.dedupe_key == key))
                .order_by(Registration.id).limit(REMINDER_BATCH)))
            end_read(db.session())
        if not batch:
            return
        after = batch[-1].id
        yield batch


@dataclass(frozen=True)
class ScheduledReminder:
    """One of an event's reminders, as the Emails page shows it: counts only."""

    offset_minutes: int
    due_at: datetime
    #: Already in the outbox (for the event's current start).
    queued: int
    #: Confirmed registrants who will get it when it falls due (or at the worker's next pass).
    coming: int


def scheduled_reminders(event: Event, now: datetime) -> list[ScheduledReminder]:
    """The event's reminders with when they go and to how many; none once the event has started
    or while it is not published (reminder_skip_reason). Two counts a reminder, no one's row."""
    if event.status is not EventStatus.PUBLISHED or event.starts_at <= now:
        return []
    starts = int(event.starts_at.timestamp())
    shown = []
    for offset in sorted(set(event.reminder_offsets), reverse=True):
        due_at = event.starts_at - timedelta(minutes=offset)
        queued = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.event_id == event.id, OutboxMessage.kind == "reminder",
            OutboxMessage.dedupe_key.like(f"reminder:{offset}:%:{starts}"))) or 0
        confirmed = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
            Registration.created_at <= due_at if due_at <= now else sa.true())) or 0
        shown.append(ScheduledReminder(offset, due_at, queued, max(confirmed - queued, 0)))
    return shown


def reminder_skip_reason(message: OutboxMessage, now: datetime) -> str | None:
    """Reminders that could not leave before the event started are dropped, not sent late."""
    if message.kind != "reminder" or message.event_id is None:
        return None
    event = db.session.get(Event, message.event_id)
    if event is None or event.starts_at <= now or event.status is not EventStatus.PUBLISHED:
        return "skipped: the event has started or is no longer published"
    if message.dedupe_key and not message.dedupe_key.endswith(f":{int(event.starts_at.timestamp())}"):
        return "skipped: the event was moved (a reminder for the new time follows)"
    return None
