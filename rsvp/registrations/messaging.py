"""Organisers writing to registrants: everyone, or a segment chosen with the list's filters; and
every other email an organiser's act sends to a whole event (a cancellation or postponement
notice, the follow-up after the event), written the same way.

Sending stores the message (a MessageJob) and returns at once, whatever the
number of people; the worker writes the emails BATCH people at a time, each
batch its own short transaction that also records how far it got, so a pass
never holds the database for long, a worker that dies leaves the rest to the
next one, and the organiser sees the progress. Each email goes through the
outbox with the person's own manage link; its dedupe key makes sure no one
gets a message twice, and the form's random ``batch`` that the same draft
sent twice (a double click, a reload) is one message.

Each text is written in the event's main language and, if the organisers wish, in other
languages: each person gets it in their own, or in the main one (Draft.text_for). A job's kind
(JobKind) says which email it writes and to whom (WRITERS, _kind_conditions).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

from rsvp.db import end_read, reading, writing
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.mail.outbox import queue_rendered, render_email
from rsvp.privacy.audit import record
from rsvp.privacy.models import AuditAction
from rsvp.registrations import notify
from rsvp.registrations.models import (
    ACTIVE_STATUSES,
    JobKind,
    MessageJob,
    MessageStatus,
    Registration,
    RegistrationStatus,
    attended_sql,
)
from rsvp.registrations.notify import manage_url
from rsvp.registrations.tracking import (
    COUNTED,
    AttendeeFilter,
    count_matching,
    in_batches,
    opened_order,
)
from rsvp.timeutil import now_utc

#: People read (and their emails prepared) at a time, without the write lock.
BATCH = 200
#: Emails written per transaction: what a registration may have to wait for.
WRITES = 25
#: Batches a worker writes per pass before it lets the emails already written leave.
BATCHES_PER_PASS = 10
#: A worker holds a message this long after its last batch; then another may resume it
#: (MAIL_LEASE_SECONDS, as for the emails it claims; this by default).
LEASE = timedelta(minutes=5)


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("MAIL_LEASE_SECONDS", LEASE.total_seconds()))


@dataclass(frozen=True)
class Draft:
    """What the organisers wrote, in the event's main language and any others."""

    subject: str
    body: str
    #: A random value the form carries: the same draft sent twice is queued once.
    batch: str
    #: {language: (subject, body)} in the other languages; a language left out (or left empty)
    #: reads the main language's.
    translations: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def text_for(self, language: str) -> tuple[str, str]:
        """(subject, body) for a reader of ``language``: theirs when written, else the main one."""
        subject, body = self.translations.get(language, ("", ""))
        return (subject.strip() or self.subject.strip(), body if body.strip() else self.body)

    def stored_translations(self) -> dict[str, dict[str, str]]:
        return {language: {"subject": subject.strip(), "body": body}
                for language, (subject, body) in self.translations.items()
                if subject.strip() or body.strip()}

    @classmethod
    def of(cls, job: MessageJob) -> Draft:
        return cls(job.subject, job.body, job.batch, {
            language: (text.get("subject", ""), text.get("body", ""))
            for language, text in (job.translations or {}).items()})


def paragraphs(body: str) -> list[str]:
    """The text's paragraphs: an empty line between two."""
    return [p.strip() for p in body.strip().split("\n\n") if p.strip()]


def audience(selection: AttendeeFilter) -> AttendeeFilter:
    """Who a message reaches: never unconfirmed addresses; by default, everyone still coming."""
    statuses = tuple(s for s in selection.statuses or COUNTED
                     if s is not RegistrationStatus.PENDING_EMAIL)
    return replace(selection, statuses=statuses)


def recipients_count(event: Event, selection: AttendeeFilter) -> int:
    return count_matching(event, audience(selection))


#: Inserts the email it was made for; None when that person has it already (its dedupe key).
Queued = Callable[[], OutboxMessage | None]


def render(event: Event, registration: Registration, draft: Draft) -> OutboxMessage | None:
    """Queue the organisers' message for ``registration`` (their language, their link)."""
    return _prepared(event, registration, draft)()


