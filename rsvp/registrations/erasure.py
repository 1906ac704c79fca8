"""Erasing registrants' personal data: one person's (rsvp.registrations.selfservice), every
registrant's of an event past its retention time (asked by rsvp.jobs), and grounds-pass details
once an event is over.

What stays is what the counts need (status, attendance mode, organisation
type, country, interpretation language, captions, times), with no name,
address, answer or free text left, and no email about the event in the outbox.
forget_notes_and_emails() is what every erasure shares, so they cannot disagree.
Functions here flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from rsvp.db import erasing_personal_data
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.personal import erased_values, personal_columns
from rsvp.registrations.models import MessageJob, Registration, RegistrationChange
from rsvp.registrations.notify import LINKS_EMAIL


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
        sa.tuple_(message.event_id, message.recipient_hash).in_(
            sa.select(R.event_id, R.email_hash).where(which)),
        sa.and_(message.kind == LINKS_EMAIL,
                message.recipient_hash.in_(sa.select(R.email_hash).where(which))))))
    return deleted.rowcount


def erase(which: sa.ColumnElement[bool], now: datetime) -> tuple[int, int]:
    """Erase the personal columns of the registrations ``which`` selects, as each declares
    (rsvp.personal), and revoke their links; returns (registrations, emails deleted).

    The history notes and the emails go first (forget_notes_and_emails): they are found by
    the addresses this blanks.
    """
    R = Registration
    forgotten = forget_notes_and_emails(which)
    erased: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(R).where(which, R.erased_at.is_(None))
        .values(**erased_values(R.__table__), token_version=R.token_version + 1, erased_at=now,
                updated_at=now)
        .execution_options(synchronize_session=False))
    return erased.rowcount, forgotten


def erase_event(event: Event, now: datetime) -> tuple[int, int]:
    """Erase every registrant's personal data for ``event``, and every email about it;
    returns (registrations, messages)."""
    erased, forgotten = erase(Registration.event_id == event.id, now)
    deleted: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.delete(OutboxMessage).where(OutboxMessage.event_id == event.id)
        .execution_options(synchronize_session=False))
    db.session.execute(sa.delete(MessageJob).where(MessageJob.event_id == event.id)
                       .execution_options(synchronize_session=False))  # their words and audience
    return erased, forgotten + deleted.rowcount


def mark_passes_requested(which: sa.ColumnElement[bool], now: datetime) -> int:
    """The organisers sent these pass requests to the UN: their passport details go at once
    (the grounds_pass group, rsvp.personal), and they stay marked as requested."""
    erasing_personal_data(db.session())
    table = Registration.__table__
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Registration).where(which, Registration.pass_requested_at.is_(None))
        .values(**erased_values(table, "grounds_pass"), pass_requested_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount


def drop_grounds_pass_details(now: datetime) -> int:
    """Passport names, nationalities and birth dates are needed only until the event ends."""
    ended = sa.select(Event.id).where(Event.ends_at <= now).scalar_subquery()
    table = Registration.__table__
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Registration)
        .where(Registration.event_id.in_(ended),
               sa.or_(*(column.is_not(None) for column in personal_columns(table, "grounds_pass"))))
        .values(**erased_values(table, "grounds_pass"))
        .execution_options(synchronize_session=False))
    return result.rowcount
