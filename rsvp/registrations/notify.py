"""The emails a registrant receives, queued in the caller's transaction.

Builds the shared context (times in the event's zones and the person's own,
place, languages, the manage link, the join link only for a confirmed online
attendee) and hands it to queue_email().
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _

from rsvp import tokens
from rsvp.events.calendar import ics_attachment
from rsvp.events.content import email_context, event_text
from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db
from rsvp.i18n import language_name, list_text
from rsvp.mail.models import OutboxMessage
from rsvp.mail.outbox import (
    Rendered,
    Renderer,
    later,
    queue_email,
    queue_later,
    queue_later_row,
    queue_message,
    queue_rendered,
    render_email,
)
from rsvp.registrations import codes
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.timeutil import format_day, format_day_and_span, format_moment, format_span, is_zone, time_lines
from rsvp.urls import public_domain, public_url

#: The message each status change sends.
STATUS_EMAILS = {
    RegistrationStatus.CONFIRMED: "registration-confirmed",
    RegistrationStatus.WAITLISTED: "registration-waitlisted",
    RegistrationStatus.PENDING_APPROVAL: "registration-pending",
    RegistrationStatus.CANCELLED: "registration-cancelled",
    RegistrationStatus.REJECTED: "registration-rejected",
}


def manage_url(registration: Registration) -> str:
    token = tokens.sign("manage-registration", [registration.public_id, registration.token_version])
    return public_url("registrations.manage", token=token)


def confirmed_then_and_now(registration: Registration, status: RegistrationStatus | None) -> bool:
    """Confirmed when the email was queued (``status``, it is written later) and still confirmed."""
    return (registration.status is RegistrationStatus.CONFIRMED
            and (status or registration.status) is RegistrationStatus.CONFIRMED)


def join_url_for(registration: Registration, status: RegistrationStatus | None = None) -> str | None:
    """The private link, for confirmed online attendees only (see confirmed_then_and_now)."""
    event = registration.event
    if (confirmed_then_and_now(registration, status)
            and registration.attendance_mode is AttendanceMode.ONLINE and event.join_url):
        return event.join_url
    return None


def _context(registration: Registration, status: RegistrationStatus) -> dict[str, Any]:
    event = registration.event
    lines = time_lines(event.starts_at, event.ends_at, event.timezone, event.display_timezones)
    own = registration.timezone
    when_yours = None
    if own and is_zone(own):
        span = format_span(event.starts_at, event.ends_at, own, event.timezone)
        if span not in lines:  # a zone already printed under another name adds nothing
            when = format_day_and_span(event.starts_at, event.ends_at, own)
            when_yours = f"{when} ({own.replace('_', ' ')})"
    if registration.attendance_mode is AttendanceMode.IN_PERSON:
        where = event.venue or _("In person")
    else:
        where = _("Online")
    languages = [language_name(event.floor_language)]
    if event.interpretation_languages:
        languages.append(_("interpretation: %(list)s",
                           list=list_text(language_name(c) for c in event.interpretation_languages)))
    if event.caption_languages:
        languages.append(_("captions: %(list)s",
                           list=list_text(language_name(c) for c in event.caption_languages)))
    manage = manage_url(registration)
    return {
        "event": event, "registration": registration,
        **email_context(event, registration.language),  # the title in their language, or a note
        "when_event": format_day_and_span(event.starts_at, event.ends_at, event.timezone),
        "when_extra": lines[1:], "when_yours": when_yours,
        "where": where, "languages": "; ".join(languages),
        "manage_url": manage, "join_url": join_url_for(registration, status),
        # In-person attendees show this at the door (the QR code is attached with the same link).
        "checkin_code": codes.code_for(registration) if (
            confirmed_then_and_now(registration, status)
            and registration.attendance_mode is AttendanceMode.IN_PERSON) else None,
        "event_url": public_url("events.show", slug=event.slug),
    } | (_discreet(registration, manage) if is_discreet(registration) else {})


def is_discreet(registration: Registration) -> bool:
    """Whether the person's emails may not say what the event is about (Event.discreet_emails)."""
    return registration.event.discreet_emails or registration.discreet_emails