def _prepared(event: Event, registration: Registration, draft: Draft) -> Queued:
    """The message rendered now; written when the returned function is called."""
    subject, body = draft.text_for(registration.language)
    rendered = render_email("organiser-message", registration.language, event=event,
                            registration=registration, title=subject, message_subject=subject,
                            paragraphs=paragraphs(body), manage_url=manage_url(registration))
    return lambda: queue_rendered("organiser-message", rendered, to=registration.email, event=event,
                                  dedupe_key=f"message:{draft.batch}:{registration.public_id}")


def _write_message(event: Event, registration: Registration, job: MessageJob) -> Queued:
    return _prepared(event, registration, Draft.of(job))  # rendered before any write begins


def _write_notice(event: Event, registration: Registration, job: MessageJob) -> Queued:
    _subject, reason = Draft.of(job).text_for(registration.language)
    key = f"{job.kind}:{job.batch}:{registration.public_id}"
    if job.kind == JobKind.CANCELLED:
        return lambda: notify.cancellation(registration, reason, key)
    return lambda: notify.postponement(registration, reason, key)


def follow_up_key(registration: Registration) -> str:
    """One follow-up per registration, whichever text it is and however often it is sent."""
    return f"follow-up:{registration.public_id}"


def _write_follow_up(event: Event, registration: Registration, job: MessageJob) -> Queued:
    subject, body = Draft.of(job).text_for(registration.language)
    extra = job.extra or {}
    return lambda: notify.follow_up(registration, subject, body, extra.get("recording_url", ""),
                                    extra.get("documents", ""), follow_up_key(registration))


def _write_change(event: Event, registration: Registration, job: MessageJob) -> Queued:
    return lambda: notify.change_notice(registration, job.extra or {},
                                        f"{job.kind}:{job.batch}:{registration.public_id}")


#: The email each kind of job prepares for one person (as much of it as can be done before the
#: transaction that writes it: the organisers' message is rendered; the notices are written at
#: sending time by the worker, see rsvp.registrations.notify._send).
WRITERS: dict[str, Callable[[Event, Registration, MessageJob], Queued]] = {
    JobKind.MESSAGE: _write_message,
    JobKind.CANCELLED: _write_notice, JobKind.POSTPONED: _write_notice, JobKind.CHANGED: _write_change,
    JobKind.FOLLOW_UP_ATTENDED: _write_follow_up, JobKind.FOLLOW_UP_ABSENT: _write_follow_up,
}


def _kind_conditions(kind: str) -> list[Any]:
    """Who a kind reaches beyond its stored audience: follow-ups split by attendance."""
    if kind == JobKind.FOLLOW_UP_ATTENDED:
        return [attended_sql()]
    if kind == JobKind.FOLLOW_UP_ABSENT:
        return [~attended_sql()]
    return []


#: Everyone a cancellation or a postponement is told to: every registration still holding a place.
EVERYONE_ACTIVE = AttendeeFilter(statuses=ACTIVE_STATUSES)


def count_reaching(event: Event, selection: AttendeeFilter, kind: str = JobKind.MESSAGE) -> int:
    extra = _kind_conditions(kind)
    if not extra:
        return count_matching(event, selection)
    return db.session.scalar(sa.select(sa.func.count(Registration.id))
                             .where(*selection.conditions(event), *extra)) or 0


