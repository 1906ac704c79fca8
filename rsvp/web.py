"""What every page shares: security headers, error pages, locale choice, template helpers."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, Response, current_app, has_request_context, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from rsvp import timeutil
from rsvp.db import configure_sqlite
from rsvp.extensions import db
from rsvp.i18n import language_name
from rsvp.privacy import logs

# Self only: no CDN, web font, analytics or embed may load, and no inline script runs.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL on PUBLIC_BASE_URL, built without a request (emails, the worker)."""
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def public_domain() -> str:
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"


def select_locale() -> str:
    supported = request_languages()
    if not has_request_context():  # the worker and commands: emails set their own locale
        return supported[0]
    return request.accept_languages.best_match(supported) or supported[0]


def request_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def _error_page(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    return render_template("errors/error.html", code=code, error=error), code


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_template("errors/error.html", code=400, error=error, csrf=True), 400


def healthz() -> tuple[dict[str, str], int]:
    """Liveness and a database round trip, for load balancers and monitoring."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200


def init_app(app: Flask) -> None:
    logs.install()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    timeutil.register_filters(app)
    app.after_request(_security_headers)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _error_page)
    app.jinja_env.globals.update(language_name=language_name, current_locale=get_locale)
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.keep_trailing_newline = True  # text emails: an include ends its last line
    app.jinja_env.lstrip_blocks = True
