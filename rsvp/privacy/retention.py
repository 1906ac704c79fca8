"""Retention: attendees' personal data is erased a set number of days after their event.

What stays is what the counts need (status, attendance mode, organisation
type, country, interpretation language, captions, times), with no name,
address, answer or free text left, and no email about the event in the outbox.
forget_notes_and_emails() is what every erasure shares, this purge and the
erasure a person asks for (rsvp.registrations.selfservice) alike.
Speakers lose their name, address and statement file; their delegation,
category and speaking times stay for the report. Wrong-password counts go
once they have expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from rsvp.auth.services import forget_expired_login_failures
from rsvp.db import erasing_personal_data
from rsvp.events.models import Event
from rsvp.exports.jobs import delete_export_files
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations.models import Registration, RegistrationChange
from rsvp.registrations.notify import LINKS_EMAIL
from rsvp.speakers import statements
from rsvp.speakers.models import Speaker


@dataclass
class PurgeResult:
    events: int = 0
    registrations: int = 0
    messages: int = 0


def due_events(now: datetime) -> list[Event]:
    """Events past their retention time that still hold someone's personal data."""
    holding = sa.or_(
        sa.exists().where(Registration.event_id == Event.id, Registration.erased_at.is_(None)),
        sa.exists().where(Speaker.event_id == Event.id, Speaker.name != ""))
    candidates = db.session.scalars(sa.select(Event).where(Event.ends_at < now, holding))
    return [e for e in candidates if e.ends_at + timedelta(days=e.retention_days) <= now]


def forget_notes_and_emails(which: sa.ColumnElement[bool]) -> int:
    """Blank the history notes of the registrations ``which`` selects and delete the emails to them.

    Notes go because an organiser's reason may name the person; the emails are
    those about each registration's event and the links emails to the same
    address, which belong to no event when they cover several. Call it before
    the addresses are blanked. Returns how many emails were deleted. On
    SQLite the commit then empties the WAL of the old rows
    (rsvp.db.checkpoint_after_erasure).
    """
    erasing_personal_data(db.session())
    R, message = Registration, OutboxMessage
    db.session.execute(
        sa.update(RegistrationChange)
        .where(RegistrationChange.registration_id.in_(sa.select(R.id).where(which)))
        .values(note=""))
    deleted: sa.CursorResult = db.session.execute(sa.delete(message).where(sa.or_(  # type: ignore[assignment]
        sa.tuple_(message.event_id, message.recipient).in_(sa.select(R.event_id, R.email).where(which)),
        sa.and_(message.kind == LINKS_EMAIL, message.recipient.in_(sa.select(R.email).where(which))))))
    return deleted.rowcount


def purge_event(event: Event, now: datetime) -> tuple[int, int]:
    """Erase every registrant's personal data for ``event``; returns (registrations, messages)."""
    R = Registration
    forgotten = forget_notes_and_emails(R.event_id == event.id)
    erased: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(R).where(R.event_id == event.id, R.erased_at.is_(None)).values(
            email=sa.literal("erased-") + sa.cast(R.id, sa.String) + sa.literal("@invalid"),
            name="", organisation="", timezone=None,
            # Whether someone had a need stays countable; what it was does not.
            accessibility_needs=sa.case((R.accessibility_needs != "", "(erased)"), else_=""),
            answers={}, passport_name=None, nationality=None, date_of_birth=None,
            pass_organisation=None, pass_function=None, token_version=R.token_version + 1,
            erased_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    deleted: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.delete(OutboxMessage).where(OutboxMessage.event_id == event.id)
        .execution_options(synchronize_session=False))
    _purge_speakers(event)
    delete_export_files(event.id)
    return erased.rowcount, forgotten + deleted.rowcount


def _purge_speakers(event: Event) -> None:
    files = db.session.scalars(sa.select(Speaker.statement_stored_as).where(
        Speaker.event_id == event.id, Speaker.statement_stored_as.is_not(None)))
    for stored_as in files:
        statements.delete_after_commit(db.session(), stored_as)
    db.session.execute(
        sa.update(Speaker).where(Speaker.event_id == event.id).values(
            name="", email=sa.literal("erased-") + sa.cast(Speaker.id, sa.String)
            + sa.literal("@invalid"), statement_filename=None, statement_stored_as=None,
            statement_content_type=None, statement_bytes=None, statement_uploaded_at=None,
            token_version=Speaker.token_version + 1)
        .execution_options(synchronize_session=False))


def purge(now: datetime) -> PurgeResult:
    """Erase what retention says is due; the caller commits."""
    result = PurgeResult()
    for event in due_events(now):
        registrations, messages = purge_event(event, now)
        result.events += 1
        result.registrations += registrations
        result.messages += messages
    forget_expired_login_failures(now)
    return result
