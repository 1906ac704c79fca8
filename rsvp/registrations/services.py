"""Registering for an event and every change of a registration's status.

The window, seats taken without races (seats.py), one registration per email, and the
transitions (confirm email, approve, reject, promote, cancel, expire), each
through move_status(), which refuses a change the registration's current status
does not allow and writes the history. Functions here flush, never commit;
the caller commits or rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from rsvp import sealing, tokens
from rsvp.db import new_public_id
from rsvp.events import windows
from rsvp.events.models import AttendanceMode, Event
from rsvp.events.windows import Window
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import notify, written
from rsvp.registrations.models import (
    ACTIVE_SQL,
    ACTIVE_STATUSES,
    OrganisationType,
    Registration,
    RegistrationChange,
    RegistrationStatus,
    door_code,
)
from rsvp.registrations.seats import release_seat, take_seat
from rsvp.rows import as_loaded, expect_insert, insert_row, row_of
from rsvp.timeutil import is_zone, now_utc


class RegistrationError(Exception):
    """A registration that cannot be taken; the caller rolls back."""


class RegistrationClosed(RegistrationError):
    def __init__(self, window: Window) -> None:
        super().__init__(window.value)
        self.window = window


class AlreadyRegistered(RegistrationError):
    """The email holds an active registration for this event."""

    def __init__(self, existing: Registration) -> None:
        super().__init__(existing.public_id)
        self.existing = existing


class EventFull(RegistrationError):
    """No seat left in this attendance mode and no waiting list."""


class InvalidChoice(RegistrationError):
    """An attendance mode or language the event does not offer."""


class TransitionRefused(RegistrationError):
    """The registration is not in a state this change applies to."""


class CapacityBelowTaken(RegistrationError):
    """A capacity lower than the seats already given."""


@dataclass(frozen=True)
class GroundsPass:
    """A UN grounds-pass answer: either a pass is held, or the details a request needs."""

    holds_pass: bool
    passport_name: str = ""
    nationality: str | None = None
    date_of_birth: date | None = None
    organisation: str = ""
    function: str = ""


@dataclass(frozen=True)
class RegistrationData:
    name: str
    email: str
    organisation_type: OrganisationType
    attendance_mode: AttendanceMode
    organisation: str = ""
    country: str | None = None
    interpretation_language: str | None = None
    captions: bool = False
    accessibility_needs: str = ""
    language: str = "en"
    timezone: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    grounds_pass: GroundsPass | None = None
    discreet_emails: bool = False
    confidential: bool = False


def closes_at(event: Event) -> datetime:
    """The RSVP deadline: the organiser's, or the event's start."""
    return event.registration_closes_at or event.starts_at


def window(event: Event, now: datetime | None = None) -> Window:
    return windows.window(event, event.registration_opens_at, closes_at(event), now)


def seat_or_wait(event: Event, mode: AttendanceMode) -> RegistrationStatus:
    """Confirmed when a seat is taken, waitlisted when the event keeps a list.

    :raises EventFull: no seat and no waiting list.
    """
    if take_seat(event, mode):
        return RegistrationStatus.CONFIRMED
    if event.waitlist_enabled:
        return RegistrationStatus.WAITLISTED
    raise EventFull(mode.value)


def _status_before_seat(event: Event) -> RegistrationStatus:
    """Waiting for the email link or for the organisers; CONFIRMED until the seat is looked for."""
    if event.double_opt_in:
        return RegistrationStatus.PENDING_EMAIL
    if event.approval_required:
        return RegistrationStatus.PENDING_APPROVAL
    return RegistrationStatus.CONFIRMED


def active_registration(event: Event, email: str) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(
        Registration.event_id == event.id,
        Registration.email_hash.in_(sealing.digests(email.strip().lower())),
        Registration.status.in_(ACTIVE_STATUSES)))


def check_choices(event: Event, mode: AttendanceMode, interpretation_language: str | None,
                  captions: bool, grounds_pass: GroundsPass | None) -> None:
    """:raises InvalidChoice: a mode, language or grounds-pass answer the event does not allow."""
    if mode not in event.attendance_modes:
        raise InvalidChoice("attendance_mode")
    if interpretation_language and interpretation_language not in event.interpretation_languages:
        raise InvalidChoice("interpretation_language")
    if captions and not event.caption_languages:
        raise InvalidChoice("captions")
    if asks_grounds_pass(event, mode):
        if grounds_pass is None or not grounds_pass.holds_pass and not (
                grounds_pass.passport_name and grounds_pass.nationality
                and grounds_pass.date_of_birth):
            raise InvalidChoice("grounds_pass")


def asks_grounds_pass(event: Event, mode: AttendanceMode) -> bool:
    return event.grounds_pass_required and mode is AttendanceMode.IN_PERSON


def apply_grounds_pass(registration: Registration, grounds_pass: GroundsPass | None) -> None:
    """Keep a pass request's details only when someone attends in person without a pass."""
    for key, value in grounds_pass_fields(registration.event, registration.attendance_mode,
                                          grounds_pass).items():
        setattr(registration, key, value)


