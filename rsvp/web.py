"""What every page shares: security and caching headers, error pages, locale choice, template helpers."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    current_app,
    has_request_context,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header
from werkzeug.routing import IntegerConverter, Map

from rsvp import timeutil
from rsvp.db import configure_sqlite
from rsvp.extensions import db
from rsvp.fields import error_links
from rsvp.i18n import isolate, isolated_list, language_name, list_text, own_language_names, text_direction
from rsvp.postgresql import configure_postgresql
from rsvp.privacy import logs
from rsvp.session_cookie import SessionInterface

# Self only: no CDN, web font, analytics or embed may load, and no inline script runs.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "media-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


#: The switcher's cookie (rsvp.language): a language code from LANGUAGES, nothing else.
LANGUAGE_COOKIE = "lang"
#: ``?lang=fr`` on any page: that page in French, remembered like the switcher (rsvp.language).
LANGUAGE_PARAMETER = "lang"


def select_locale() -> str:
    """The address's ?lang=, then a choice made with the switcher, then the browser's
    Accept-Language, then the first language. A code not offered is ignored."""
    supported = request_languages()
    if not has_request_context():  # the worker and commands: emails set their own locale
        return supported[0]
    asked = asked_language()
    if asked:
        return asked
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in supported:
        return chosen
    return _browsers_choice(request.environ.get("HTTP_ACCEPT_LANGUAGE"), tuple(supported))


@functools.lru_cache(maxsize=256)
def _browsers_choice(header: str | None, supported: tuple[str, ...]) -> str:
    """Of ``supported``, the one an Accept-Language header prefers (else the first): as
    Werkzeug's ``request.accept_languages.best_match`` answers, once per header and languages
    (parsing and matching a header cost each page about 50 calls; browsers send a few)."""
    return parse_accept_header(header, LanguageAccept).best_match(supported) or supported[0]


def request_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def asked_language() -> str | None:
    """The language the address asks for (``?lang=``) if it is one of LANGUAGES, else None."""
    if not request.environ.get("QUERY_STRING"):  # most addresses: nothing to parse
        return None
    asked = request.args.get(LANGUAGE_PARAMETER)
    return asked if asked in request_languages() else None


#: Each answer's unless it names its own: the camera's Permissions-Policy (the check-in desk's
#: scanner), the email preview's and the framed forms' Content-Security-Policy.
_UNLESS_NAMED = (("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                 ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
#: Each answer's, whatever it named. Our own pages only for the Referer: Flask-WTF refuses a form
#: sent over HTTPS without a Referer of this host (a browser under "no-referrer" sends none, so
#: every form failed); other sites get nothing.
_ALWAYS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _security_headers(response: Response) -> Response:
    """The headers every answer carries. Added to the list, not set one by one: setting a header
    looks through all of an answer's headers for the name, each time."""
    headers = response.headers
    named = {name.lower(): value for name, value in headers.to_wsgi_list()}
    wanted = [pair for pair in _UNLESS_NAMED if pair[0].lower() not in named]
    wanted += _ALWAYS
    # Every page but the framed forms (rsvp.embed) and the email preview, which name who may frame them.
    if "frame-ancestors 'none'" in named.get("content-security-policy", CONTENT_SECURITY_POLICY):
        wanted.append(("X-Frame-Options", "DENY"))
    if request.is_secure:
        wanted.append(_HSTS)
    for name, value in wanted:
        if name.lower() in named:
            headers[name] = value  # replaces what the view wrote (rare)
        else:
            headers.add(name, value)
    return response


#: Where every page shows or changes someone's data: the organisers' side (check-in, password reset
#: included), a registrant's and a speaker's own links, the email confirmation.
PRIVATE_PATHS = ("/manage/", "/r/", "/s/", "/confirm/")


def _no_store(response: Response) -> Response:
    """Cache-Control: no-store on every response that is not a public page, the same for everyone.

    A browser's or proxy's copy of a registration, an organiser's list or a
    page with a flashed "we wrote to ana@…" outlives the visit on a shared
    computer. Private: any answer to a form; anything under PRIVATE_PATHS,
    found or not; any rule whose URL carries a token (a new link type is
    covered without a list to update); any page of a visitor with a session,
    which may show their flashed messages or the organiser bar. Public pages,
    their files and the static files keep their caching.
    """
    rule = request.url_rule
    private = (request.method not in ("GET", "HEAD")
               or request.path == "/manage" or request.path.startswith(PRIVATE_PATHS)
               or (rule is not None and any(name == "token" or name.endswith("_token")
                                            for name in rule.arguments))
               or (response.mimetype == "text/html" and _has_session()))
    if private and "no-store" not in (response.headers.get("Cache-Control") or ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def _has_session() -> bool:
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies or session.modified


def _error_page(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_template("errors/error.html", code=code, error=error), code


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_template("errors/error.html", code=400, error=error, csrf=True), 400


def healthz() -> tuple[dict[str, object], int]:
    """Liveness, a database round trip, and how long the oldest due email has waited.

    503 only when the database is unreachable (take this server out of
    rotation); a stuck email worker shows as ``"email": "delayed"`` with 200,
    for monitoring to alert on, since web servers cannot fix it.
    """
    from rsvp.mail.models import OutboxMessage, OutboxStatus

    now = timeutil.now_utc()
    try:
        oldest = db.session.scalar(sa.select(sa.func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.RETRY)),
            OutboxMessage.next_attempt_at <= now))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    waited = int((now - oldest).total_seconds()) if oldest else 0
    delayed = waited > current_app.config["HEALTHZ_EMAIL_DELAY_SECONDS"]
    return {"status": "ok", "database": "ok", "email": "delayed" if delayed else "ok",
            "oldest_due_email_seconds": waited}, 200