def _discreet(registration: Registration, manage: str) -> dict[str, Any]:
    """What a discreet email says of the event instead of its title and page (whose address has
    the title in it): "Your event on 6 July 2026", and the person's own link. The place stays
    behind that link too: a room at the Palais des Nations says "the UN" to whoever reads the inbox."""
    event = registration.event
    day = format_day(event.starts_at, event.timezone, "long")
    return {"title": _("Your event on %(date)s", date=day), "title_lang": None,
            "where": _("on your registration page (the link below)"), "venue": None,
            "content_note": None, "event_url": manage, "discreet": True}


def _render(name: str, registration: Registration, status: RegistrationStatus,
            attach_ics: bool = False, cancel_ics: bool = False, **extra: Any) -> Rendered:
    with force_locale(registration.language):
        context = _context(registration, status) | extra
    attachments = []
    if attach_ics or cancel_ics:
        attachments.append(ics_attachment(context["event"], context["event_url"], public_domain(),
                                          cancel_ics, registration.language,
                                          context["title"] if context.get("discreet") else None))
    if context["checkin_code"]:
        attachments.append({"filename": "check-in.png", "content_type": "image/png",
                            "encoding": "base64", "data": base64.b64encode(
                                codes.qr_png(codes.checkin_url(registration))).decode()})
    return render_email(name, registration.language, attachments, **context)


def _render_later(name: str, registration_id: int, status: str, attach_ics: bool = False,
                  cancel_ics: bool = False, extra: dict[str, Any] | None = None) -> Rendered | None:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return None
    return _render(name, registration, RegistrationStatus(status), attach_ics, cancel_ics,
                   **(extra or {}))


def _read_ahead(args: list[dict[str, Any]]) -> list[Registration]:
    """The registrations a batch of _render_later messages is about, in one query (then each
    message's ``session.get`` finds its own in the session)."""
    ids = sorted({arg["registration_id"] for arg in args})
    return list(db.session.scalars(sa.select(Registration).where(Registration.id.in_(ids))))


_render_later.read_ahead = _read_ahead  # type: ignore[attr-defined]


def _later(name: str, registration: Registration, *, attach_ics: bool = False,
           cancel_ics: bool = False, dedupe_key: str | None = None, **extra: Any) -> OutboxMessage:
    """``name`` for ``registration``, to be written by the worker (extra: plain values)."""
    return later(name, to=registration.email, render="registration", event=registration.event,
                 dedupe_key=dedupe_key, args=_later_args(name, registration.id, registration.status,
                                                         attach_ics, cancel_ics, extra))


def _later_args(name: str, registration_id: int | None, status: RegistrationStatus,
                attach_ics: bool, cancel_ics: bool, extra: dict[str, Any]) -> dict[str, Any]:
    """What _render_later is given for ``name``: the status it was queued for is kept. (No
    ``registration_id`` yet: the statement that writes the registration sets it.)"""
    return {"name": name, "registration_id": registration_id, "status": status.value,
            "attach_ics": attach_ics, "cancel_ics": cancel_ics, "extra": extra}


def _send(name: str, registration: Registration, *, attach_ics: bool = False, cancel_ics: bool = False,
          dedupe_key: str | None = None, **extra: Any) -> OutboxMessage | None:
    """Queue ``name`` for ``registration``: written by the worker when ``extra`` is plain values
    (the status it was queued for is kept), at once when it holds lazy strings."""
    if all(value is None or isinstance(value, str | int | float | bool) for value in extra.values()):
        return queue_message(_later(name, registration, attach_ics=attach_ics, cancel_ics=cancel_ics,
                           dedupe_key=dedupe_key, **extra))
    rendered = _render(name, registration, registration.status, attach_ics, cancel_ics, **extra)
    return queue_rendered(name, rendered, to=registration.email, event=registration.event,
                          dedupe_key=dedupe_key)


