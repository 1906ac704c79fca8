"""Rate limits counted once per machine without Redis: a small SQLite file every process shares.

Flask-Limiter's ``memory://`` storage counts in each process: under ``rsvp serve``
with 4 workers, "10 per minute" let 40 through. The embedded default
(``RSVP_RATELIMIT_STORAGE_URI=instance``) is instead this storage, on
``<instance>/ratelimits.sqlite``: each count is one short IMMEDIATE transaction
(an upsert), so every worker of the machine sees every other's. Several web
servers on several machines still need Redis (``redis://…``), which counts for
all of them.

Also Flask-Limiter's extension itself (Limiter), which checks a request once where one check
is all it has, and counts a view's own limit (``limiter.limit`` on a public form or the login)
in one step. Flask-Limiter's decorator works out which of all its kinds of limits apply to the
request, through a dozen lookups of the request and the app, counts, and after the view reads
the count and the window's end back from the storage for the X-RateLimit headers: about 500
Python calls and three storage round trips for each registration sent.

When the view's own limit is all there is to count (no limit for the whole app or for every
page in the settings, none of Flask-Limiter's other options), ViewLimit counts it directly: the
limit string parsed once, the same storage key as Flask-Limiter's (every worker, and
Flask-Limiter's own check, add to the same count), one count, and the headers written from what
the count answered (this storage answers the window's end with the count; Redis and memory are
asked for it once). Anything else is Flask-Limiter's own check, as before; its hooks after each
request (its headers, its per-request state cleared) run only for a request it checked: for
any other they found nothing, at about 50 Python calls a request.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sqlite3
import threading
import time
from inspect import iscoroutinefunction
from typing import Any, NamedTuple, cast

import flask_limiter
from flask import Blueprint, Response, current_app, request
from flask_limiter import RateLimitExceeded, RouteLimit
from flask_limiter._limits import RuntimeLimit
from flask_limiter.constants import ConfigVars, HeaderNames
from flask_limiter.util import get_qualified_name, get_remote_address
from limits import RateLimitItem, parse_many
from limits.storage import Storage
from werkzeug.http import http_date, parse_date

SCHEME = "rsvp-sqlite"
#: The setting's value that means this storage, in the instance folder.
INSTANCE = "instance"
#: One count in this many also deletes the windows that ended.
_SWEEP_EVERY = 200


#: Settings whose limits apply to every page: with either, every request is checked before its view.
_APP_WIDE = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION")
#: The request's WSGI environ holds under this name what its view's limit counted (Counted).
_COUNTED = "rsvp.ratelimit"
#: ... and under this one whether Flask-Limiter's own check ran for it.
_CHECKED = "rsvp.ratelimit.checked"
#: Flask-Limiter's mark on a view it has wrapped: a limit stacked on it is checked by the inner one.
_WRAPPED = "__wrapper-limiter-instance"


def request_endpoint() -> str:
    """What a limit's count is kept under, besides the client: the view's endpoint (Flask-Limiter's
    default request identifier)."""
    return request.endpoint or ""


class Window(NamedTuple):
    """One limit of a limit string ("30 per minute"), with what counting it needs worked out once."""

    item: RateLimitItem
    seconds: int
    #: The storage key's start and end around the identifiers, as RateLimitItem.key_for makes it.
    head: str
    tail: str


@functools.lru_cache(maxsize=64)
def windows(text: str) -> tuple[Window, ...]:
    """The limits of a limit string, the shortest window first (the order Flask-Limiter counts them in).

    :raises ValueError: for text that is not a limit.
    """
    return tuple(Window(item, item.get_expiry(), f"{item.namespace}/",
                        f"/{item.amount}/{item.multiples}/{item.GRANULARITY.name}")
                 for item in sorted(parse_many(text)))


@dataclasses.dataclass(slots=True)
class Counted:
    """What a view's limit counted in this request: what its answer's headers say."""

    item: RateLimitItem
    key: str
    count: int
    #: When the window ends (a UNIX time); None when the storage is to be asked after the view.
    ends_at: float | None


class ViewLimit(RouteLimit):
    """``limiter.limit(...)`` on a view: the view counted by Limiter.count_view where its limit is
    all there is to count, else by Flask-Limiter's own decorator."""

    def __call__(self, obj: Any) -> Any:
        checked = super().__call__(obj)  # registers the limit with Flask-Limiter, as before
        if isinstance(obj, Blueprint) or iscoroutinefunction(obj) or getattr(obj, _WRAPPED, None):
            return checked
        limiter, name = cast(Limiter, self.limiter), get_qualified_name(obj)

        @functools.wraps(obj)
        def view(*args: Any, **kwargs: Any) -> Any:
            if not limiter.counts_alone(name):
                return checked(*args, **kwargs)
            limiter.count_view(self)
            return obj(*args, **kwargs)

        setattr(view, _WRAPPED, self.limiter)
        return view


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter's extension, which checks each request twice: before its view, for limits
    on the whole app or its blueprint, and in the view's decorator, for the view's own.

    Our limits are a view's own (the public forms, the login) or a blueprint's (the API,
    given with limit_blueprint()); none applies to the whole app unless the settings give
    one (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION). So the check before the view is made
    only for a request of a limited blueprint or under such a setting: elsewhere it found
    nothing to count, at a cost of about 250 Python calls a request (a registration's 3%).
    The view's own limit is counted by ViewLimit (see the module's docstring).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limited_blueprints: set[str] = set()
        self._only_view_limits = False
        self._header_names: tuple[str, str, str, str] = ("", "", "", "")

    def init_app(self, app: Any) -> None:
        if self._request_identifier is None and not app.config.get(ConfigVars.REQUEST_IDENTIFIER):
            self._request_identifier = request_endpoint  # the same, and known to count_view
        super().init_app(app)
        if not self.enabled:
            return
        manager = self.limit_manager
        self._only_view_limits = (
            self._strategy == "fixed-window" and bool(self._fail_on_first_breach)
            and self._request_identifier is request_endpoint
            and not (manager._application_limits or manager._default_limits or self._meta_limits
                     or self._on_breach or self._in_memory_fallback_enabled))
        self._header_names = (self._header_mapping[HeaderNames.LIMIT],
                              self._header_mapping[HeaderNames.REMAINING],
                              self._header_mapping[HeaderNames.RESET],
                              self._header_mapping[HeaderNames.RETRY_AFTER])
        self._hooks_when_checked(app)
        app.after_request(functools.partial(Limiter._headers_of_count, self))

    def _hooks_when_checked(self, app: Any) -> None:
        """Flask-Limiter's hooks after the request (its headers, then its per-request state
        cleared) made to run only for a request its own check saw. Found by what init_app()
        registers, once per app: a hook not found (another version of Flask-Limiter) is kept.
        Each hook, here and in init_app, is a partial of a plain function: Flask's look for a
        coroutine behind a partial of a bound method takes twice the calls (23, not 11)."""
        after = app.after_request_funcs.get(None, [])
        for n, hook in enumerate(after):
            if isinstance(hook, functools.partial) and hook.args == (self,):
                after[n] = functools.partial(Limiter._headers_if_checked, self, hook)
        teardown = app.teardown_request_funcs.get(None, [])
        for n, hook in enumerate(teardown):
            if getattr(hook, "__self__", None) is self:
                teardown[n] = functools.partial(Limiter._release_if_checked, self, hook)

    def _headers_if_checked(self, inject_headers: Any, response: Response) -> Response:
        return inject_headers(response) if _CHECKED in request.environ else response  # type: ignore[no-any-return]

    def _release_if_checked(self, release_context: Any, error: BaseException | None = None) -> None:
        if _CHECKED in request.environ:
            release_context(error)

    def limit(self, limit_value: Any, *, key_func: Any = None, methods: list[str] | None = None,
              **options: Any) -> RouteLimit:
        """Flask-Limiter's limit(); with no option but the key and the methods, a ViewLimit."""
        if options:
            return super().limit(limit_value, key_func=key_func, methods=methods, **options)
        return ViewLimit(limit_provider=limit_value, limiter=self, key_function=key_func or self._key_func,
                         shared=False, methods=methods, override_defaults=True, cost=1)

    def limit_blueprint(self, blueprint: Blueprint, limit: Any, **options: Any) -> None:
        """``limit`` on every view of ``blueprint`` (Flask-Limiter's limit() applied to it)."""
        self._limited_blueprints.add(blueprint.name)
        self.limit(limit, **options)(blueprint)

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        current = request._get_current_object()  # type: ignore[attr-defined]
        if in_middleware and self._limited_blueprints.isdisjoint(current.blueprints):
            config = current_app._get_current_object().config  # type: ignore[attr-defined]
            if not any(config.get(name) for name in _APP_WIDE):
                return
        current.environ[_CHECKED] = True
        super()._check_request_limit(callable_name, in_middleware)

    def counts_alone(self, name: str) -> bool:
        """Whether the one limit on the view ``name`` is all Flask-Limiter would count in its
        decorator: none of its options that count more is in use (limits for the whole app or
        every page, meta limits, a fallback storage, callbacks, filters), the view is not
        exempted, and no other limit is stacked on it."""
        return (self._only_view_limits and self.enabled and not self._request_filters
                and name not in self._route_exemptions
                and len(self.limit_manager._decorated_limits.get(name, ())) == 1)

    def count_view(self, limit: ViewLimit) -> None:
        """Count this request against ``limit``, as Flask-Limiter's decorator would.

        :raises RateLimitExceeded: over the limit (a 429 page).
        """
        current = request._get_current_object()  # type: ignore[attr-defined]
        if limit.methods and current.method.lower() not in limit.methods:
            return
        text = limit.limit_provider() if callable(limit.limit_provider) else limit.limit_provider
        if not text or not current.endpoint:
            return
        try:
            counted = windows(text)
        except ValueError as error:
            self.logger.error("failed to load ratelimit for function %s: %s", current.endpoint, error)
            return
        key_func = limit.limit_by
        who = (current.remote_addr or "127.0.0.1") if key_func is get_remote_address else key_func()
        if not who:
            self.logger.error("Skipping limit: %s. Empty value found in parameters.", text)
            return
        path = f"{self._key_prefix}/{who}/{current.endpoint}" if self._key_prefix else \
            f"{who}/{current.endpoint}"
        try:
            for window in counted:
                if not self._count(current, window, window.head + path + window.tail):
                    self.logger.info("ratelimit %s (%s) exceeded at endpoint: %s",
                                     window.item, who, current.endpoint)
                    raise RateLimitExceeded(RuntimeLimit(
                        window.item, key_func, None, methods=limit.methods, override_defaults=True))
        except RateLimitExceeded:
            raise
        except Exception:
            if not self._swallow_errors:
                raise
            self.logger.exception("Failed to rate limit. Swallowing error")

    def _count(self, current: Any, window: Window, key: str) -> bool:
        """One count under ``key``, kept for the answer's headers: whether it is within the limit."""
        storage = self.storage
        ends_at: float | None
        if isinstance(storage, SharedFileStorage):
            count, ends_at = storage.incr_window(key, window.seconds)
        else:
            count, ends_at = storage.incr(key, window.seconds), None
        if self._headers_enabled:
            counted = current.environ.get(_COUNTED)
            if counted is None:
                current.environ[_COUNTED] = Counted(window.item, key, count, ends_at)
            else:  # a view calling another limited view: the last count is the one shown, as before
                counted.item, counted.key, counted.count, counted.ends_at = window.item, key, count, ends_at
        return count <= window.item.amount

    def _headers_of_count(self, response: Response) -> Response:
        """The X-RateLimit headers and Retry-After of what the view's limit counted, if it
        counted (Limiter.count_view), as Flask-Limiter writes them after the view."""
        counted: Counted | None = request.environ.get(_COUNTED)
        if counted is None:
            return response
        limit_name, remaining_name, reset_name, retry_name = self._header_names
        try:
            ends_at = self.storage.get_expiry(counted.key) if counted.ends_at is None else counted.ends_at
        except Exception:
            if not self._swallow_errors:
                raise
            self.logger.exception("Failed to update rate limit headers. Swallowing error")
            return response
        reset_at = int(ends_at + 1)
        headers = response.headers
        headers.add(limit_name, str(counted.item.amount))
        headers.add(remaining_name, str(max(0, counted.item.amount - counted.count)))
        headers.add(reset_name, str(reset_at))
        said = headers.get("Retry-After")  # an answer's own (a 503's) may only push it later
        if said is not None:
            when = parse_date(said)
            reset_at = max(reset_at, int(time.time() + int(said) if when is None else when.timestamp()))
        retry_after = http_date(reset_at) if self._retry_after == "http-date" else \
            str(int(reset_at - time.time()))
        if said is None and retry_name == "Retry-After":
            headers.add(retry_name, retry_after)
        else:
            headers.set(retry_name, retry_after)
        return response


def uri_for(instance_path: str) -> str:
    return f"{SCHEME}://{os.path.join(instance_path, 'ratelimits.sqlite')}"


#: A key's count: a new window at ``amount``, else added to the window's count unless it has ended.
_COUNT = ("INSERT INTO counters (key, count, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
          "SET count = CASE WHEN expires_at <= ? THEN excluded.count ELSE count + excluded.count END, "
          "expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END "
          "RETURNING count, expires_at")


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

    def incr_window(self, key: str, expiry: int, amount: int = 1) -> tuple[int, float]:
        """The count after adding ``amount`` and when its window ends (the X-RateLimit headers
        need both), in one statement, its own transaction: a window that ended starts again."""
        now = time.time()
        connection = self._connection()
        count, ends_at = connection.execute(_COUNT, (key, amount, now + expiry, now, now)).fetchone()
        self._counted += 1
        if self._counted % _SWEEP_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return int(count), float(ends_at)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self.incr_window(key, expiry, amount)[0]

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
