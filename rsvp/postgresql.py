"""PostgreSQL's connections: results described lazily, a page's reads outside a transaction,
and a statement that commits alone.

SQLite's counterpart is rsvp.db.configure_sqlite with rsvp.writequeue; rsvp.web calls the one
for the app's database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import psycopg
import sqlalchemy as sa
from flask import has_request_context, request
from psycopg import pq

from rsvp.db import reading_first


def configure_postgresql(engine: sa.Engine) -> None:
    """Results described lazily (DescribedLazily), and a page's reads outside a transaction.

    A GET (or HEAD, OPTIONS) request reads: on PostgreSQL its statements run outside a
    transaction until one writes or locks, and its BEGIN and ROLLBACK, each a round trip
    to the server, are not sent. Each statement sees what was committed when it began, as
    it does in a transaction at PostgreSQL's READ COMMITTED, so a page reads what it read
    before. The first statement that is not a plain SELECT (an INSERT, UPDATE or DELETE, a
    SELECT … FOR UPDATE, a SAVEPOINT, a server-side cursor streaming a large read) first
    begins a transaction, which the session's commit or rollback ends as ever: a write is
    as atomic in a GET as in a POST. A POST whose view reads first (rsvp.db.reads_first)
    reads so too. A statement run with the execution option ALONE while the connection is
    outside a transaction begins none: it commits by itself, atomic as every statement is.
    Other requests and work outside requests (the worker, the commands) begin as before.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.cursor_factory = _LazilyDescribedCursor

    dialect: Any = engine.dialect

    def _begin(dbapi_connection: Any) -> None:  # psycopg's own BEGIN comes with the first statement
        reading = has_request_context() and (request.method in _READING_METHODS or reading_first())
        driver, kept = dbapi_connection.driver_connection, dbapi_connection.info
        if reading and not driver.autocommit:
            driver.autocommit = kept[_READS_OUTSIDE] = True
        elif not reading and kept.pop(_READS_OUTSIDE, False):
            driver.autocommit = False

    def _before_writing(cursor: Any, statement: str, context: Any) -> None:
        driver = cursor.connection
        if not driver.autocommit or driver.info.transaction_status is not pq.TransactionStatus.IDLE:
            return
        if isinstance(cursor, psycopg.ServerCursor) or not (
                _plain_read(statement) or context is not None and context.execution_options.get(ALONE)):
            driver.execute("BEGIN")  # on a cursor of its own: ``cursor`` may be a server's

    def _executing(execute: Callable[..., None]) -> Callable[..., None]:
        def executing(cursor: Any, statement: str, *args: Any, **kwargs: Any) -> None:
            # The dialect's execution context comes last (do_execute, do_executemany,
            # do_execute_no_params), by position or by name.
            _before_writing(cursor, statement, kwargs.get("context", args[-1] if args else None))
            execute(cursor, statement, *args, **kwargs)
        return executing

    # The dialect's own BEGIN and execution, not the engine's "begin" and "before_cursor_execute"
    # events: an engine with a listener for any of its connections' events calls every
    # statement's four events, each a walk through its listeners (configure_sqlite).
    dialect.do_begin = _begin
    for name in ("do_execute", "do_executemany", "do_execute_no_params"):
        setattr(dialect, name, _executing(getattr(dialect, name)))

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        # As every other user of the pool expects it, unless SQLAlchemy set it otherwise.
        if dbapi_connection is not None and record.info.pop(_READS_OUTSIDE, False):
            dbapi_connection.autocommit = False


#: Execution option: a statement, atomic by itself, that begins no transaction when its
#: connection is outside one (configure_postgresql): it commits alone, a round trip for its
#: BEGIN and one for its COMMIT fewer. See outside_transaction.
ALONE = "rsvp_alone"


def outside_transaction(connection: sa.Connection) -> bool:
    """Whether a statement run now on ``connection`` (a PostgreSQL one) is outside any
    transaction: a statement with ALONE then commits as it ends, or fails leaving nothing."""
    driver: Any = connection.connection.driver_connection
    return bool(driver.autocommit) and driver.info.transaction_status is pq.TransactionStatus.IDLE


def commit(session: sa.orm.Session) -> None:
    """``session.commit()``, unless nothing is left to commit: on PostgreSQL, the session's
    connection outside a transaction (it only read, or its writes each committed alone, see
    ALONE) and no object pending in the session. The commit would then send nothing and cost
    a public registration about a twentieth of its Python calls (expiring what the session
    loaded, closing its transaction); the end of the request closes the session as ever."""
    if session.new or session.dirty or session.deleted or not session.in_transaction():
        session.commit()
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not outside_transaction(connection):
        session.commit()


#: Requests that read only (a write among them still begins a transaction: configure_postgresql).
_READING_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
#: Connection record info: set when configure_postgresql turned the connection's autocommit on.
_READS_OUTSIDE = "rsvp_reads_outside_transaction"


def _plain_read(statement: str) -> bool:
    """A SELECT that neither locks rows (FOR UPDATE, FOR SHARE…) nor does anything else."""
    return statement.startswith("SELECT") and " FOR " not in statement


class DescribedLazily(Sequence[Any]):
    """A result's ``cursor.description``, each column made when asked for.

    psycopg makes a Column object of every column of every result on each read of
    ``description`` (eight calls a column: its name decoded, its type looked up), and
    SQLAlchemy reads it after every statement; for a statement it has seen before it only
    asks whether there is one, and keeps what it learnt the first time. An event's row has
    over sixty columns: the columns made for nothing were a tenth of a check-in's Python
    calls. The columns are psycopg's own, of the result read when this was made (not of
    whatever the cursor runs next).
    """

    __slots__ = ("_columns", "_count", "_result")

    def __init__(self, cursor: Any, count: int) -> None:
        # What psycopg's Column reads of its cursor, kept as it is now.
        self._result = SimpleNamespace(pgresult=cursor.pgresult, _encoding=cursor._encoding,  # noqa: SLF001
                                       adapters=cursor.adapters)
        self._count = count
        self._columns: list[Any] | None = None

    def _made(self) -> list[Any]:
        if self._columns is None:
            self._columns = [psycopg.Column(self._result, i)  # type: ignore[arg-type]
                             for i in range(self._count)]
        return self._columns

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self._made()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._made())


_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class _LazilyDescribedCursor(psycopg.Cursor[Any]):
    """psycopg's cursor, its ``description`` as psycopg answers it, made lazily."""

    __slots__ = ()

    @property
    def description(self) -> DescribedLazily | None:  # type: ignore[override]
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):
            return DescribedLazily(self, result.nfields)
        return None