def grounds_pass_fields(event: Event, mode: AttendanceMode,
                        grounds_pass: GroundsPass | None) -> dict[str, Any]:
    """The registration's grounds-pass columns for this answer (see apply_grounds_pass)."""
    asked = asks_grounds_pass(event, mode)
    request = grounds_pass if asked and grounds_pass and not grounds_pass.holds_pass else None
    return {"has_grounds_pass": grounds_pass.holds_pass if asked and grounds_pass else None,
            "passport_name": request.passport_name.strip() if request else None,
            "nationality": request.nationality if request else None,
            "date_of_birth": request.date_of_birth if request else None,
            "pass_organisation": request.organisation.strip() if request else None,
            "pass_function": request.function.strip() if request else None}


def register(event: Event, data: RegistrationData, now: datetime | None = None) -> Registration:
    """Register someone for ``event``: confirmed while seats last, else waitlisted.

    Events that ask for approval or an email confirmation hold no seat until then.
    The Registration is the row register_row wrote, in the session as if loaded.

    :raises RegistrationClosed: outside the registration window or event not open.
    :raises InvalidChoice: a mode, language or grounds-pass answer the event does not allow.
    :raises EventFull: no seat and no waiting list.
    :raises AlreadyRegistered: the email already holds an active registration (no seat is kept).
    """
    return as_loaded(db.session(), Registration, register_row(event, data, now))


def register_row(event: Event, data: RegistrationData, now: datetime | None = None
                 ) -> dict[str, Any]:
    """register() without the Registration object: the registration's row as written (with
    its id), for a caller that reads nothing of it again (the public form redirects).

    Every row is written by its own Core INSERT from a dict (rsvp.rows.insert_row): the
    registration, its history row and its email in the outbox. No ORM object is made, so
    none is added to the session, flushed or expired at the commit: the request's Python
    calls are those of its statements. On PostgreSQL outside a transaction, all of them and
    the seat are one statement, committed as it ends (rsvp.registrations.written).

    :raises: as register().
    """
    now = now or now_utc()
    state = window(event, now)
    if state is not Window.OPEN:
        raise RegistrationClosed(state)
    check_choices(event, data.attendance_mode, data.interpretation_language, data.captions,
                  data.grounds_pass)
    email = data.email.strip().lower()
    # Approval and double opt-in hold no seat yet.
    status = _status_before_seat(event)
    # Everything that needs no row is made before the rows are written, and what the history
    # row's listeners read (the event's webhook endpoints) is read before them. On PostgreSQL
    # the registrations of an event queue on its row from the seat's UPDATE to the commit (the
    # counts are kept at commit, migration c6e2f8a1d4b7): the seat is taken last, when the event
    # as read had one left (see _seat_gone for the race that took it meanwhile). An event
    # already full is asked first, and its waiting list written as such. Outside a
    # transaction on PostgreSQL (the public form), with nobody following the history rows,
    # the rows and the seat are one statement that commits alone (written.py).
    public_id = new_public_id()
    row = row_of(Registration, {
        "event_id": event.id, "public_id": public_id, "door_code": door_code(public_id),
        "email": email, "email_hash": sealing.digest(email), "name": data.name.strip(),
        "organisation": data.organisation.strip(), "organisation_type": data.organisation_type,
        "country": data.country or None, "attendance_mode": data.attendance_mode,
        "language": data.language,
        "timezone": data.timezone if data.timezone and is_zone(data.timezone) else None,
        "interpretation_language": data.interpretation_language or None,
        "captions": data.captions, "accessibility_needs": data.accessibility_needs.strip(),
        "discreet_emails": data.discreet_emails, "confidential": data.confidential,
        "answers": dict(data.answers), "consent_at": now, "status": status,
        "created_at": now, "updated_at": now,
        **grounds_pass_fields(event, data.attendance_mode, data.grounds_pass)})
    session = db.session()
    heard = expect_insert(session, RegistrationChange, event_id=event.id)
    confirmed = status is RegistrationStatus.CONFIRMED
    seat_last = confirmed and event.seats_left(data.attendance_mode) != 0
    seat_first = confirmed and not seat_last
    change = row_of(RegistrationChange, {
        "registration_id": None, "at": now, "from_status": None, "to_status": status,
        "actor": "registrant", "note": ""})
    if not (seat_first or heard) and written.can_write(session):
        try:
            if written.register(event, row, change, seat_last) is None:
                raise _already_registered(event, email)
            return row
        except written.SeatGone:  # taken since the event was read: asked first, as when full
            seat_last, seat_first = False, True
    if seat_first:
        status = row["status"] = change["to_status"] = seat_or_wait(event, data.attendance_mode)
    # The partial unique index on active registrations decides, even when two requests race
    # (ON CONFLICT … DO NOTHING on that index, whose WHERE the conflict target repeats): no
    # savepoint and no look beforehand; nothing written when the address is taken.
    if insert_row(session, Registration, row, ["event_id", "email_hash"], ACTIVE_SQL) is None:
        if seat_first and status is RegistrationStatus.CONFIRMED:
            release_seat(event, data.attendance_mode)
        raise _already_registered(event, email)
    change["registration_id"] = row["id"]
    insert_row(session, RegistrationChange, change, event_id=event.id)
    email_row = notify.first_email(event.id, row)
    if seat_last and not take_seat(event, data.attendance_mode):
        _seat_gone(event, row, change, email_row)
    return row