def status_email(registration: Registration, name: str | None = None,
                 **extra: Any) -> OutboxMessage | None:
    """The email for the registration's current status (confirmed, waitlisted, …)."""
    name = name or STATUS_EMAILS.get(registration.status)
    if name is None:
        return None
    return _send(name, registration, attach_ics=_with_calendar(registration.status), **extra)


def _with_calendar(status: RegistrationStatus) -> bool:
    """Whether a status's email carries the calendar file: a confirmed seat's only."""
    return status is RegistrationStatus.CONFIRMED


def erasure_receipt(registration: Registration, now: datetime) -> OutboxMessage | None:
    """The receipt of an erasure the person asked for, queued while their address is still known.

    It names the event and the erasure's reference, nothing of what was erased; it belongs to
    no event (the erasure would take it too), and the worker erases its address and words once
    it has left (OutboxMessage.forget_after_sending).
    """
    event = registration.event
    with force_locale(registration.language):
        day = format_day(now, event.timezone, "long")
    message = queue_email("registration-erased", to=registration.email, lang=registration.language,
                          title=event_text(event, registration.language).title, day=day,
                          code=codes.code_for(registration))
    if message is not None:
        message.forget_after_sending = True
    return message


def confirm_url(registration: Registration) -> str:
    return _confirm_url(registration.public_id, registration.token_version)


def _confirm_url(public_id: str, token_version: int) -> str:
    token = tokens.sign("confirm-email", [public_id, token_version])
    return public_url("registrations.confirm", token=token)


#: Double opt-in's email: the link that makes the registration count.
CONFIRM_EMAIL = "registration-confirm-email"


def confirm_email_request(registration: Registration) -> OutboxMessage | None:
    """Double opt-in: the link that makes the registration count."""
    return _send(CONFIRM_EMAIL, registration,
                 **_confirm_extra(registration.public_id, registration.token_version))


def _confirm_extra(public_id: str, token_version: int) -> dict[str, Any]:
    return {"confirm_url": _confirm_url(public_id, token_version),
            "confirm_hours": current_app.config["REGISTRATION_CONFIRM_HOURS"]}


def first_email(event_id: int, row: dict[str, Any]) -> dict[str, Any] | None:
    """What status_email (or confirm_email_request, for a double opt-in) queues for a new
    registration written as a row (rsvp.registrations.services.register_row), the same
    message, from the row: the outbox's row written, or None when its status sends nothing.

    No Registration object is needed: the worker writes the email from the registration's id.
    """
    email = first_email_row(event_id, row)
    return email if email is None else queue_later_row(**email)


def first_email_row(event_id: int, row: dict[str, Any]) -> dict[str, Any] | None:
    """What first_email() writes, as queue_later_row()'s arguments (the registration's id in
    its ``args`` as ``row`` has it); None when the registration's status sends nothing."""
    status = row["status"]
    if status is RegistrationStatus.PENDING_EMAIL:
        name, extra = CONFIRM_EMAIL, _confirm_extra(row["public_id"], row["token_version"])
    elif (found := STATUS_EMAILS.get(status)) is not None:
        name, extra = found, {}
    else:
        return None
    return {"name": name, "to": row["email"], "render": "registration", "event_id": event_id,
            "args": _later_args(name, row.get("id"), status, _with_calendar(status), False, extra)}


#: The email with someone's manage links; one covering several events belongs to none of them.
LINKS_EMAIL = "registration-links"


def links_email(address: str, registrations: list[Registration],
                dedupe_key: str) -> OutboxMessage | None:
    """The manage links of ``registrations``, all for ``address``, in one message.

    Written by the worker: the request that asks for it (a form anyone can
    send) only adds a row, taking no longer for an address with registrations.
    """
    return queue_later(LINKS_EMAIL, to=address, render=LINKS_EMAIL,
                       event=registrations[0].event if len(registrations) == 1 else None,
                       dedupe_key=dedupe_key, args={"registration_ids": [r.id for r in registrations]})