def send(event: Event, selection: AttendeeFilter, draft: Draft, actor: str,
         kind: str = JobKind.MESSAGE, extra: dict[str, Any] | None = None) -> MessageJob | None:
    """Store the message for the worker to write to everyone in the segment; None when this
    draft was sent already. The caller commits.

    An organiser's message reaches ``audience(selection)``; the other kinds reach ``selection``
    as it is (with the follow-ups' split by attendance).
    """
    if db.session.scalar(sa.select(MessageJob.id).where(MessageJob.batch == draft.batch)):
        return None
    reaching = audience(selection) if kind == JobKind.MESSAGE else selection
    job = MessageJob(event_id=event.id, batch=draft.batch, actor=actor, kind=str(kind),
                     subject=draft.subject.strip(), body=draft.body,
                     translations=draft.stored_translations() or None, extra=extra,
                     audience=reaching.query_args(), total=count_reaching(event, reaching, kind))
    try:
        with db.session.begin_nested():  # the same draft sent twice at once: one wins
            db.session.add(job)
    except sa.exc.IntegrityError:
        return None
    if kind == JobKind.MESSAGE:
        record(event, actor, AuditAction.SENT_MESSAGE,
               f'"{draft.subject.strip()[:120]}" to {job.total} registrant(s)')
    return job


def messages_of(event: Event, limit: int = 10,
                kinds: tuple[str, ...] = (JobKind.MESSAGE,)) -> list[MessageJob]:
    """The event's latest messages (of ``kinds``), newest first, with their progress."""
    return list(db.session.scalars(sa.select(MessageJob).where(MessageJob.event_id == event.id,
                                                               MessageJob.kind.in_(kinds))
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
        .values(claim=token, lease_expires_at=now + _lease(), status=MessageStatus.SENDING)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return (job_id, token) if claimed.rowcount == 1 else None


def _write_batch(job_id: int, token: str) -> tuple[int, bool]:
    """Write the next BATCH people of the message; (emails queued, whether it is finished).

    The people are read and their emails prepared in a read transaction (on
    SQLite, without the write lock); the emails are then written WRITES at a
    time, each write in its own short transaction that also moves the job's
    cursor and progress, so a registration waits for one such write at most.
    """
    with reading():
        prepared = _prepare_batch(job_id, token)
        end_read(db.session())
    if prepared is None:  # purged, or taken over
        return 0, True
    people, emails = prepared
    finished = len(people) < BATCH
    queued = 0
    for first in range(0, max(len(people), 1), WRITES):
        chunk = emails[first:first + WRITES]
        last = first + WRITES >= len(people)
        with writing():
            done = len([email for email in chunk if email() is not None])
            now = now_utc()
            values: dict[str, object] = {"queued": MessageJob.queued + done,
                                         "lease_expires_at": now + _lease()}
            if chunk:
                values["after_id"] = people[min(first + WRITES, len(people)) - 1].id
            if finished and last:
                values.update(status=MessageStatus.SENT, finished_at=now, claim=None,
                              lease_expires_at=None)
            ours: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
                sa.update(MessageJob).where(MessageJob.id == job_id, MessageJob.claim == token)
                .values(values).execution_options(synchronize_session=False))
            if ours.rowcount != 1:  # taken over after our lease ran out: the other goes on
                db.session.rollback()
                return queued, True
            if last:
                db.session.commit()
            else:
                end_read(db.session())  # commits; the people read stay loaded for the next write
        queued += done
    return queued, finished


def _prepare_batch(job_id: int, token: str) -> tuple[list[Registration], list[Queued]] | None:
    # As stored now: the writes move its cursor without touching the loaded copy.
    job = db.session.get(MessageJob, job_id, populate_existing=True)
    event = db.session.get(Event, job.event_id) if job is not None else None
    if job is None or event is None or job.claim != token:
        return None
    selection = AttendeeFilter.from_query(MultiDict(job.audience))
    # Those registered when it was sent (its total): a message stored for 100,000 takes a while
    # to write, and whoever registers meanwhile was not among the people it was written to.
    rest = [*selection.conditions(event), *_kind_conditions(job.kind), Registration.id > job.after_id,
            Registration.created_at <= job.created_at]
    if selection.search.strip():  # sealed names: matched once opened, only past the cursor
        people = next(in_batches(opened_order(event.id, rest, selection.search)[:BATCH]), [])
    else:
        people = list(db.session.scalars(
            sa.select(Registration).where(*rest).order_by(Registration.id).limit(BATCH)))
    write = WRITERS[job.kind]
    return people, [write(event, person, job) for person in people]
