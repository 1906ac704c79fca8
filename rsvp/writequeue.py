"""SQLite's writers queue for its write lock in the kernel, asleep, instead of polling for it.

rsvp.db.configure_sqlite makes every connection of an SQLite engine a
QueueingConnection and begins a writing transaction with begin_immediate():
the writer takes an exclusive flock() on ``<database>-writers`` first, then
BEGIN IMMEDIATE, and lets go of the flock after COMMIT or ROLLBACK.
"""

from __future__ import annotations

import fcntl
import math
import os
import sqlite3
import threading
import time
from typing import Any

import sqlalchemy as sa

#: How long a request queues for SQLite's write lock before it gets "try again" (and SQLite's
#: busy timeout at connect, rsvp.db.configure_sqlite).
WRITE_LOCK_WAIT_SECONDS = 20.0


def write_lock_path(database: str | None) -> str | None:
    """The file beside an SQLite database whose lock its writers queue on; None in memory."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.abspath(database) + "-writers"


class QueueingConnection(sqlite3.Connection):
    """An SQLite connection whose writers queue in the kernel for the write lock.

    SQLite's busy handler sleeps 1, 2, 5, 10 … 100 ms between tries, so a
    writer queued behind a transaction of two milliseconds waits tens of them;
    polling instead (every millisecond, as before) burnt 18% of a worker's CPU
    under load. So a writer first takes an exclusive flock() on a file beside
    the database — every process of the machine that writes through the app
    queues there, asleep, and the kernel wakes one when the holder lets go —
    then BEGIN IMMEDIATE, which finds the lock free. The flock is let go just
    after COMMIT or ROLLBACK (or when the connection closes). A writer that
    does not take the flock (the sqlite3 shell) is still waited for by the
    busy timeout.
    """

    _lock_path: str | None = None
    _lock_file: int | None = None
    _lock_pid = 0
    _holding = False
    _busy_ms = 0
    _waiter: _Waiter | None = None

    def queue_at(self, path: str | None) -> None:
        self._lock_path = path
        self._busy_ms = int(WRITE_LOCK_WAIT_SECONDS * 1000)

    def _lock_fd(self) -> int:
        """This connection's own open file (flock belongs to an open file, not to a thread)."""
        if self._lock_file is None or self._lock_pid != os.getpid():
            assert self._lock_path is not None
            self._lock_file = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._lock_pid = os.getpid()
        return self._lock_file

    def queue_for_writing(self, deadline: float) -> bool:
        """Take the machine's writers' lock by ``deadline``; False if still held by then.

        A free lock is taken at once; otherwise this connection's waiter
        thread sleeps in a blocking flock() while this one waits for it with
        a timeout. A wait that times out leaves its open file to that thread,
        which closes it (letting go of the lock) as soon as it gets it.
        """
        if self._lock_path is None:
            return True
        fd = self._lock_fd()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self._waiter is None or self._waiter.fd != fd:
                self._waiter = _Waiter(fd)
            if not self._waiter.take_by(deadline):
                self._lock_file = self._waiter = None
                return False
        self._holding = True
        return True

    def let_go(self) -> None:
        if self._holding:
            self._holding = False
            fcntl.flock(self._lock_fd(), fcntl.LOCK_UN)

    def busy_timeout(self, milliseconds: int) -> None:
        if milliseconds != self._busy_ms:
            self.execute(f"PRAGMA busy_timeout={milliseconds}")
            self._busy_ms = milliseconds

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.let_go()

    def close(self) -> None:
        self._holding = False
        if self._waiter is not None:
            self._waiter.end()
        if self._lock_file is not None and self._lock_pid == os.getpid():
            os.close(self._lock_file)
        self._lock_file = self._waiter = None
        super().close()


class _Waiter:
    """A connection's thread that sleeps in a blocking flock() whenever asked to, kept for the
    connection's life: a thread started for each wait cost more CPU than the wait saved."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._wanted = threading.Event()
        self._taken = threading.Event()
        self._decided = threading.Lock()
        self._abandoned = self._ending = False
        threading.Thread(target=self._run, name="sqlite-write-queue", daemon=True).start()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._ending:
                return
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            with self._decided:
                if self._abandoned:
                    os.close(self.fd)  # lets go of the lock: nobody waits for it any more
                    return
                self._taken.set()

    def take_by(self, deadline: float) -> bool:
        """The lock on ``fd`` by ``deadline``; False (and this waiter given up) if not."""
        self._taken.clear()
        self._wanted.set()
        if self._taken.wait(max(0.0, deadline - time.monotonic())):
            return True
        with self._decided:
            self._abandoned = not self._taken.is_set()
        return not self._abandoned

    def end(self) -> None:
        """The connection closes: the thread, sleeping until asked, returns."""
        self._ending = True
        self._wanted.set()


def begin_immediate(sqlite_connection: Any) -> None:
    """BEGIN IMMEDIATE once this connection's turn comes (QueueingConnection), or "try again".

    After WRITE_LOCK_WAIT_SECONDS in the queue, or queued but still refused
    the lock by a writer outside the queue, the request gets the "try again
    shortly" page (the OperationalError as SQLAlchemy reports it).
    """
    deadline = time.monotonic() + WRITE_LOCK_WAIT_SECONDS
    queued = isinstance(sqlite_connection, QueueingConnection)
    try:
        if queued and not sqlite_connection.queue_for_writing(deadline):
            raise sqlite3.OperationalError("database is locked (still queued for the write lock)")
        if queued:
            # What is left of the wait, for a writer outside the queue (in steps of 100 ms, so a
            # turn that came at once sets nothing).
            sqlite_connection.busy_timeout(max(100, math.ceil((deadline - time.monotonic()) * 10) * 100))
        sqlite_connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if queued:
            sqlite_connection.let_go()
        raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