def _already_registered(event: Event, email: str) -> RegistrationError:
    """What to raise when ``email`` held an active registration as the new one was written."""
    existing = active_registration(event, email)
    if existing is None:  # left its active status between the two statements: very rare
        return RegistrationError("an active registration with this address ended just now")
    return AlreadyRegistered(existing)


def _seat_gone(event: Event, row: dict[str, Any], change: dict[str, Any],
               email_row: dict[str, Any] | None) -> None:
    """The last seat, there when the event was read, went to another registration before
    this one's rows were written: they go to the waiting list, its email instead of the
    confirmation (the webhook's delivery reads the history row when it is sent).

    :raises EventFull: the event keeps no waiting list (the caller rolls the rows back).
    """
    if not event.waitlist_enabled:
        raise EventFull(row["attendance_mode"].value)
    status = row["status"] = RegistrationStatus.WAITLISTED
    connection = db.session.connection()
    connection.execute(sa.update(Registration).where(Registration.id == row["id"])
                       .values(status=status))
    connection.execute(sa.update(RegistrationChange).where(RegistrationChange.id == change["id"])
                       .values(to_status=status))
    if email_row is not None:
        connection.execute(sa.delete(OutboxMessage).where(OutboxMessage.id == email_row["id"]))
    notify.first_email(event.id, row)


def announce(registration: Registration, name: str | None = None, **extra: Any) -> None:
    if registration.status is RegistrationStatus.PENDING_EMAIL:
        notify.confirm_email_request(registration)
    else:
        notify.status_email(registration, name, **extra)


def move_status(registration: Registration, allowed: tuple[RegistrationStatus, ...],
          target: RegistrationStatus, now: datetime, actor: str = "registrant",
          note: str = "") -> None:
    """Change status only if it is still one of ``allowed`` (a conditional UPDATE: races lose).

    :raises TransitionRefused: the registration is in another status by now.
    """
    before = registration.status
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Registration)
        .where(Registration.id == registration.id, Registration.status.in_(allowed))
        .values(status=target, updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.refresh(registration)
    if result.rowcount != 1:
        raise TransitionRefused(registration.status.value)
    db.session.add(RegistrationChange(registration=registration, at=now, from_status=before,
                                      to_status=target, actor=actor, note=note))


def promote_waitlisted(event: Event, mode: AttendanceMode, now: datetime) -> list[Registration]:
    """Give free seats in ``mode`` to the longest-waiting people, oldest first."""
    promoted: list[Registration] = []
    while True:
        query = (sa.select(Registration)
                 .where(Registration.event_id == event.id, Registration.attendance_mode == mode,
                        Registration.status == RegistrationStatus.WAITLISTED)
                 .order_by(Registration.created_at, Registration.id).limit(1))
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        candidate = db.session.scalar(query)
        if candidate is None or not take_seat(event, mode):
            return promoted
        move_status(candidate, (RegistrationStatus.WAITLISTED,), RegistrationStatus.CONFIRMED, now,
              "system", "a seat became free")
        notify.status_email(candidate, "registration-promoted")
        promoted.append(candidate)


def cancel(registration: Registration, now: datetime | None = None, actor: str = "registrant",
           note: str = "", notify_person: bool = True) -> list[Registration]:
    """Cancel an active registration; a freed seat goes to the waiting list in the same transaction.

    :raises TransitionRefused: already cancelled or rejected.
    :returns: the registrations promoted from the waiting list.
    """
    now = now or now_utc()
    held_seat = registration.status is RegistrationStatus.CONFIRMED
    move_status(registration, ACTIVE_STATUSES, RegistrationStatus.CANCELLED, now, actor, note)
    if notify_person:
        notify.status_email(registration)
    if not held_seat:
        return []
    release_seat(registration.event, registration.attendance_mode)
    return promote_waitlisted(registration.event, registration.attendance_mode, now)


def from_token(purpose: str, token: str, max_age: int | None = None) -> Registration:
    """The registration a signed link points to.

    :raises tokens.TokenExpired: the link is too old.
    :raises tokens.TokenInvalid: tampered, wrong purpose, unknown or revoked.
    """
    public_id, version = tokens.verify_record(purpose, token, max_age=max_age)
    registration = get_by_public_id(public_id)
    if registration is None or registration.token_version != version:
        raise tokens.TokenInvalid(purpose)
    return registration


def from_manage_token(token: str) -> Registration:
    return from_token("manage-registration", token)


def get_by_public_id(public_id: str) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(Registration.public_id == public_id))
