"""Rate limits counted once per machine without Redis: a small SQLite file every process shares.

Flask-Limiter's ``memory://`` storage counts in each process: under ``rsvp serve``
with 4 workers, "10 per minute" let 40 through. The embedded default
(``RSVP_RATELIMIT_STORAGE_URI=instance``) is instead this storage, on
``<instance>/ratelimits.sqlite``: each count is one short IMMEDIATE transaction
(an upsert), so every worker of the machine sees every other's. Several web
servers on several machines still need Redis (``redis://…``), which counts for
all of them.

Also Flask-Limiter's extension itself, checking a request once where one check
is all it has (Limiter).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

import flask_limiter
from flask import Blueprint, current_app, request
from limits.storage import Storage

SCHEME = "rsvp-sqlite"
#: The setting's value that means this storage, in the instance folder.
INSTANCE = "instance"
#: One count in this many also deletes the windows that ended.
_SWEEP_EVERY = 200


#: Settings whose limits apply to every page: with either, every request is checked before its view.
_APP_WIDE = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION")


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter's extension, which checks each request twice: before its view, for limits
    on the whole app or its blueprint, and in the view's decorator, for the view's own.

    Our limits are a view's own (the public forms, the login) or a blueprint's (the API,
    given with limit_blueprint()); none applies to the whole app unless the settings give
    one (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION). So the check before the view is made
    only for a request of a limited blueprint or under such a setting: elsewhere it found
    nothing to count, at a cost of about 250 Python calls a request (a registration's 3%).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limited_blueprints: set[str] = set()

    def limit_blueprint(self, blueprint: Blueprint, limit: Any, **options: Any) -> None:
        """``limit`` on every view of ``blueprint`` (Flask-Limiter's limit() applied to it)."""
        self._limited_blueprints.add(blueprint.name)
        self.limit(limit, **options)(blueprint)

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if (in_middleware and self._limited_blueprints.isdisjoint(request.blueprints)
                and not any(current_app.config.get(name) for name in _APP_WIDE)):
            return
        super()._check_request_limit(callable_name, in_middleware)


def uri_for(instance_path: str) -> str:
    return f"{SCHEME}://{os.path.join(instance_path, 'ratelimits.sqlite')}"


#: A key's count: a new window at ``amount``, else added to the window's count unless it has ended.
_COUNT = ("INSERT INTO counters (key, count, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
          "SET count = CASE WHEN expires_at <= ? THEN excluded.count ELSE count + excluded.count END, "
          "expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END "
          "RETURNING count")


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
        """One statement, its own transaction: a window that ended starts again at ``amount``."""
        now = time.time()
        connection = self._connection()
        (count,) = connection.execute(_COUNT, (key, amount, now + expiry, now, now)).fetchone()
        self._counted += 1
        if self._counted % _SWEEP_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
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
