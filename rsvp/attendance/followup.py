"""After the event: one text to those who came, another to those registered who did not, each in
the registrant's language, with the recording and the documents.

Sending stores two message jobs (rsvp.registrations.messaging) that the worker writes a batch at a
time; each email's dedupe key is the registration's own (messaging.follow_up_key), so a person
gets one follow-up, whichever text and however often the form is sent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import messaging
from rsvp.registrations.messaging import Draft
from rsvp.registrations.models import JobKind, MessageJob
from rsvp.registrations.tracking import COUNTED, AttendeeFilter
from rsvp.timeutil import now_utc

#: Who a follow-up may reach: those still registered (not cancelled, rejected or unconfirmed).
REGISTERED = AttendeeFilter(statuses=COUNTED)
KINDS = (JobKind.FOLLOW_UP_ATTENDED, JobKind.FOLLOW_UP_ABSENT)


class FollowUpRefused(Exception):
    """The follow-up cannot be sent; the caller rolls back."""


class NotOverYet(FollowUpRefused):
    """The event has not ended."""


class AlreadySent(FollowUpRefused):
    """The event's follow-up has been sent: each person gets one."""


def reach(event: Event) -> tuple[int, int]:
    """(those who came, those who did not), counted."""
    return (messaging.count_reaching(event, REGISTERED, JobKind.FOLLOW_UP_ATTENDED),
            messaging.count_reaching(event, REGISTERED, JobKind.FOLLOW_UP_ABSENT))


def follow_ups_of(event: Event) -> list[MessageJob]:
    return messaging.messages_of(event, kinds=KINDS)


def send(event: Event, attended: Draft, absent: Draft, recording_url: str, documents: str,
         actor: str, now: datetime | None = None) -> tuple[int, int]:
    """Store both texts for the worker; returns how many each reaches. The caller commits.

    :raises NotOverYet: the event has not ended.
    :raises AlreadySent: a follow-up of this event exists.
    """
    if event.ends_at > (now or now_utc()):
        raise NotOverYet()
    if db.session.scalar(sa.select(MessageJob.id).where(MessageJob.event_id == event.id,
                                                        MessageJob.kind.in_(KINDS)).limit(1)):
        raise AlreadySent()
    extra = {"recording_url": recording_url.strip(), "documents": documents.strip()}
    told = []
    for kind, draft in ((JobKind.FOLLOW_UP_ATTENDED, attended), (JobKind.FOLLOW_UP_ABSENT, absent)):
        job = messaging.send(event, REGISTERED, replace(draft, batch=f"{kind.value}:{event.public_id}"),
                             actor, kind=kind, extra=extra)
        if job is None:  # the same form sent twice at once: the other request stored it
            raise AlreadySent()
        told.append(job.total)
    audit.record(event, actor, AuditAction.SENT_MESSAGE,
                 f"follow-up: {told[0]} who attended, {told[1]} who did not")
    return told[0], told[1]
