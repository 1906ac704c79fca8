"""The upcoming public events as an iCalendar feed and as JSON, and the API's OpenAPI document.

Every answer is the same for everyone who asks the same address (its language comes from
``?lang=`` only, never a cookie or Accept-Language), so it carries a strong ETag made from its
bytes, answers If-None-Match with 304, may be kept by any cache for FEED_MAX_AGE_SECONDS, and is
kept in this process's memory like the public pages (rsvp.web.cached_for_visitors).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app

from rsvp.events.calendar import feed_ics
from rsvp.events.services import EventNotFound
from rsvp.feeds import openapi, services
from rsvp.urls import public_domain, public_url
from rsvp.web import asked_language, cached_for_visitors, request_languages

bp = Blueprint("feeds", __name__)


def _feed(body: bytes, mimetype: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype=mimetype)
    response.set_etag(services.strong_etag(body))
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['FEED_MAX_AGE_SECONDS']}"
    # Public data read by other sites' own scripts; no cookie is ever read or sent back.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json(data: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _feed(body, "application/json", status)


@bp.get("/events.ics")
@cached_for_visitors
def calendar() -> Response:
    """Every upcoming public event, one VEVENT each (its own file's UID and SEQUENCE)."""
    language = asked_language()
    events = [(event, public_url("events.show", slug=event.slug, **({"lang": language} if language else {})))
              for event in services.upcoming()]
    response = _feed(feed_ics(events, public_domain(), language), "text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


@bp.get("/api/v1/events")
@cached_for_visitors
def events() -> Response:
    return _json(services.events_feed(services.upcoming(), asked_language(), request_languages()))


@bp.get("/api/v1/events/<slug>")
@cached_for_visitors
def event(slug: str) -> Response:
    try:
        found = services.upcoming_event(slug)
    except EventNotFound:
        return _json({"error": "not_found"}, 404)
    return _json(services.event_entry(found, asked_language()))


@bp.get("/api/v1/openapi.json")
@cached_for_visitors
def openapi_document() -> Response:
    return _json(openapi.document(current_app.config["PUBLIC_BASE_URL"]))
