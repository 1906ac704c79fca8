"""The Emails pages: an event's outbox as its organisers see it, each message's status and a
preview of what the person received (so a newcomer running `make run` reads it in the browser);
and what will go out and when — the reminders, the messages, notices and follow-ups being
written — counted, never listed person by person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from rsvp.auth.access import Role, event_role_required
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail import outbox
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.registrations.messaging import messages_of
from rsvp.registrations.models import JobKind, MessageJob
from rsvp.registrations.reminders import scheduled_reminders
from rsvp.timeutil import format_moment, now_utc

bp = Blueprint("emails", __name__)

#: The preview frame shows the email as sent (its inline styles), runs nothing, loads nothing.
PREVIEW_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                  "frame-ancestors 'self'; sandbox")


def _message(event: Event, message_number: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_number)
    if message is None or message.event_id != event.id:
        abort(404)
    return _written(message)


def _written(message: OutboxMessage) -> OutboxMessage:
    """A message the worker has not written yet, shown as it will be written (nothing stored)."""
    if message.render is not None:
        db.session.expunge(message)
        outbox.render_pending(message)
    return message


@bp.get("/manage/events/<event_id>/emails")
@event_role_required(Role.MANAGER)
def index(event: Event) -> str:
    status = request.args.get("status", "")
    query = sa.select(OutboxMessage).where(OutboxMessage.event_id == event.id)
    if status in OutboxStatus._value2member_map_:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    page = db.paginate(query.order_by(OutboxMessage.id.desc()),
                       page=request.args.get("page", 1, type=int), per_page=50, error_out=False)
    totals = dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).where(OutboxMessage.event_id == event.id)
        .group_by(OutboxMessage.status)).all())
    for message in page.items:
        _written(message)
    now = now_utc()
    return render_template("manage/emails/index.html", event=event, page=page, status=status,
                           totals={s.value: n for s, n in totals.items()}, now=now,
                           reminders=scheduled_reminders(event, now),
                           jobs=[(job, _subject(job, event))
                                 for job in messages_of(event, limit=20, kinds=tuple(JobKind))])


def _subject(job: MessageJob, event: Event) -> str:
    """A job's subject as the list shows it; a postponement notice's is its new date."""
    if job.kind == JobKind.POSTPONED and job.extra and job.extra.get("starts_at"):
        return _("New date: %(when)s", when=format_moment(
            datetime.fromisoformat(job.extra["starts_at"]), event.timezone, "medium"))
    return job.subject


@bp.get("/manage/events/<event_id>/emails/<int:message_number>")
@event_role_required(Role.MANAGER)
def show(event: Event, message_number: int) -> str:
    return render_template("manage/emails/show.html", event=event,
                           message=_message(event, message_number))


@bp.get("/manage/events/<event_id>/emails/<int:message_number>/body.html")
@event_role_required(Role.MANAGER)
def body(event: Event, message_number: int) -> Response:
    response = make_response(_message(event, message_number).html_body)
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


#: What each kind of message job is, on the Emails page.
JOB_LABELS = {
    JobKind.MESSAGE.value: _l("Message from the organisers"),
    JobKind.CANCELLED.value: _l("Cancellation notice"),
    JobKind.POSTPONED.value: _l("Postponement notice"),
    JobKind.CHANGED.value: _l("Notice of a new time, venue or link"),
    JobKind.FOLLOW_UP_ATTENDED.value: _l("Follow-up to those who attended"),
    JobKind.FOLLOW_UP_ABSENT.value: _l("Follow-up to those who did not attend"),
}

OUTBOX_LABELS = {
    OutboxStatus.QUEUED.value: _l("waiting"),
    OutboxStatus.SENDING.value: _l("sending"),
    OutboxStatus.SENT.value: _l("sent"),
    OutboxStatus.RETRY.value: _l("will retry"),
    OutboxStatus.FAILED.value: _l("failed"),
}


@bp.record_once
def _label_globals(state) -> None:  # type: ignore[no-untyped-def]
    state.app.jinja_env.globals.update(OUTBOX_LABELS=OUTBOX_LABELS, JOB_LABELS=JOB_LABELS,
                                       duration_text=duration_text)


def duration_text(minutes: int) -> str:
    """ "1 day", "2 hours", "90 minutes" in the reader's language: how long before the start a
    reminder goes, in the largest unit that says it exactly."""
    unit = "day" if minutes % 1440 == 0 else "hour" if minutes % 60 == 0 else "minute"
    return format_timedelta(timedelta(minutes=minutes), granularity=unit, threshold=10**9)
