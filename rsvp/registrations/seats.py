"""An event's seats, taken and given back by one conditional UPDATE of its row.

Concurrent requests never oversell: the database serialises them on the event's row.
The event's counters in the session (``taken_online``, ``taken_in_person``) are expired
after each change, to be read again when asked for.
"""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa

from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db


def take_seat(event: Event, mode: AttendanceMode) -> bool:
    """Take one seat in ``mode`` if one is left; True when taken."""
    result = db.session.connection().execute(  # Core: nothing for the ORM's execution to do
        seat_update(mode, 1), {"event_id": event.id})
    seat_changed(event, mode)
    return result.rowcount == 1


def release_seat(event: Event, mode: AttendanceMode) -> None:
    db.session.connection().execute(seat_update(mode, -1), {"event_id": event.id})
    seat_changed(event, mode)


def seat_changed(event: Event, mode: AttendanceMode) -> None:
    """The session's ``event`` forgets its count of seats taken in ``mode``: it changed."""
    db.session.expire(event, ["taken_in_person" if mode is AttendanceMode.IN_PERSON
                              else "taken_online"])


@cache
def seat_update(mode: AttendanceMode, step: int) -> sa.Update:
    """One seat more in ``mode`` (``step`` 1, while one is left) or less (-1, never below none),
    of the event whose id is bound as ``event_id``; built once.

    Core, not the ORM's bulk UPDATE: the same statement for a fraction of the work. The
    event's ``updated_at`` is left as it was: a seat is not an edit of the event.
    """
    table: sa.Table = Event.__table__  # type: ignore[assignment]
    in_person = mode is AttendanceMode.IN_PERSON
    taken = table.c.taken_in_person if in_person else table.c.taken_online
    capacity = table.c.capacity_in_person if in_person else table.c.capacity_online
    room = sa.or_(capacity.is_(None), taken < capacity) if step > 0 else taken > 0
    return (sa.update(table).where(table.c.id == sa.bindparam("event_id"), room)
            .values({taken: taken + step, table.c.updated_at: table.c.updated_at}))
