"""Rate limits counted once per machine without Redis: a small SQLite file every process shares.

Flask-Limiter's ``memory://`` storage counts in each process: under ``rsvp serve``
with 4 workers, "10 per minute" let 40 through. The embedded default
(``RSVP_RATELIMIT_STORAGE_URI=instance``) is instead this storage, on
``<instance>/ratelimits.sqlite``: each count is one short IMMEDIATE transaction
(an upsert), so every worker of the machine sees every other's. Several web
servers on several machines still need Redis (``redis://…``), which counts for
all of them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

from limits.storage import Storage

SCHEME = "rsvp-sqlite"
#: The setting's value that means this storage, in the instance folder.
INSTANCE = "instance"
#: One count in this many also deletes the windows that ended.
_SWEEP_EVERY = 200


def uri_for(instance_path: str) -> str:
    return f"{SCHEME}://{os.path.join(instance_path, 'ratelimits.sqlite')}"


class SharedFileStorage(Storage):
    """Fixed-window counters in a SQLite file (the limits package's storage interface)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = (uri or "").removeprefix(f"{SCHEME}://")
        self._local = threading.local()
        self._counted = 0
        with self._connection() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, "
                               "count INTEGER NOT NULL, expires_at REAL NOT NULL)")

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection in this process (a forked worker opens its own)."""
        held = getattr(self._local, "held", None)
        if held is None or held[0] != os.getpid():
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                         check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            held = (os.getpid(), connection)
            self._local.held = held
        return held[1]  # type: ignore[no-any-return]

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("DELETE FROM counters WHERE key = ? AND expires_at <= ?", (key, now))
            (count,) = connection.execute(
                "INSERT INTO counters (key, count, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET count = count + excluded.count RETURNING count",
                (key, amount, now + expiry)).fetchone()
            self._counted += 1
            if self._counted % _SWEEP_EVERY == 0:
                connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return int(count)

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT count FROM counters WHERE key = ? AND expires_at > ?", (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute(
            "SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?",
            (key, time.time())).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
