"""Registering for an event: the window, seats taken without races, one registration per email.

Functions here flush, never commit; the caller commits or rolls back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from rsvp import tokens
from rsvp.events.models import AttendanceMode, Event, EventStatus
from rsvp.extensions import db
from rsvp.registrations import notify
from rsvp.registrations.models import (
    ACTIVE_STATUSES,
    OrganisationType,
    Registration,
    RegistrationStatus,
)
from rsvp.timeutil import is_zone, now_utc


class Window(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    EVENT_OVER = "event_over"
    EVENT_CANCELLED = "event_cancelled"


class RegistrationError(Exception):
    """A registration that cannot be taken; the caller rolls back."""


class RegistrationClosed(RegistrationError):
    def __init__(self, window: Window) -> None:
        super().__init__(window.value)
        self.window = window


class AlreadyRegistered(RegistrationError):
    """The email holds an active registration for this event."""


class EventFull(RegistrationError):
    """No seat left in this attendance mode and no waiting list."""


class InvalidChoice(RegistrationError):
    """An attendance mode or language the event does not offer."""


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


def closes_at(event: Event) -> datetime:
    """The RSVP deadline: the organiser's, or the event's start."""
    return event.registration_closes_at or event.starts_at


def window(event: Event, now: datetime | None = None) -> Window:
    now = now or now_utc()
    if event.status is EventStatus.CANCELLED:
        return Window.EVENT_CANCELLED
    if event.ends_at <= now:
        return Window.EVENT_OVER
    if event.registration_opens_at and now < event.registration_opens_at:
        return Window.NOT_YET_OPEN
    if now >= closes_at(event):
        return Window.CLOSED
    return Window.OPEN


def take_seat(event: Event, mode: AttendanceMode) -> bool:
    """Take one seat in ``mode`` if one is left; True when taken.

    One conditional UPDATE, so concurrent requests can never oversell: the
    database serialises them on the event row.
    """
    taken = Event.taken_in_person if mode is AttendanceMode.IN_PERSON else Event.taken_online
    capacity = (Event.capacity_in_person if mode is AttendanceMode.IN_PERSON
                else Event.capacity_online)
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Event)
        .where(Event.id == event.id, sa.or_(capacity.is_(None), taken < capacity))
        .values({taken: taken + 1})
        .execution_options(synchronize_session=False)
    )
    db.session.expire(event, [taken.key])
    return result.rowcount == 1


def _initial_status(event: Event, mode: AttendanceMode) -> RegistrationStatus:
    if event.double_opt_in:
        return RegistrationStatus.PENDING_EMAIL
    if event.approval_required:
        return RegistrationStatus.PENDING_APPROVAL
    if take_seat(event, mode):
        return RegistrationStatus.CONFIRMED
    if event.waitlist_enabled:
        return RegistrationStatus.WAITLISTED
    raise EventFull(mode.value)


def register(event: Event, data: RegistrationData, now: datetime | None = None) -> Registration:
    """Register someone for ``event``: confirmed while seats last, else waitlisted.

    :raises RegistrationClosed: outside the registration window or event not open.
    :raises InvalidChoice: a mode or interpretation language the event does not offer.
    :raises EventFull: no seat and no waiting list.
    :raises AlreadyRegistered: the email already holds an active registration.
    """
    now = now or now_utc()
    state = window(event, now)
    if state is not Window.OPEN:
        raise RegistrationClosed(state)
    if data.attendance_mode not in event.attendance_modes:
        raise InvalidChoice("attendance_mode")
    if data.interpretation_language and (
            data.interpretation_language not in event.interpretation_languages):
        raise InvalidChoice("interpretation_language")
    if data.captions and not event.caption_languages:
        raise InvalidChoice("captions")

    registration = Registration(
        event=event,
        email=data.email.strip().lower(),
        name=data.name.strip(),
        organisation=data.organisation.strip(),
        organisation_type=data.organisation_type,
        country=data.country or None,
        attendance_mode=data.attendance_mode,
        language=data.language,
        timezone=data.timezone if data.timezone and is_zone(data.timezone) else None,
        interpretation_language=data.interpretation_language or None,
        captions=data.captions,
        accessibility_needs=data.accessibility_needs.strip(),
        consent_at=now,
        status=_initial_status(event, data.attendance_mode),
        created_at=now,
        updated_at=now,
    )
    try:
        # The partial unique index decides, even when two requests race.
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError as error:
        raise AlreadyRegistered(data.email) from error
    notify.status_email(registration)
    return registration


class TransitionRefused(RegistrationError):
    """The registration is not in a state this change applies to."""


def _move(registration: Registration, allowed: tuple[RegistrationStatus, ...],
          target: RegistrationStatus, now: datetime) -> None:
    """Change status only if it is still one of ``allowed`` (a conditional UPDATE: races lose)."""
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Registration)
        .where(Registration.id == registration.id, Registration.status.in_(allowed))
        .values(status=target, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(registration)
        raise TransitionRefused(registration.status.value)
    db.session.refresh(registration)


def release_seat(event: Event, mode: AttendanceMode) -> None:
    taken = Event.taken_in_person if mode is AttendanceMode.IN_PERSON else Event.taken_online
    db.session.execute(
        sa.update(Event).where(Event.id == event.id, taken > 0).values({taken: taken - 1})
        .execution_options(synchronize_session=False))
    db.session.expire(event, [taken.key])


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
        _move(candidate, (RegistrationStatus.WAITLISTED,), RegistrationStatus.CONFIRMED, now)
        notify.status_email(candidate, "registration-promoted")
        promoted.append(candidate)


def cancel(registration: Registration, now: datetime | None = None) -> list[Registration]:
    """Cancel an active registration; a freed seat goes to the waiting list in the same transaction.

    :raises TransitionRefused: already cancelled or rejected.
    :returns: the registrations promoted from the waiting list.
    """
    now = now or now_utc()
    held_seat = registration.status is RegistrationStatus.CONFIRMED
    _move(registration, ACTIVE_STATUSES, RegistrationStatus.CANCELLED, now)
    notify.status_email(registration)
    if not held_seat:
        return []
    release_seat(registration.event, registration.attendance_mode)
    return promote_waitlisted(registration.event, registration.attendance_mode, now)


def from_manage_token(token: str) -> Registration:
    """The registration a manage link points to.

    :raises tokens.TokenExpired: the link is too old.
    :raises tokens.TokenInvalid: tampered, wrong purpose, unknown or revoked.
    """
    data = tokens.verify("manage-registration", token)
    try:
        public_id, version = data
    except (TypeError, ValueError) as error:
        raise tokens.TokenInvalid("manage-registration") from error
    registration = get_by_public_id(str(public_id))
    if registration is None or registration.token_version != version:
        raise tokens.TokenInvalid("manage-registration")
    return registration


def get_by_public_id(public_id: str) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(Registration.public_id == public_id))
