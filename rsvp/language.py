"""The language switcher in every page's footer: remembers a visitor's choice in a cookie.

rsvp.web.select_locale() reads the cookie first, then Accept-Language.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from werkzeug.wrappers import Response

from rsvp.extensions import csrf
from rsvp.urls import safe_next
from rsvp.web import LANGUAGE_COOKIE, request_languages

COOKIE_MAX_AGE = 60 * 60 * 24 * 365

bp = Blueprint("language", __name__)


# No CSRF token: the form is in every page, and a token would give each visitor a session and so
# bypass the public page cache; the worst a forged post can do is change a display language.
# A POST, not a GET, so the page's path (a signed link on some pages) never reaches a query string.
@bp.post("/language")
@csrf.exempt
def switch() -> Response:
    """Remember the chosen language and go back to the page it was chosen on (a local path only)."""
    response = redirect(safe_next(request.form.get("next")) or url_for("events.upcoming"), code=303)
    chosen = request.form.get("lang", "")
    if chosen in request_languages():
        secure = current_app.config["ENV"] not in ("development", "testing")
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=COOKIE_MAX_AGE, path="/", secure=secure,
                            httponly=True, samesite="Lax")
    return response
