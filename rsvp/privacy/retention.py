"""Retention: attendees' personal data is erased a set number of days after their event.

What stays is what the counts need (status, attendance mode, organisation
type, country, interpretation language, captions, times), with no name,
address, answer or free text left, and no email about the event in the outbox.
Speakers lose their name, address and statement file; their delegation,
category and speaking times stay for the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from rsvp.events.models import Event
from rsvp.exports.jobs import delete_export_files
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations.models import Registration, RegistrationChange
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


def purge_event(event: Event, now: datetime) -> tuple[int, int]:
    """Erase every registrant's personal data for ``event``; returns (registrations, messages)."""
    R = Registration
    in_event = sa.select(R.id).where(R.event_id == event.id).scalar_subquery()
    db.session.execute(
        sa.update(RegistrationChange).where(RegistrationChange.registration_id.in_(in_event))
        .values(note="").execution_options(synchronize_session=False))
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
    return erased.rowcount, deleted.rowcount


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
    return result
