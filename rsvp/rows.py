"""Rows written by one Core INSERT each, without the ORM's unit of work.

A row is a dict of its columns (row_of, or new_row for a new ORM object); insert_row
writes it, skipping it where a unique index already holds its key (``ON CONFLICT … DO
NOTHING``, no savepoint); insert_new does so for an ORM object, which then joins the
session as if loaded; as_loaded makes the object of a row written. Packages that follow
a kind of row (webhooks, tallies) hear of each written here through on_insert, and read
ahead what they need through expect_insert.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached


def new_row(obj: Any) -> dict[str, Any]:
    """What the INSERT of the new ORM object ``obj`` writes, for a Core INSERT of many or with
    ON CONFLICT: each column's value as set, else its Python default (else NULL). The
    defaults are set on ``obj`` too, so it holds what its row holds (the key aside)."""
    given = obj.__dict__  # what is set on a new object, read without its attribute's machinery
    row = row_of(type(obj), given)
    for key, primary_key, _default in _columns(obj.__table__):
        if key not in given and not primary_key:
            setattr(obj, key, row[key])
    return row


def row_of(model: Any, given: dict[str, Any]) -> dict[str, Any]:
    """The row an INSERT of ``given`` into ``model``'s table writes: each column's value as
    given, else its Python default (else NULL), the key aside (the database gives it)."""
    row = {}
    for key, primary_key, default in _columns(model.__table__):
        if key in given:
            row[key] = given[key]
        elif not primary_key:
            row[key] = None if default is None else (
                default.arg(None) if callable(default.arg) else default.arg)
    return row


@cache
def _columns(table: sa.Table) -> tuple[tuple[str, bool, Any], ...]:
    """Each column of ``table``: its key, whether it is the primary key, its default."""
    return tuple((column.key, column.primary_key, column.default) for column in table.columns)


def insert_unless_taken(session: sa.orm.Session, model: Any, rows: list[dict[str, Any]],
                        index: list[str] | None, where: str | None = None) -> list[int]:
    """INSERT ``rows`` into ``model``'s table, skipping each that a unique index (``index``,
    partial when ``where`` repeats its condition) already holds; the ids of those written.

    ``ON CONFLICT … DO NOTHING`` on both databases: no savepoint per row, no look
    beforehand, and two processes racing for the same key write it once. Without an
    ``index``, a plain INSERT (every row written).
    """
    connection = session.connection()
    dialect = connection.dialect.name
    key = (dialect, model, tuple(index or ()), where)
    if (statement := _INSERTS.get(key)) is None:
        table = model.__table__  # Core, not the ORM's bulk path: built and compiled once
        insert = (sqlite_insert if dialect == "sqlite" else postgresql_insert)(table)
        if index:
            insert = insert.on_conflict_do_nothing(
                index_elements=index, index_where=sa.text(where) if where else None)
        statement = _INSERTS[key] = insert.returning(table.c.id)
    # On the session's connection, in its transaction: a Core statement has nothing for the
    # ORM's execution (no entities to load, nothing to flush first), which costs more than it.
    return list(connection.execute(statement, rows[0] if len(rows) == 1 else rows).scalars())


_INSERTS: dict[tuple[str, Any, tuple[str, ...], str | None], Any] = {}


def insert_row(session: sa.orm.Session, model: Any, row: dict[str, Any],
               index: list[str] | None = None, where: str | None = None, **about: Any) -> int | None:
    """INSERT ``row`` (every column but the key, see row_of) into ``model``'s table now, in one
    Core statement, unless the unique ``index`` holds its key (see insert_unless_taken); its
    id, also set in ``row``, or None when nothing was written.

    No ORM object is made, added or flushed: for the rows a request writes and never reads
    again (a registration's history row, its email in the outbox), whose object would cost
    more than the INSERT. Whoever listens for ``model``'s rows (on_insert) hears of it in
    the same transaction, with ``about`` (what the row alone does not say, as expect_insert).
    """
    written = insert_unless_taken(session, model, [row], index, where)
    if not written:
        return None
    row["id"] = written[0]
    for listener in _ON_INSERT.get(model, ()):
        listener(session, row, **about)
    return row["id"]


def insert_new(session: sa.orm.Session, obj: Any, index: list[str] | None = None,
               where: str | None = None) -> bool:
    """INSERT the new ORM object ``obj`` now, as insert_row does its row; False when the
    unique ``index`` holds its key, and nothing written.

    Written, ``obj`` joins ``session`` as if loaded from its row: what follows sees
    its id, and the session's flush, with its unit of work, has nothing to do for it.
    """
    written = insert_row(session, type(obj), new_row(obj), index, where)
    if written is None:
        return False
    obj.id = written
    make_transient_to_detached(obj)
    session.add(obj)
    return True


def as_loaded(session: sa.orm.Session, model: Any, row: dict[str, Any]) -> Any:
    """The ``model`` object of ``row``, written by insert_row in this transaction, in
    ``session`` as if loaded from it (no SELECT): for a caller that wants the object."""
    obj = model.__mapper__.class_manager.new_instance()
    obj.__dict__.update(row)  # as loading does: values as read, no attribute events
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


_ON_INSERT: dict[type, list[Any]] = {}
#: Each listener's ``ahead``, by the model it listens to and the listener.
_AHEAD: dict[type, dict[Any, Any]] = {}


def on_insert(model: type, listener: Any, ahead: Any = None) -> None:
    """Call ``listener(session, row, **about)`` for each ``model`` row insert_row (or
    insert_new) writes, ``row`` a dict with its id (the ORM's flush events do not see
    them). For the packages above that follow rows, once each.

    ``ahead(session, **about)``, if given, is called by expect_insert(): the listener reads
    then what it will need, before the writer locks rows others wait for, and answers
    whether it will write anything for such rows (without ``ahead``, it always may).
    """
    kept = _ON_INSERT.setdefault(model, [])
    if listener not in kept:
        kept.append(listener)
    if ahead is not None:
        _AHEAD.setdefault(model, {})[listener] = ahead


def expect_insert(session: sa.orm.Session, model: type, **about: Any) -> bool:
    """``model`` rows (``about`` says of what) are to be written by insert_row in this
    transaction: whoever listens for them (on_insert's ``ahead``) reads now what it needs.
    True when a listener will write something of its own for them; False when none will, and
    the writer may then write its rows by a statement of its own, which no listener hears of.

    For a writer about to lock a row that every other writer of the same kind waits for
    (a registration's seat, on the event's row, held until its commit on PostgreSQL): the
    listeners' reads are done before the lock is taken, not while others queue behind it.
    """
    heard = False
    for listener in _ON_INSERT.get(model, ()):
        ahead = _AHEAD.get(model, {}).get(listener)
        heard = (ahead(session, **about) if ahead is not None else True) or heard
    return heard
