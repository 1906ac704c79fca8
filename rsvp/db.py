"""Database foundations: the declarative Base, UTC-aware datetimes, enums, the Session, pages."""

from __future__ import annotations

import enum
import logging
import math
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_sqlalchemy import SQLAlchemy as FlaskSQLAlchemy
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import DeclarativeBase

from rsvp.writequeue import WRITE_LOCK_WAIT_SECONDS, QueueingConnection, begin_immediate, write_lock_path

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC.

    SQLite keeps no offset, so values are normalised to UTC on the way in and
    marked UTC on the way out; naive datetimes are refused as bugs.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_class: type[enum.StrEnum], name: str) -> sa.Enum:
    """A StrEnum stored by value as VARCHAR with a CHECK constraint on both databases."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_class),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def new_public_id() -> str:
    """A random identifier safe to show in URLs and emails (never the integer id)."""
    return secrets.token_urlsafe(12)


class Session(FlaskSession):
    """Flask-SQLAlchemy's Session that honours an explicit ``bind``.

    Tests bind the session to a connection holding an outer transaction (with
    ``join_transaction_mode="create_savepoint"``) so each test is rolled back;
    Flask-SQLAlchemy's own get_bind would ignore that bind and use the engine.
    """

    def get_bind(self, mapper: Any | None = None, clause: Any | None = None,
                 bind: sa.Engine | sa.Connection | None = None,
                 **kwargs: Any) -> sa.Engine | sa.Connection:
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


class LastPageAtMost(SelectPagination):
    """Flask-SQLAlchemy's page of a select, where a page past the last one is the last one.

    Anyone can type ?page=99999999999999999999999, and a shared link to page 7
    outlives the deletions that leave three: the offset of such a page
    overflows the database's integer (an error on SQLite and on PostgreSQL
    alike), and an empty "Page 7 of 3" helps nobody. So the rows are counted
    first, and the page is brought back to the last one before its rows are read.
    """

    _total: int

    def _query_items(self) -> list[Any]:
        self._total = super()._query_count()
        self.page = min(self.page, max(1, math.ceil(self._total / self.per_page)))
        return super()._query_items()

    def _query_count(self) -> int:
        return self._total


class SQLAlchemy(FlaskSQLAlchemy):
    """Flask-SQLAlchemy whose ``paginate`` never reads past the last page (LastPageAtMost)."""

    def paginate(self, select: sa.Select[Any], *, page: int | None = None,
                 per_page: int | None = None, max_per_page: int | None = None,
                 error_out: bool = True, count: bool = True) -> Pagination:
        return LastPageAtMost(select=select, session=self.session(), page=page, per_page=per_page,
                              max_per_page=max_per_page, error_out=error_out, count=count)


def configure_sqlite(engine: sa.Engine) -> None:
    """WAL, a busy timeout, secure deletion and real transactions for SQLite.

    pysqlite's own transaction handling breaks SAVEPOINT, so BEGIN is emitted
    here. A request that may write (anything but GET/HEAD/OPTIONS) begins with
    BEGIN IMMEDIATE: it queues for the write lock (see rsvp.writequeue)
    instead of failing with "database is locked" when its read transaction
    later tries to write after another writer committed. Work outside
    requests begins deferred; it must write first or commit its reads before
    writing.
    """
    lock_path = write_lock_path(engine.url.database)

    @sa.event.listens_for(engine, "do_connect")
    def _queueing_connection(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["factory"] = QueueingConnection

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        if isinstance(dbapi_connection, QueueingConnection):
            dbapi_connection.queue_at(lock_path)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Under the web server's 30 s request timeout: a request still queued for the write lock
        # by then gets a clear "try again" (503) instead of its worker being killed.
        cursor.execute(f"PRAGMA busy_timeout={int(WRITE_LOCK_WAIT_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted and overwritten values are zeroed, not left in free space for anyone who reads
        # the file: erasing a person must erase them (see checkpoint_after_erasure for the WAL).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    def _begin(dbapi_connection: Any) -> None:
        writing = _writing.get() or (
            has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
            and not reading_first())
        if writing:
            begin_immediate(dbapi_connection.driver_connection)
        else:
            dbapi_connection.driver_connection.execute("BEGIN")

    # The dialect's own BEGIN (pysqlite's does nothing), not a "begin" event: an engine with
    # a listener for any of its connections' events calls every statement's four events
    # (before and after it, and its cursor's), each a walk through its listeners, none
    # listening: 28 calls a statement, a registration's 4%.
    engine.dialect.do_begin = _begin  # type: ignore[method-assign]


_READS_FIRST = "_reads_first"
_writing: ContextVar[bool] = ContextVar("sqlite_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Work outside a request whose transactions write: on SQLite they begin IMMEDIATE.

    A deferred transaction that reads and then writes cannot wait for the
    lock: if another process committed since its read, SQLite refuses the
    write at once ("database is locked") whatever the busy timeout. The
    worker's duties read, then write; begun IMMEDIATE, they queue for the lock
    instead. Commit after each short duty, so requests get their turn.
    No effect on PostgreSQL.
    """
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


@contextmanager
def reading() -> Iterator[None]:
    """Inside writing(): transactions begun here only read, so they begin deferred on SQLite.

    For a long duty's reading (a reminder's next recipients): done without the
    write lock, and ended (end_read) before the writing, which then holds the
    lock for its statements only. No effect on PostgreSQL.
    """
    token = _writing.set(False)
    try:
        yield
    finally:
        _writing.reset(token)


