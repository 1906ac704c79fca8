"""Organisers writing to registrants: everyone, or a segment chosen with the list's filters.

Sending stores the message (a MessageJob) and returns at once, whatever the
number of people; the worker writes the emails BATCH people at a time, each
batch its own short transaction that also records how far it got, so a pass
never holds the database for long, a worker that dies leaves the rest to the
next one, and the organiser sees the progress. Each email goes through the
outbox with the person's own manage link; its dedupe key makes sure no one
gets a message twice, and the form's random ``batch`` that the same draft
sent twice (a double click, a reload) is one message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.mail.outbox import queue_email
from rsvp.privacy.audit import record
from rsvp.privacy.models import AuditAction
from rsvp.registrations.models import MessageJob, MessageStatus, Registration, RegistrationStatus
from rsvp.registrations.notify import manage_url
from rsvp.registrations.tracking import (
    COUNTED,
    AttendeeFilter,
    count_matching,
    in_batches,
    opened_order,
)
from rsvp.timeutil import now_utc

#: People written to per transaction.
BATCH = 200
#: Batches a worker writes per pass before it lets the emails already written leave.
BATCHES_PER_PASS = 10
#: A worker holds a message this long after its last batch; then another may resume it.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    #: A random value the form carries: the same draft sent twice is queued once.
    batch: str


def audience(selection: AttendeeFilter) -> AttendeeFilter:
    """Who a message reaches: never unconfirmed addresses; by default, everyone still coming."""
    statuses = tuple(s for s in selection.statuses or COUNTED
                     if s is not RegistrationStatus.PENDING_EMAIL)
    return replace(selection, statuses=statuses)


def recipients_count(event: Event, selection: AttendeeFilter) -> int:
    return count_matching(event, audience(selection))


def render(event: Event, registration: Registration, draft: Draft) -> OutboxMessage | None:
    return queue_email(
        "organiser-message", to=registration.email, lang=registration.language, event=event,
        dedupe_key=f"message:{draft.batch}:{registration.public_id}",
        registration=registration, title=draft.subject.strip(), message_subject=draft.subject,
        paragraphs=[p.strip() for p in draft.body.strip().split("\n\n") if p.strip()],
        manage_url=manage_url(registration))


def send(event: Event, selection: AttendeeFilter, draft: Draft, actor: str) -> MessageJob | None:
    """Store the message for the worker to write to everyone in the segment; None when this
    draft was sent already. The caller commits."""
    if db.session.scalar(sa.select(MessageJob.id).where(MessageJob.batch == draft.batch)):
        return None
    reaching = audience(selection)
    job = MessageJob(event_id=event.id, batch=draft.batch, actor=actor,
                     subject=draft.subject.strip(), body=draft.body,
                     audience=reaching.query_args(), total=count_matching(event, reaching))
    try:
        with db.session.begin_nested():  # the same draft sent twice at once: one wins
            db.session.add(job)
    except sa.exc.IntegrityError:
        return None
    record(event, actor, AuditAction.SENT_MESSAGE,
           f'"{draft.subject.strip()[:120]}" to {job.total} registrant(s)')
    return job


def messages_of(event: Event, limit: int = 10) -> list[MessageJob]:
    """The event's latest messages, newest first, with their progress."""
    return list(db.session.scalars(sa.select(MessageJob).where(MessageJob.event_id == event.id)
                                   .order_by(MessageJob.created_at.desc(), MessageJob.id.desc())
                                   .limit(limit)))


def write_messages(now: datetime | None = None) -> int:
    """The worker's duty: write up to BATCHES_PER_PASS batches of one message; emails queued.

    Each batch commits on its own. The message is claimed (so two workers never write the
    same one at once) and released at the end of the pass, for this or another worker to go on.
    """
    now = now or now_utc()
    claimed = _claim(now)
    if claimed is None:
        return 0
    job_id, token = claimed
    written = 0
    for _ in range(BATCHES_PER_PASS):
        done, finished = _write_batch(job_id, token)
        written += done
        if finished:
            return written
    db.session.execute(sa.update(MessageJob).where(MessageJob.id == job_id, MessageJob.claim == token)
                       .values(claim=None, lease_expires_at=None))
    db.session.commit()
    return written


def _claim(now: datetime) -> tuple[int, str] | None:
    free = sa.and_(MessageJob.status != MessageStatus.SENT,
                   sa.or_(MessageJob.lease_expires_at.is_(None), MessageJob.lease_expires_at < now))
    job_id = db.session.scalar(sa.select(MessageJob.id).where(free)
                               .order_by(MessageJob.created_at, MessageJob.id).limit(1))
    if job_id is None:
        db.session.commit()
        return None
    token = secrets.token_hex(16)
    claimed: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(MessageJob).where(MessageJob.id == job_id, free)
        .values(claim=token, lease_expires_at=now + LEASE, status=MessageStatus.SENDING)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return (job_id, token) if claimed.rowcount == 1 else None


def _write_batch(job_id: int, token: str) -> tuple[int, bool]:
    """Write the next BATCH people of the message; (emails queued, whether it is finished)."""
    job = db.session.get(MessageJob, job_id)
    event = db.session.get(Event, job.event_id) if job is not None else None
    if job is None or event is None or job.claim != token:  # purged, or taken over
        db.session.commit()
        return 0, True
    selection = AttendeeFilter.from_query(MultiDict(job.audience))
    rest = [*selection.conditions(event), Registration.id > job.after_id]
    if selection.search.strip():  # sealed names: matched once opened, only past the cursor
        people = next(in_batches(opened_order(event.id, rest, selection.search)[:BATCH]), [])
    else:
        people = list(db.session.scalars(
            sa.select(Registration).where(*rest).order_by(Registration.id).limit(BATCH)))
    draft = Draft(job.subject, job.body, job.batch)
    queued = len([person for person in people if render(event, person, draft) is not None])
    finished = len(people) < BATCH
    now = now_utc()
    values: dict[str, object] = {"queued": MessageJob.queued + queued,
                                 "lease_expires_at": now + LEASE}
    if people:
        values["after_id"] = people[-1].id
    if finished:
        values.update(status=MessageStatus.SENT, finished_at=now, claim=None, lease_expires_at=None)
    db.session.execute(sa.update(MessageJob).where(MessageJob.id == job_id, MessageJob.claim == token)
                       .values(values).execution_options(synchronize_session=False))
    db.session.commit()
    return queued, finished
