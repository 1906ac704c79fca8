"""Organisers writing to registrants: everyone, or a segment chosen with the list's filters.

Each message goes through the outbox, one per person, with their own manage
link; a form sent twice (a double click, a reload) queues nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rsvp.events.models import Event
from rsvp.mail.models import OutboxMessage
from rsvp.mail.outbox import queue_email
from rsvp.privacy.audit import record
from rsvp.privacy.models import AuditAction
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.notify import manage_url
from rsvp.registrations.tracking import COUNTED, AttendeeFilter, count_matching, matching


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


def send(event: Event, selection: AttendeeFilter, draft: Draft, actor: str) -> int:
    """Queue the message to everyone in the segment; returns how many were queued now."""
    people = matching(event, audience(selection))
    queued = sum(1 for person in people if render(event, person, draft) is not None)
    if queued:
        record(event, actor, AuditAction.SENT_MESSAGE,
               f'"{draft.subject.strip()[:120]}" to {queued} registrant(s)')
    return queued
