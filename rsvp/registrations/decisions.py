"""What organisers decide about registrations: approve, reject (one or many), and seats.

Every status change goes through services.move_status(). Functions flush,
never commit.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db
from rsvp.registrations import notify
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.seats import take_seat
from rsvp.registrations.services import (
    CapacityBelowTaken,
    EventFull,
    RegistrationError,
    TransitionRefused,
    announce,
    cancel,
    move_status,
    promote_waitlisted,
    seat_or_wait,
)
from rsvp.timeutil import now_utc


def approve(registration: Registration, actor: str, now: datetime | None = None) -> Registration:
    """An organiser accepts a registration: it takes a seat, or a place on the waiting list.

    :raises TransitionRefused: not awaiting approval.
    :raises EventFull: no seat and no waiting list (nothing changes).
    """
    now = now or now_utc()
    if registration.status is not RegistrationStatus.PENDING_APPROVAL:
        raise TransitionRefused(registration.status.value)
    target = seat_or_wait(registration.event, registration.attendance_mode)
    move_status(registration, (RegistrationStatus.PENDING_APPROVAL,), target, now, actor)
    announce(registration, "registration-approved" if target is RegistrationStatus.CONFIRMED
              else None)
    return registration


def reject(registration: Registration, actor: str, reason: str = "",
           now: datetime | None = None) -> Registration:
    """An organiser declines a registration awaiting approval or waiting for a seat.

    :raises TransitionRefused: confirmed, cancelled or already rejected (cancel a confirmed one).
    """
    now = now or now_utc()
    move_status(registration, (RegistrationStatus.PENDING_APPROVAL, RegistrationStatus.WAITLISTED),
          RegistrationStatus.REJECTED, now, actor, reason.strip())
    notify.status_email(registration, "registration-rejected", reason=reason.strip())
    return registration


def promote(registration: Registration, actor: str, now: datetime | None = None) -> Registration:
    """An organiser moves someone up from the waiting list, when a seat is free.

    :raises TransitionRefused: not on the waiting list.
    :raises EventFull: no seat free (raise the capacity first).
    """
    now = now or now_utc()
    if registration.status is not RegistrationStatus.WAITLISTED:
        raise TransitionRefused(registration.status.value)
    if not take_seat(registration.event, registration.attendance_mode):
        raise EventFull(registration.attendance_mode.value)
    move_status(registration, (RegistrationStatus.WAITLISTED,), RegistrationStatus.CONFIRMED, now,
                actor, "moved up by the organisers")
    notify.status_email(registration, "registration-promoted")
    return registration


def cancel_by_organiser(registration: Registration, actor: str, reason: str = "",
                        now: datetime | None = None) -> list[Registration]:
    """:raises TransitionRefused: already cancelled or rejected."""
    return cancel(registration, now, actor, reason.strip() or "cancelled by the organisers")


#: Bulk and one-by-one actions on the list and the registration page.
ACTIONS = ("approve", "reject", "promote", "cancel")


def apply(registration: Registration, decision: str, actor: str, reason: str = "",
          now: datetime | None = None) -> None:
    """One of ACTIONS on one registration.

    :raises RegistrationError: the action does not apply (see each function).
    """
    if decision == "approve":
        approve(registration, actor, now)
    elif decision == "reject":
        reject(registration, actor, reason, now)
    elif decision == "promote":
        promote(registration, actor, now)
    elif decision == "cancel":
        cancel_by_organiser(registration, actor, reason, now)
    else:
        raise ValueError(decision)


def decide_many(registrations: list[Registration], decision: str, actor: str, reason: str = "",
                now: datetime | None = None) -> dict[str, RegistrationError | None]:
    """One of ACTIONS on several registrations; each succeeds or fails on its own.

    :returns: public id -> None when done, or the error that refused it.
    """
    now = now or now_utc()
    outcome: dict[str, RegistrationError | None] = {}
    for registration in registrations:
        try:
            with db.session.begin_nested():
                apply(registration, decision, actor, reason, now)
        except RegistrationError as error:
            db.session.refresh(registration)
            outcome[registration.public_id] = error
        else:
            outcome[registration.public_id] = None
    return outcome


def set_capacity(event: Event, mode: AttendanceMode, capacity: int | None,
                 now: datetime | None = None) -> list[Registration]:
    """Change the seats in ``mode``; new seats go to the waiting list at once.

    :raises CapacityBelowTaken: fewer seats than people already confirmed.
    :returns: the registrations promoted.
    """
    now = now or now_utc()
    column = Event.capacity_in_person if mode is AttendanceMode.IN_PERSON else Event.capacity_online
    taken = Event.taken_in_person if mode is AttendanceMode.IN_PERSON else Event.taken_online
    condition = sa.true() if capacity is None else taken <= capacity
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Event).where(Event.id == event.id, condition).values({column: capacity})
        .execution_options(synchronize_session=False))
    db.session.expire(event, [column.key, taken.key])
    if result.rowcount != 1:
        raise CapacityBelowTaken(str(event.taken_for(mode)))
    return promote_waitlisted(event, mode, now)
