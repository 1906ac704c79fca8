"""What attendees do with their own registration through its links.

Confirm their email (double opt-in), change their details and attendance
mode, erase their personal data, and ask for their links again; plus the
expiry of registrations whose email was never confirmed. Status changes go
through services.move_status(); functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from rsvp import sealing
from rsvp.events.models import AttendanceMode, Event
from rsvp.events.questions import answer_text, questions_for
from rsvp.extensions import db
from rsvp.personal import personal_columns
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import erasure, notify
from rsvp.registrations.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationChange,
    RegistrationStatus,
    door_code,
)
from rsvp.registrations.seats import release_seat, take_seat
from rsvp.registrations.services import (
    EventFull,
    GroundsPass,
    RegistrationClosed,
    TransitionRefused,
    Window,
    announce,
    apply_grounds_pass,
    cancel,
    check_choices,
    move_status,
    promote_waitlisted,
    seat_or_wait,
    window,
)
from rsvp.timeutil import now_utc
from rsvp.urls import public_url

#: One repeated link email per registration (or address) in this many minutes, however often asked.
LINK_EMAIL_MINUTES = 10


@dataclass(frozen=True)
class Details:
    """What a registrant may change on their manage page."""

    attendance_mode: AttendanceMode
    interpretation_language: str | None = None
    captions: bool = False
    accessibility_needs: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    grounds_pass: GroundsPass | None = None


def confirm_email(registration: Registration, now: datetime | None = None) -> Registration:
    """The person clicked the link in their email: the registration now counts.

    It then awaits approval, takes a seat, joins the waiting list, or, when the
    event filled up meanwhile and keeps no list, is cancelled with that reason.

    :raises TransitionRefused: not waiting for an email confirmation.
    :raises RegistrationClosed: the event is over or cancelled.
    """
    now = now or now_utc()
    if registration.status is not RegistrationStatus.PENDING_EMAIL:
        raise TransitionRefused(registration.status.value)
    event = registration.event
    state = window(event, now)
    if state in (Window.EVENT_OVER, Window.EVENT_CANCELLED):
        raise RegistrationClosed(state)
    note = ""
    if event.approval_required:
        target = RegistrationStatus.PENDING_APPROVAL
    else:
        try:
            target = seat_or_wait(event, registration.attendance_mode)
        except EventFull:
            target, note = RegistrationStatus.CANCELLED, "no seat left when the email was confirmed"
    move_status(registration, (RegistrationStatus.PENDING_EMAIL,), target, now, note=note)
    announce(registration, reason=note)
    return registration


def expire_unconfirmed(now: datetime, hours: int) -> int:
    """Cancel and erase registrations whose email was never confirmed in ``hours``.

    They never held a seat, so nothing is freed.
    """
    stale = list(db.session.scalars(sa.select(Registration).where(
        Registration.status == RegistrationStatus.PENDING_EMAIL,
        Registration.created_at < now - timedelta(hours=hours))))
    for registration in stale:
        try:
            with db.session.begin_nested():
                move_status(registration, (RegistrationStatus.PENDING_EMAIL,),
                      RegistrationStatus.CANCELLED, now, "system", "email address never confirmed")
                erase_personal_data(registration, now)
                audit.record(registration.event, "system", AuditAction.ERASED_REGISTRATION,
                             f"registration {door_code(registration.public_id)} erased: its email "
                             f"address was not confirmed within {hours} hours", now)
        except TransitionRefused:
            continue  # confirmed in the meantime
    return len(stale)


def erase_personal_data(registration: Registration, now: datetime) -> None:
    """Blank everything that identifies the person; the row stays so counts stay right.

    Every personal column is erased as it declares (rsvp.personal); messages to them leave
    the outbox, sent or not, and the notes of its history go: the retention purge erases
    through the same function (rsvp.registrations.erasure.erase).
    """
    db.session.flush()  # what the caller changed before, written before the rows are erased
    erasure.erase(Registration.id == registration.id, now)
    db.session.expire(registration)
    for change in registration.changes:
        db.session.expire(change)


def update_details(registration: Registration, details: Details, now: datetime | None = None,
                   actor: str = "registrant") -> list[str]:
    """Apply a registrant's changes; returns the names of what changed.

    A confirmed person who switches attendance mode takes a seat in the new
    mode before giving back the old one (then offered to the waiting list);
    a waitlisted person moves to the new mode's list, or straight to a seat.

    :raises TransitionRefused: the registration is cancelled, rejected or erased.
    :raises RegistrationClosed: the event is over or cancelled.
    :raises InvalidChoice: a mode, language or grounds-pass answer the event does not allow.
    :raises EventFull: no seat in the new mode (the person keeps the one they have).
    """
    now = now or now_utc()
    event = registration.event
    if registration.status not in ACTIVE_STATUSES or registration.erased_at:
        raise TransitionRefused(registration.status.value)
    state = window(event, now)
    if state in (Window.EVENT_OVER, Window.EVENT_CANCELLED):
        raise RegistrationClosed(state)
    check_choices(event, details.attendance_mode, details.interpretation_language,
                  details.captions, details.grounds_pass)
    changed = [name for name, new in (
        ("attendance mode", details.attendance_mode),
        ("interpretation", details.interpretation_language or None),
        ("captions", details.captions),
        ("accessibility needs", details.accessibility_needs.strip()),
        ("answers", details.answers),
    ) if new != _current(registration, name)]
    old_mode = registration.attendance_mode
    if details.attendance_mode is not old_mode:
        _switch_mode(registration, old_mode, details.attendance_mode, now, actor)
    registration.interpretation_language = details.interpretation_language or None
    registration.captions = details.captions
    registration.accessibility_needs = details.accessibility_needs.strip()
    registration.answers = dict(details.answers)
    before_pass = _pass_fields(registration)
    apply_grounds_pass(registration, details.grounds_pass)
    if _pass_fields(registration) != before_pass:
        changed.append("grounds pass")
    if changed:
        registration.updated_at = now
        db.session.add(RegistrationChange(
            registration=registration, at=now, from_status=registration.status,
            to_status=registration.status, actor=actor, note="changed: " + ", ".join(changed)))
    db.session.flush()
    return changed


def _current(registration: Registration, name: str) -> Any:
    return {"attendance mode": registration.attendance_mode,
            "interpretation": registration.interpretation_language,
            "captions": registration.captions,
            "accessibility needs": registration.accessibility_needs,
            "answers": registration.answers or {}}[name]


def _pass_fields(registration: Registration) -> tuple[Any, ...]:
    return (registration.has_grounds_pass, registration.passport_name, registration.nationality,
            registration.date_of_birth, registration.pass_organisation, registration.pass_function)


def _switch_mode(registration: Registration, old: AttendanceMode, new: AttendanceMode,
                 now: datetime, actor: str) -> None:
    event = registration.event
    if registration.status is RegistrationStatus.CONFIRMED:
        if not take_seat(event, new):
            raise EventFull(new.value)
        registration.attendance_mode = new
        release_seat(event, old)
        db.session.flush()
        promote_waitlisted(event, old, now)
        notify.status_email(registration)  # new details, and the join link when now online
    elif registration.status is RegistrationStatus.WAITLISTED:
        registration.attendance_mode = new
        db.session.flush()
        if take_seat(event, new):
            move_status(registration, (RegistrationStatus.WAITLISTED,),
                        RegistrationStatus.CONFIRMED, now, actor, "a seat was free in the new mode")
            notify.status_email(registration, "registration-promoted")
    else:
        registration.attendance_mode = new


def erase(registration: Registration, now: datetime | None = None,
          actor: str = "registrant") -> None:
    """Erase a person's data at their request; an active registration is cancelled first.

    Their seat goes to the waiting list. The person who erases through their own link gets one
    last email, the erasure's receipt, itself erased once sent (notify.erasure_receipt); nothing
    else is sent to the address being forgotten.
    """
    now = now or now_utc()
    if registration.erased_at:
        return
    if actor == "registrant":
        notify.erasure_receipt(registration, now)
    if registration.status in ACTIVE_STATUSES:
        cancel(registration, now, actor, "personal data erased on request", notify_person=False)
    else:
        db.session.add(RegistrationChange(
            registration=registration, at=now, from_status=registration.status,
            to_status=registration.status, actor=actor, note="personal data erased on request"))
    erase_personal_data(registration, now)


def _bucket(now: datetime) -> int:
    return int(now.timestamp()) // (LINK_EMAIL_MINUTES * 60)


def resend_link(registration: Registration, now: datetime | None = None) -> None:
    """Someone registered again with this address: send the existing registration's link.

    At most one such email per registration in LINK_EMAIL_MINUTES, however often the form is sent.
    """
    now = now or now_utc()
    notify.links_email(registration.email, [registration],
                       dedupe_key=f"links:{registration.public_id}:{_bucket(now)}")


def request_links(email: str, now: datetime | None = None) -> int:
    """Email the address the links to all its registrations for events not over yet.

    Says nothing to the caller about whether there are any (the page answers
    the same either way); returns how many registrations were sent, for tests.
    """
    now = now or now_utc()
    address = email.strip().lower()
    found = list(db.session.scalars(
        sa.select(Registration).join(Event)
        .where(Registration.email_hash.in_(sealing.digests(address)),
               Registration.status.in_(ACTIVE_STATUSES),
               Event.ends_at > now)
        .order_by(Event.starts_at)))
    if found:
        # The keyed hash: an address's plain hash in the outbox could be tested against guesses.
        digest = sealing.digest(address)[:32]
        notify.links_email(address, found, dedupe_key=f"links:{digest}:{_bucket(now)}")
    return len(found)


def personal_data(registration: Registration) -> dict[str, Any]:
    """Everything kept about the person, as they can download it from their manage page.

    Every column declared personal (rsvp.personal) is in it, by its column's name, with what
    the registration says of them besides (status, how they attend, their choices, times).
    """
    event = registration.event
    declared = {column.key: _plain(getattr(registration, column.key))
                for column in personal_columns(Registration.__table__)}
    declared["answers"] = {q.label: answer_text(q, (registration.answers or {}).get(q.key))
                           for q in questions_for(event)}
    return {
        "event": {"title": event.title, "starts_at": event.starts_at.isoformat(),
                  "page": public_url("events.show", slug=event.slug)},
        "registration": {
            **declared,
            "status": registration.status.value,
            "organisation_type": registration.organisation_type.value,
            "attendance_mode": registration.attendance_mode.value,
            "email_language": registration.language,
            "interpretation_language": registration.interpretation_language,
            "captions": registration.captions, "holds_grounds_pass": registration.has_grounds_pass,
            "consent_at": registration.consent_at.isoformat(),
            "registered_at": registration.created_at.isoformat(),
            "checked_in_at": _plain(registration.checked_in_at),
        },
        "history": [{"at": c.at.isoformat(), "from": c.from_status.value if c.from_status else None,
                     "to": c.to_status.value, "by": c.actor if c.actor in ("registrant", "system")
                     else "organiser", "note": c.note} for c in registration.changes],
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