def reads_first() -> None:
    """This request's first transaction only reads: begin it deferred, not IMMEDIATE.

    The view then commits (or rolls back) before writing, and its next
    transaction takes the write lock as usual: the lock is held for the writes
    only, not for the form's validation (SQLite has one writer at a time).
    On PostgreSQL the reads go outside a transaction, as a GET's do (rsvp.postgresql),
    and the first write begins one, or commits alone (rsvp.postgresql.ALONE).
    """
    g.setdefault(_READS_FIRST, True)


def reading_first() -> bool:
    """Whether this request asked to read first (reads_first()): taken by the begin of its
    first transaction, which the answer is for."""
    return has_request_context() and g.pop(_READS_FIRST, False)


def write_after_reading(session: sa.orm.Session) -> None:
    """A GET that writes once it has read (an audit entry, an export job): end the read first.

    On SQLite such a request begins deferred, and a write that upgrades a read
    transaction fails at once ("database is locked": the organiser got a 503)
    when another process (the email worker) committed since the read. Ended
    first, the write begins its own transaction and waits for the lock. Only for
    GET and HEAD with nothing pending; no effect on PostgreSQL.
    """
    if (has_request_context() and request.method in ("GET", "HEAD")
            and not (session.new or session.dirty or session.deleted)
            and session.get_bind().dialect.name == "sqlite"):
        end_read(session)


def end_read(session: sa.orm.Session) -> None:
    """Commit a transaction that only read, keeping what it loaded.

    For a view that validates first and writes after (see reads_first()):
    reloading the same rows would cost a query, and what must be current
    for the write is re-checked by its own statements (a seat is taken by
    a conditional UPDATE).
    """
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def writes_next(session: sa.orm.Session) -> None:
    """A request's reading is over and its writing comes (see reads_first()): on SQLite the
    read transaction ends and the writes take the lock in their own; on PostgreSQL, whose
    reads hold back no writer, they go on in the same transaction (a round trip and a commit
    fewer).

    On SQLite, with the session's transaction on a connection of its own (as in a server), the
    read's COMMIT and the writes' BEGIN IMMEDIATE are made on that connection, under the
    session's transaction, which goes on: the session keeps what it loaded, and neither its
    commit nor a new checkout of the connection from the pool is paid for (end_read, for a
    session bound to a connection of the caller's: the tests' outer transaction).
    """
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # The writes begin IMMEDIATE even if the reading began no transaction of its own (it
    # went on in one already open, as when a caller's app context holds the session): left
    # set, the flag would make the writes' transaction deferred, and a write after a read
    # in it is refused at once ("database is locked") if another process committed between.
    if has_request_context():
        g.pop(_READS_FIRST, None)
    if isinstance(bind, sa.Engine) and session.in_transaction():
        driver = session.connection().connection.driver_connection
        assert driver is not None
        driver.commit()  # the reads' snapshot ends: a write on it would be refused if stale
        try:
            begin_immediate(driver)  # queued for the lock, as at a writer's BEGIN
        except sa.exc.OperationalError:
            session.rollback()  # not left in a transaction the connection no longer has
            raise
        return
    end_read(session)


#: Session.info key: the transaction erases personal data (see erasing_personal_data()).
_ERASING = "erasing_personal_data"
#: How long the checkpoint after an erasure waits for other connections' transactions.
CHECKPOINT_WAIT_SECONDS = 2.0


def erasing_personal_data(session: sa.orm.Session) -> None:
    """Say that ``session``'s transaction erases personal data, for checkpoint_after_erasure()."""
    session.info[_ERASING] = True


@sa.event.listens_for(Session, "after_commit")
def checkpoint_after_erasure(session: sa.orm.Session) -> None:
    """Once an erasure is committed, empty SQLite's WAL, which still holds the rows as they were.

    Not when the commit only released a savepoint of a transaction that goes
    on (the tests' rollback fixture): nothing reached the file yet.
    """
    if not session.info.pop(_ERASING, False):
        return
    bind = session.get_bind()
    if isinstance(bind, sa.Connection):
        if bind.in_transaction():
            return
        bind = bind.engine
    checkpoint(bind)


@sa.event.listens_for(Session, "after_rollback")
def _nothing_erased(session: sa.orm.Session) -> None:
    session.info.pop(_ERASING, None)


def checkpoint(engine: sa.Engine) -> bool:
    """SQLite: copy the WAL into the database file and truncate it; False if it stayed busy.

    With secure_delete, erased values are zeroed in the database file once
    the WAL is copied in, but the WAL keeps every page as it was until it is
    reset. Waits CHECKPOINT_WAIT_SECONDS at most for other connections (then
    ``rsvp purge`` runs one later). Nothing to do on PostgreSQL.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        # On the driver's connection, outside any transaction: a checkpoint cannot run inside one.
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute(f"PRAGMA busy_timeout={int(CHECKPOINT_WAIT_SECONDS * 1000)}")
        try:
            busy, _frames, _copied = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            driver.execute(f"PRAGMA busy_timeout={int(WRITE_LOCK_WAIT_SECONDS * 1000)}")
    if busy:
        log.warning("the WAL stayed busy: erased rows remain in it until the next checkpoint")
    return not busy