def _write_links(registration_ids: list[int]) -> Rendered | None:
    found = {r.id: r for r in db.session.scalars(sa.select(Registration).where(
        Registration.id.in_(registration_ids), Registration.erased_at.is_(None)))}
    registrations = [found[i] for i in registration_ids if i in found]  # in the order asked
    if not registrations:
        return None
    first = registrations[0]
    with force_locale(first.language):
        items = [{"title": event_text(r.event, first.language).title.text,
                  "when": format_day_and_span(r.event.starts_at, r.event.ends_at, r.event.timezone),
                  "manage_url": manage_url(r)} for r in registrations]
        title = _("Your registration links")
    one_event = first.event if len(registration_ids) == 1 else None
    return render_email(LINKS_EMAIL, first.language, event=one_event, items=items, title=title)


def change_facts(event: Event, *, starts_at: datetime, venue: str | None, join_url: str | None
                 ) -> dict[str, Any]:
    """What a change of logistics changes, as plain values a message job keeps (its writer tells
    each registrant in their language, see change_lines); empty when nothing changes."""
    facts: dict[str, Any] = {}
    if starts_at != event.starts_at:
        facts["starts_at"] = starts_at.isoformat()
    if (venue or None) != (event.venue or None):
        facts["venue"] = venue or ""
    if (join_url or None) != (event.join_url or None):
        facts["join_url"] = True
    return facts


def change_lines(event: Event, facts: dict[str, Any]) -> list[LazyString]:
    """The changes as told: lazy, each written in its reader's language when shown."""
    lines: list[LazyString] = []
    if "starts_at" in facts:
        starts_at = datetime.fromisoformat(facts["starts_at"])
        lines.append(LazyString(lambda: _("New time: %(when)s",
                                          when=format_moment(starts_at, event.timezone))))
    if "venue" in facts:
        venue = facts["venue"]
        lines.append(LazyString(lambda: _("New venue: %(venue)s", venue=venue or _("online only"))))
    if "join_url" in facts:
        lines.append(LazyString(lambda: _("New link to join online (below).")))
    return lines


def change_notice(registration: Registration, facts: dict[str, Any], dedupe_key: str
                  ) -> OutboxMessage | None:
    """The change notice for one registrant, with the updated calendar file (written by the
    message job, one batch at a time: an event may have 100,000 registrants)."""
    return _send("event-changed", registration, attach_ics=True, dedupe_key=dedupe_key,
                 changes=change_lines(registration.event, facts))


def cancellation(registration: Registration, reason: str, dedupe_key: str) -> OutboxMessage | None:
    """The cancellation notice, with the organisers' reason in the person's language and a
    calendar file that removes the event (written by the message job, one batch at a time)."""
    return _send("event-cancelled", registration, cancel_ics=True, dedupe_key=dedupe_key,
                 reason=reason)


def postponement(registration: Registration, reason: str, dedupe_key: str) -> OutboxMessage | None:
    """The postponement notice: the new date (the email's details), the reason, and the updated
    calendar file (same UID, higher SEQUENCE: calendars move the entry)."""
    return _send("event-postponed", registration, attach_ics=True, dedupe_key=dedupe_key,
                 reason=reason)


def follow_up(registration: Registration, subject: str, body: str, recording_url: str,
              documents: str, dedupe_key: str) -> OutboxMessage | None:
    """The organisers' words after the event, with the recording and documents."""
    return _send("follow-up", registration, dedupe_key=dedupe_key, message_subject=subject,
                 body=body, recording_url=recording_url, documents=documents)


#: The emails written by the worker (rsvp.mail.outbox.queue_later), handed to create_app.
RENDERERS: dict[str, Renderer] = {"registration": _render_later, LINKS_EMAIL: _write_links}
