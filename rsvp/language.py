"""The visitor's language: the switcher in every page's footer, and ``?lang=`` in a page's address.

Either choice is remembered in a cookie; rsvp.web.select_locale() reads the address first, then
the cookie, then Accept-Language.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, current_app, redirect, request, url_for
from werkzeug.wrappers import Response

from rsvp.extensions import csrf
from rsvp.urls import safe_next
from rsvp.web import LANGUAGE_COOKIE, LANGUAGE_PARAMETER, asked_language, request_languages

COOKIE_MAX_AGE = 60 * 60 * 24 * 365

bp = Blueprint("language", __name__)


# No CSRF token: the form is in every page, and a token would give each visitor a session and so
# bypass the public page cache; the worst a forged post can do is change a display language.
# A POST, not a GET, so the page's path (a signed link on some pages) never reaches a query string.
@bp.post("/language")
@csrf.exempt
def switch() -> Response:
    """Remember the chosen language and go back to the page it was chosen on (a local path only)."""
    back = safe_next(request.form.get("next"))
    # The page's own ?lang= would outrank the choice just made: go back without it.
    response = redirect(without_language(back) if back else url_for("events.upcoming"), code=303)
    chosen = request.form.get("lang", "")
    if chosen in request_languages():
        _remember(response, chosen)
    return response


@bp.after_app_request
def _remember_asked(response: Response) -> Response:
    """A page opened with ``?lang=`` keeps that language for the visit's next pages, as the switcher
    does. Pages only: the feeds answer other sites' scripts, whose language is theirs to choose."""
    asked = asked_language()
    if (asked and request.method == "GET" and response.mimetype == "text/html"
            and request.cookies.get(LANGUAGE_COOKIE) != asked):
        _remember(response, asked)
    return response


def _remember(response: Response, language: str) -> None:
    secure = current_app.config["ENV"] not in ("development", "testing")
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=COOKIE_MAX_AGE, path="/", secure=secure,
                        httponly=True, samesite="Lax")


def without_language(path: str) -> str:
    """``path`` without its ``lang`` parameter (the others kept in order)."""
    parts = urlsplit(path)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
             if name != LANGUAGE_PARAMETER]
    return urlunsplit(parts._replace(query=urlencode(query)))
