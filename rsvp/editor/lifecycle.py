"""An event's life once written: publishing it, postponing it, cancelling it, and telling its registrants.

A published event's registrants are told of a postponement or a cancellation by
a message job the worker writes a batch at a time (an event may have 100,000 of
them): the request stores the notice, nothing per person. Functions here flush,
never commit, raise EditorError subclasses, and write one audit entry each.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from rsvp.editor.services import EditorError, EndsBeforeStart
from rsvp.events.models import Event, EventFormat, EventStatus, RegistrationRule, UnPremises
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import messaging
from rsvp.registrations.messaging import Draft
from rsvp.registrations.models import ACTIVE_STATUSES, JobKind, Registration
from rsvp.timeutil import format_moment, now_utc


class WrongStatus(EditorError):
    """Publishing needs a draft; cancelling needs a published event."""


class NotReady(EditorError):
    """A draft that cannot be published yet; ``problems`` says what is missing."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def active_registrations(event: Event) -> int:
    """How many people a cancellation or a change of time or place is emailed to."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES))) or 0


def publish_problems(event: Event, now: datetime | None = None) -> list[str]:
    """What a draft lacks before the public may see it (empty when it is ready)."""
    now = now or now_utc()
    problems = []
    if not event.summary.strip():
        problems.append(_("Write a summary: event listings show it."))
    if not event.description.strip():
        problems.append(_("Write a description."))
    if event.format is not EventFormat.ONLINE and not event.venue:
        problems.append(_("Say where the event takes place (the venue): people attend in person."))
    if event.registration_rule is RegistrationRule.NOBODY:
        if not event.livestream_url:
            problems.append(_("Add the public livestream: nobody registers for a watch-only event."))
    elif event.format is not EventFormat.IN_PERSON and not (event.join_url or event.livestream_url):
        problems.append(_("Add the private link to join, or a public livestream: people attend online."))
    if event.registration_rule is RegistrationRule.WITHOUT_PASS and event.un_premises is UnPremises.NONE:
        problems.append(_("Say on which UN premises the event is held: pass holders come straight in."))
    if event.ends_at <= now:
        problems.append(_("The event is over: change its date before publishing it."))
    return problems


def publish(event: Event, actor: str, now: datetime | None = None) -> None:
    """Draft -> published: the event page, its registration form and listings go live.

    :raises WrongStatus: not a draft.
    :raises NotReady: something is missing (see publish_problems).
    """
    if event.status is not EventStatus.DRAFT:
        raise WrongStatus(event.status.value)
    problems = publish_problems(event, now)
    if problems:
        raise NotReady(problems)
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    audit.record(event, actor, AuditAction.CHANGED_EVENT, "published the event")


def cancel(event: Event, actor: str, reason: Draft | None = None) -> int:
    """Published -> cancelled; every active registrant is emailed (see cancel_event).

    :returns: how many registrants are told.
    :raises WrongStatus: not published.
    """
    if event.status is not EventStatus.PUBLISHED:
        raise WrongStatus(event.status.value)
    told = cancel_event(event, reason, actor)
    audit.record(event, actor, AuditAction.CHANGED_EVENT, f"cancelled the event; {told} registrants told")
    return told


def _notice(event: Event, kind: JobKind, reason: Draft | None, actor: str) -> int:
    """Store the notice for the worker to write to every active registrant, a batch at a time
    (an event may have 100,000 of them); returns how many it reaches."""
    batch = f"{kind.value}:{event.public_id}:{event.sequence}"
    draft = replace(reason, batch=batch) if reason is not None else Draft("", "", batch)
    job = messaging.send(event, messaging.EVERYONE_ACTIVE, draft, actor, kind=kind,
                         extra={"starts_at": event.starts_at.isoformat(),
                                "ends_at": event.ends_at.isoformat()})
    return job.total if job is not None else 0


def cancel_event(event: Event, reason: Draft | None = None, actor: str = "system") -> int:
    """Cancel a published event and tell every active registrant, with the organisers' ``reason``
    in each one's language; returns how many will be told."""
    if event.status is EventStatus.CANCELLED:
        return 0
    was_published = event.status is EventStatus.PUBLISHED
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    db.session.flush()
    return _notice(event, JobKind.CANCELLED, reason, actor) if was_published else 0


class NotLater(EditorError):
    """A postponement moves the event to a time still to come."""


def postpone(event: Event, starts_at: datetime, ends_at: datetime, reason: Draft, actor: str,
             now: datetime | None = None) -> int:
    """Move a published event to a new date, keeping every registration; each active registrant
    is sent the new date, the reason in their language and the updated calendar file (same UID,
    higher SEQUENCE). Returns how many will be told.

    :raises WrongStatus: not published.
    :raises EndsBeforeStart: the new end is not after the new start.
    :raises NotLater: the new start has passed.
    """
    if event.status is not EventStatus.PUBLISHED:
        raise WrongStatus(event.status.value)
    if ends_at <= starts_at:
        raise EndsBeforeStart()
    if starts_at <= (now or now_utc()):
        raise NotLater()
    before = format_moment(event.starts_at, event.timezone)
    event.starts_at, event.ends_at = starts_at, ends_at
    event.sequence += 1
    db.session.flush()
    told = _notice(event, JobKind.POSTPONED, reason, actor)
    audit.record(event, actor, AuditAction.CHANGED_EVENT,
                 f"postponed the event from {before} to {format_moment(starts_at, event.timezone)}; "
                 f"{told} registrants told")
    return told