def _database_unavailable(error: sa.exc.OperationalError) -> tuple[str, int, dict[str, str]]:
    """The database went away mid-request: nothing was saved; say so, and when to retry."""
    db.session.rollback()
    current_app.logger.warning("database unavailable: %s", type(error.orig).__name__)
    return render_template("errors/error.html", code=503), 503, {"Retry-After": "5"}


def public_form_limit() -> str:
    """Flask-Limiter's limit for the public forms that store something or send email."""
    return str(current_app.config["RATELIMIT_PUBLIC_FORMS"])


class App(Flask):
    """Flask, which asks of every function it calls for a request (the view, each function
    before and after it) whether it is a coroutine: a dozen times a request, five calls each.
    The answer for a function does not change; it is kept."""

    _made_sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if (made := self._made_sync.get(func)) is None:
            made = super().ensure_sync(func)
            if len(self._made_sync) < _SYNC_KEPT:  # the app's own functions, a few hundred
                self._made_sync[func] = made
        return made


#: Functions App.ensure_sync keeps the answer for, at most.
_SYNC_KEPT = 2000


class RowNumberConverter(IntegerConverter):
    """``<int:...>`` up to the largest value of an INTEGER column (PostgreSQL's is 32-bit).

    Werkzeug's own takes any length of digits, and the query for a row
    numbered 10**23 fails in the database (SQLite and PostgreSQL alike)
    instead of finding nothing: such a link is simply not found.
    """

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


#: (path with its query, locale) -> (expiry, body, status, the headers kept with it).
_page_cache: dict[tuple[str, str], tuple[float, bytes, int, list[tuple[str, str]]]] = {}
#: What a cached answer keeps besides its body: its type and what the feeds set for HTTP caches.
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control", "ETag",
                 "Access-Control-Allow-Origin")


def cached_for_visitors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve a public page from this process's memory for PUBLIC_PAGE_CACHE_SECONDS.

    Only for visitors without a session (no organiser bar, no flashed
    message): everyone then gets the same bytes. A page is at most that many
    seconds stale after an edit; 0 turns the cache off (tests do). The key is
    the path with its query and the page's language, so ``?lang=ar`` and a
    visitor whose cookie or browser asks for Arabic never get another
    language's copy. An answer with an ETag answers If-None-Match with 304,
    from memory too.
    """
    @functools.wraps(view)
    def cached(**kwargs: Any) -> Any:
        seconds = current_app.config["PUBLIC_PAGE_CACHE_SECONDS"]
        if not seconds or session:
            return _conditional(current_app.make_response(view(**kwargs)))
        key = (request.full_path, str(get_locale()))
        now = time.monotonic()
        hit = _page_cache.get(key)
        if hit and hit[0] > now:
            return _conditional(Response(hit[1], status=hit[2], headers=hit[3]))
        response = current_app.make_response(view(**kwargs))
        if response.status_code in (200, 404) and not session:
            if len(_page_cache) > 2000:
                _page_cache.clear()
            kept = [(name, value) for name, value in response.headers.items() if name in _KEPT_HEADERS]
            _page_cache[key] = (now + seconds, response.get_data(), response.status_code, kept)
        return _conditional(response)

    return cached


def _conditional(response: Response) -> Response:
    """304 for a request whose If-None-Match names the answer's ETag (pages have none)."""
    if "ETag" in response.headers:
        response.make_conditional(request)  # changes the response itself
    return response


def init_app(app: Flask) -> None:
    """Before any blueprint: the rules they add are compiled with the converters set here."""
    logs.install()
    app.url_map.converters["int"] = RowNumberConverter
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.driver == "psycopg":
            configure_postgresql(db.engine)
    timeutil.register_filters(app)
    app.after_request(_security_headers)
    app.after_request(_no_store)
    app.session_interface = SessionInterface()
    app.add_url_rule("/healthz", "healthz", healthz)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(sa.exc.OperationalError, _database_unavailable)
    app.jinja_env.globals.update(language_name=language_name, current_locale=get_locale)
    app.jinja_env.filters.update(language_name=language_name, list_text=list_text,
                                 isolated_list=isolated_list, bdi=isolate)
    app.jinja_env.globals.update(own_language_names=own_language_names, text_direction=text_direction,
                                 error_links=error_links)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.keep_trailing_newline = True  # text emails: an include ends its last line
    app.jinja_env.lstrip_blocks = True
