"""A new registration's rows written by one statement on PostgreSQL, which commits alone.

register_row writes a registration's row, its history row and its email by an INSERT each and
takes its seat by an UPDATE, in a transaction: on PostgreSQL, with its BEGIN and COMMIT, six
round trips to the server, each a system call and its Python on both sides. Where the request
has only read so far (the public form reads first, rsvp.db.reads_first, and PostgreSQL then
reads outside a transaction) and nobody follows the history rows (rsvp.rows.expect_insert),
the same rows are written by one statement of data-modifying WITH queries, run outside a
transaction (rsvp.postgresql.ALONE):

    reg     INSERT the registration ON CONFLICT on the active addresses' index DO NOTHING
    seat    UPDATE the event: a seat more while one is left, if reg wrote
    change  INSERT its history row, of reg's id
    mail    INSERT its email, reg's id in what the worker is given to write it
    SELECT reg's id, and rsvp_refuse() where reg wrote and seat found no seat left

The statement is atomic: it commits as it ends, or fails and leaves nothing. Nothing is
written when the address holds an active registration (write returns None: no seat taken).
When the event had a seat left as the request read it but another registration took it
since, rsvp_refuse (migration d4e9a2c7f1b3) fails the statement and write raises SeatGone:
the caller writes the registration again its own way, asking for the seat first.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.mail.outbox import later_row
from rsvp.postgresql import ALONE, outside_transaction
from rsvp.registrations import notify
from rsvp.registrations.models import ACTIVE_SQL, Registration, RegistrationChange
from rsvp.registrations.seats import seat_changed, seat_update

#: The SQLSTATE of rsvp_refuse()'s error, and the reason this statement gives it.
REFUSED, NO_SEAT = "RS001", "no seat left"


class SeatGone(Exception):
    """The event's last seat, there when the request read the event, went to another
    registration before this one's statement: nothing of it was written."""


def can_write(session: sa.orm.Session) -> bool:
    """Whether write() may write now: on PostgreSQL, the session outside a transaction."""
    connection = session.connection()
    return connection.dialect.name == "postgresql" and outside_transaction(connection)


def register(event: Event, registration: dict[str, Any], change: dict[str, Any], seat: bool
             ) -> int | None:
    """A new registration of ``event`` (rsvp.registrations.services.register_row's rows: the
    registration and its history row ``change``), its first email, and its seat when ``seat``,
    written by write(); the registration's id, also set in both rows, or None when its address
    already holds an active registration.

    :raises SeatGone: nothing written.
    """
    email = notify.first_email_row(event.id, registration)
    mode = registration["attendance_mode"]
    registration_id = write(db.session(), registration, change, email and later_row(**email),
                            seat_update(mode, 1) if seat else None)
    if registration_id is not None:
        registration["id"] = change["registration_id"] = registration_id
        if seat:
            seat_changed(event, mode)
    return registration_id


def write(session: sa.orm.Session, registration: dict[str, Any], change: dict[str, Any],
          email: dict[str, Any] | None, seat: sa.Update | None) -> int | None:
    """Write ``registration``, its history row ``change`` and its ``email`` (the outbox's row,
    or None), all as rsvp.rows.row_of makes them (their registration's id aside), and take the
    seat by the UPDATE ``seat`` (or none: a registration waiting for approval or its email's
    confirmation holds no seat), in one statement that commits alone (see can_write). The
    registration's id, or None when its address already holds an active registration.

    :raises SeatGone: ``seat`` found no seat left; nothing written.
    """
    values: dict[str, Any] = {"event_id": registration["event_id"]}
    nulls = []
    for prefix, row in (("r_", registration), ("c_", change), ("m_", email or {})):
        for key, value in row.items():
            if value is None:
                nulls.append(prefix + key)
            elif key != "id":
                values[prefix + key] = value
    try:
        return session.connection().execute(
            _statement(seat, email is not None, frozenset(nulls)), values).scalar()
    except sa.exc.DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == REFUSED:
            raise SeatGone from None
        raise


@lru_cache(maxsize=64)
def _statement(seat: sa.Update | None, email: bool, nulls: frozenset[str]) -> sa.Select[Any]:
    """The statement write() runs, built once for each seat's UPDATE, with or without an
    email, and each set of columns given as None (written as NULL, not sent: psycopg converts
    a statement of over 50 parameters, or over 4 kB, at every execution, 0.16 ms here)."""
    registrations: sa.Table = Registration.__table__  # type: ignore[assignment]
    changes: sa.Table = RegistrationChange.__table__  # type: ignore[assignment]
    outbox: sa.Table = OutboxMessage.__table__  # type: ignore[assignment]
    events: sa.Table = Event.__table__  # type: ignore[assignment]

    def given(prefix: str, column: sa.Column[Any]) -> Any:
        name = prefix + column.key
        return sa.null() if name in nulls else sa.bindparam(name, type_=column.type)

    reg = (postgresql_insert(registrations)
           .values({column: given("r_", column)
                    for column in registrations.columns if not column.primary_key})
           .on_conflict_do_nothing(index_elements=["event_id", "email_hash"],
                                   index_where=sa.text(ACTIVE_SQL))
           .returning(registrations.c.id).cte("reg"))
    columns = [column for column in changes.columns
               if not column.primary_key and column.key != "registration_id"]
    ctes = [sa.insert(changes).from_select(
        ["registration_id", *(column.key for column in columns)],
        sa.select(reg.c.id, *(given("c_", column) for column in columns))).cte("change")]
    if email:
        columns = [column for column in outbox.columns if not column.primary_key]
        render = sa.cast(sa.func.jsonb_set(
            sa.cast(sa.bindparam("m_render", type_=outbox.c.render.type), JSONB),
            sa.literal_column("'{args,registration_id}'"), sa.func.to_jsonb(reg.c.id)),
            outbox.c.render.type)
        ctes.append(sa.insert(outbox).from_select(
            [column.key for column in columns],
            sa.select(*(render if column.key == "render" else given("m_", column)
                        for column in columns))).cte("mail"))
    if seat is None:
        return sa.select(reg.c.id).add_cte(*ctes).execution_options(**{ALONE: True})
    taken = seat.where(sa.exists(sa.select(reg.c.id))).returning(events.c.id).cte("seat")
    refused = sa.case((taken.c.id.is_(None), sa.func.rsvp_refuse(NO_SEAT)))
    return (sa.select(reg.c.id, refused).select_from(reg.outerjoin(taken, sa.true()))
            .add_cte(*ctes).execution_options(**{ALONE: True}))
