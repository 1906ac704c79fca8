"""The worker's recurring duties for registrations, run on every pass.

Expire registrations whose email was never confirmed, drop grounds-pass
details once an event is over, erase personal data past its retention time,
queue due reminders, then send what is due. Each duty is a cheap indexed
query when there is nothing to do.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from rsvp.db import writing
from rsvp.events.models import Event
from rsvp.exports.jobs import build_exports
from rsvp.extensions import db
from rsvp.mail.worker import PassResult, send_pending
from rsvp.privacy.retention import purge
from rsvp.registrations.models import Registration
from rsvp.registrations.notify import enqueue_due_reminders, reminder_skip_reason
from rsvp.registrations.selfservice import expire_unconfirmed


def drop_grounds_pass_details(now: datetime) -> int:
    """Passport names, nationalities and birth dates are needed only until the event ends."""
    ended = sa.select(Event.id).where(Event.ends_at <= now).scalar_subquery()
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Registration)
        .where(Registration.event_id.in_(ended),
               sa.or_(Registration.passport_name.is_not(None), Registration.nationality.is_not(None),
                      Registration.date_of_birth.is_not(None),
                      Registration.pass_organisation.is_not(None),
                      Registration.pass_function.is_not(None)))
        .values(passport_name=None, nationality=None, date_of_birth=None,
                pass_organisation=None, pass_function=None)
        .execution_options(synchronize_session=False))
    return result.rowcount


def deliver_due(now: datetime) -> PassResult:
    """One pass of the worker: housekeeping and reminders, each committed on its own, then sending,
    then one large export (rsvp.exports.jobs)."""
    with writing():
        for duty in (lambda: expire_unconfirmed(now, current_app.config["REGISTRATION_CONFIRM_HOURS"]),
                     lambda: drop_grounds_pass_details(now), lambda: purge(now),
                     lambda: enqueue_due_reminders(now)):
            duty()
            db.session.commit()
    result = send_pending(now, skip=lambda message: reminder_skip_reason(message, now))
    build_exports(now)
    return result
