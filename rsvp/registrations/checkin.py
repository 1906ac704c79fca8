"""Checking people in at the door: by the QR code in their email, a typed code, or their name.

The QR code holds a signed link (purpose "check-in") to the organisers'
check-in page; the typed code is derived from the registration's public id,
so nothing more is stored.

Finding a name opens the event's names (sealed at rest) in the application, kept
per process (rsvp.registrations.opened). At the door nobody waits for a large
event's names to open: ``search_now`` answers at once with whom the names opened
so far hold, and says how far the opening got, while the rest open in the
background (the desk page starts that as soon as it is opened).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from rsvp import tokens
from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db
from rsvp.registrations.kept import folded
from rsvp.registrations.listing import Preparing
from rsvp.registrations.models import Registration, RegistrationChange, RegistrationStatus
from rsvp.registrations.opened import prepared, so_far
from rsvp.registrations.ordering import opened_order
from rsvp.registrations.selection import among, checked, ids_of, in_batches
from rsvp.registrations.services import TransitionRefused
from rsvp.timeutil import now_utc

#: Only people coming to the room are found, counted and checked in at the door.
IN_THE_ROOM = Registration.attendance_mode == AttendanceMode.IN_PERSON


class NotInTheRoom(TransitionRefused):
    """The person attends online: there is nothing to check in at the door."""


def _normalise(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == 8 else ""


def find_by_code(event: Event, code: str) -> Registration | None:
    wanted = _normalise(code)
    if not wanted:
        return None
    return db.session.scalar(_BY_CODE, {"event_id": event.id, "code": wanted})


#: What the desk shows of the person a code finds (templates/manage/checkin/_found.html): read
#: alone, not the whole registration (on PostgreSQL 5,013 -> 4,781 Python calls a request, its
#: sealed columns not opened, a column object fewer for each column left). Another column the
#: page comes to show is read by a query of its own: tests/registrations/test_door_in_person.py
#: counts them.
SHOWN_AT_THE_DOOR = (Registration.public_id, Registration.event_id, Registration.name,
                     Registration.organisation, Registration.confidential, Registration.status,
                     Registration.attendance_mode, Registration.has_grounds_pass,
                     Registration.checked_in_at)

#: Who holds a door code at the event, built once: the desk asks for every code typed, and
#: building the statement cost as much as running it.
_BY_CODE = sa.select(Registration).options(sa.orm.load_only(*SHOWN_AT_THE_DOOR)).where(
    Registration.event_id == sa.bindparam("event_id"),
    Registration.door_code == sa.bindparam("code"), IN_THE_ROOM,
    Registration.erased_at.is_(None)).order_by(Registration.id).limit(1)


def find_by_token(event: Event, token: str) -> Registration:
    """:raises tokens.TokenInvalid: tampered, revoked, or for another event's registration."""
    public_id, version = tokens.verify_record("check-in", token)
    registration = db.session.scalar(sa.select(Registration).where(
        Registration.public_id == public_id, Registration.event_id == event.id))
    if registration is None or registration.token_version != version:
        raise tokens.TokenInvalid("check-in")
    return registration


def _at_the_door(event: Event, with_confidential: bool) -> list[object]:
    conditions: list[object] = [Registration.event_id == event.id, Registration.erased_at.is_(None),
                                Registration.status != RegistrationStatus.CANCELLED, IN_THE_ROOM]
    if not with_confidential:
        conditions.append(Registration.confidential.is_(False))
    return conditions


def search(event: Event, text: str, limit: int = 20,
           with_confidential: bool = True) -> list[Registration]:
    """Registrations whose name, organisation or email contains ``text``, for the door; without
    ``with_confidential``, none of those who asked for confidentiality. Waits for the event's
    names to open if they are not (``search_now`` does not)."""
    if len(text.strip()) < 2:
        return []
    ids = opened_order(event.id, _at_the_door(event, with_confidential), text, by=Registration.name)
    return next(in_batches(ids[:limit]), [])


@dataclass(frozen=True)
class Found:
    """Whom the desk's search found; ``preparing`` while the event's names are still opening
    (then only those among the names opened so far, the first ``limit`` of them found)."""

    people: list[Registration] = field(default_factory=list)
    preparing: Preparing | None = None


def get_names_ready(event: Event) -> None:
    """Start opening a large event's names in the background, if they are not kept yet: the
    desk page does so when opened, so a name typed a moment later finds everyone."""
    prepared(event.id)


def search_now(event: Event, text: str, limit: int = 20, with_confidential: bool = True) -> Found:
    """``search`` without waiting: while a large event's names open in the background
    (rsvp.registrations.opened.warm), those found among the names opened so far, in name
    order, checked against the database a few hundred at a time until ``limit`` are found."""
    if len(text.strip()) < 2:
        return Found()
    if prepared(event.id):
        return Found(search(event, text, limit, with_confidential))
    found, done, of = so_far(event.id, folded(text.strip()))
    query = sa.select(Registration.id).where(checked(_at_the_door(event, with_confidential)))
    ids: list[int] = []
    for start in range(0, len(found), 500):
        chunk = found[start:start + 500]
        selected = set(ids_of(query.where(among(chunk))))
        ids.extend(i for i in chunk if i in selected)
        if len(ids) >= limit:
            break
    people = next(in_batches(ids[:limit]), [])
    return Found(sorted(people, key=lambda person: (folded(person.name), person.id)),
                 Preparing(done, of))


def check_in(registration: Registration, actor: str, now: datetime | None = None) -> bool:
    """Mark the person as arrived; False when they already were (two phones at one door).

    :raises NotInTheRoom: the person attends online.
    :raises TransitionRefused: only confirmed registrations can be checked in.
    """
    now = now or now_utc()
    if registration.attendance_mode is not AttendanceMode.IN_PERSON:
        raise NotInTheRoom(registration.attendance_mode.value)
    if registration.status is not RegistrationStatus.CONFIRMED:
        raise TransitionRefused(registration.status.value)
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.update(Registration)
        .where(Registration.id == registration.id, Registration.checked_in_at.is_(None))
        .values(checked_in_at=now).execution_options(synchronize_session=False))
    db.session.refresh(registration)
    if result.rowcount != 1:
        return False
    db.session.add(RegistrationChange(registration=registration, at=now,
                                      from_status=registration.status,
                                      to_status=registration.status, actor=actor,
                                      note="checked in"))
    return True


def undo_check_in(registration: Registration, actor: str, now: datetime | None = None) -> bool:
    now = now or now_utc()
    if registration.checked_in_at is None:
        return False
    registration.checked_in_at = None
    db.session.add(RegistrationChange(registration=registration, at=now,
                                      from_status=registration.status,
                                      to_status=registration.status, actor=actor,
                                      note="check-in undone"))
    db.session.flush()
    return True
