"""The work no request does: the worker's pass (`rsvp worker`, `rsvp send-pending`) and the retention
purge (`rsvp purge`, and every pass), on top of the features they ask.

Each pass: expire registrations whose email was never confirmed, drop
grounds-pass details once an event is over, erase personal data past its
retention time, queue due reminders, write a few batches of organisers'
messages, send what is due, deliver the webhooks, then build one large export. Each duty is a
cheap indexed query when there is nothing to do, and commits on its own.

Retention: a set number of days after an event (30 by default), each feature
erases its own personal data of it — registrations (rsvp.registrations.erasure),
speakers (rsvp.speakers.erasure), prepared exports — keeping only the counts.
Wrong-password counts go once they have expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from rsvp.auth.services import forget_expired_login_failures
from rsvp.db import writing
from rsvp.events.models import Event
from rsvp.exports.jobs import build_exports, delete_export_files
from rsvp.extensions import db
from rsvp.mail.worker import PassResult, StopRequested, send_pending
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import erasure as registration_erasure
from rsvp.registrations.messaging import write_messages
from rsvp.registrations.models import Registration
from rsvp.registrations.reminders import enqueue_due_reminders, reminder_skip_reason
from rsvp.registrations.selfservice import expire_unconfirmed
from rsvp.speakers import erasure as speaker_erasure
from rsvp.speakers.models import Speaker
from rsvp.webhooks.delivery import deliver_webhooks


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
    """Every feature erases its own personal data of ``event``; returns (registrations, messages)."""
    registrations, messages = registration_erasure.erase_event(event, now)
    speaker_erasure.erase_event(event)
    delete_export_files(event.id)
    audit.record(event, "system", AuditAction.ERASED_REGISTRATION,
                 f"personal data of {registrations} registration(s), the speakers and {messages} "
                 f"email(s) erased: {event.retention_days} days after the event (retention)", now)
    return registrations, messages


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


def deliver_due(now: datetime, stop: StopRequested = lambda: False) -> PassResult:
    """One pass of the worker: housekeeping and reminders, each committed on its own, then sending,
    then one large export (rsvp.exports.jobs). Asked to ``stop`` (SIGTERM to `rsvp worker`), it
    stops between two duties, or inside the long ones between two batches."""
    with writing():
        for duty in (lambda: expire_unconfirmed(now, current_app.config["REGISTRATION_CONFIRM_HOURS"]),
                     lambda: registration_erasure.drop_grounds_pass_details(now), lambda: purge(now),
                     lambda: enqueue_due_reminders(now, stop), lambda: write_messages(now)):
            if stop():
                return PassResult()
            duty()
            db.session.commit()  # (write_messages commits each of its batches itself)
    result = send_pending(now, skip=lambda message: reminder_skip_reason(message, now), stop=stop)
    for afterwards in (lambda: deliver_webhooks(now), lambda: build_exports(now)):
        if stop():
            break
        afterwards()
    return result
