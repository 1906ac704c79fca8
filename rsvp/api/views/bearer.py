"""/api/v1/manage: an event's registrations and speakers for an organiser's own tools.

Every request carries ``Authorization: Bearer rsvp_pat_…`` and nothing else counts: a
session cookie is never read here (a page open in the same browser lends the API nothing),
so there is no CSRF token either. A token reaches the events it covers on which its
organiser holds a role, with the same role checks as the pages: 404 for an event it does
not reach, 403 for what its role or its read-only scope does not allow, 401 for a token
unknown, revoked or expired. Requests are rate limited per token. Every use is written to
the audit log; changes go through the services the pages use (rsvp.registrations.decisions,
rsvp.registrations.checkin).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from rsvp.api import services, tokens
from rsvp.api.models import ApiToken
from rsvp.auth.models import Role
from rsvp.auth.roles import satisfies
from rsvp.events.models import Event
from rsvp.extensions import csrf, db, limiter
from rsvp.privacy.models import AuditAction
from rsvp.registrations import checkin, codes, decisions
from rsvp.registrations.models import RegistrationStatus
from rsvp.registrations.services import EventFull, RegistrationError, TransitionRefused
from rsvp.speakers.models import SpeakerState

bp = Blueprint("api", __name__, url_prefix="/api/v1/manage")
csrf.exempt(bp)  # a bearer token is no ambient credential: no cookie, nothing to forge

#: What POST …/status accepts: the back office's decisions, and checking in.
ACTIONS = (*decisions.ACTIONS, "check_in")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _json(data: dict[str, Any], status: int = 200) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                        status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(ApiError)
def _refused(error: ApiError) -> Response:
    db.session.rollback()
    response = _json({"error": error.code, "message": error.message}, error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="rsvp"'
    elif "api_token" in g:  # a refused use is a use: the log and the token's last use show it
        tokens.record_use(_token(), None, AuditAction.VIEWED_LIST,
                          f"refused ({error.status} {error.code}): {request.method} {request.path}")
        db.session.commit()
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    """Werkzeug's errors (405, 429 from the rate limit, 413) in the API's own shape."""
    db.session.rollback()
    code = {429: "rate_limited", 405: "method_not_allowed"}.get(error.code or 500, "bad_request")
    response = _json({"error": code, "message": error.description or ""}, error.code or 500)
    if error.code == 429:
        response.headers["Retry-After"] = str(getattr(error, "retry_after", "") or 60)
    return response


def _presented() -> str:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _rate_key() -> str:
    """Each token counts on its own (a hash of what is presented: no database read needed)."""
    return "api-token:" + hashlib.sha256(_presented().encode()).hexdigest()[:32]


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


limiter.limit_blueprint(bp, _rate_limit, key_func=_rate_key)


@bp.before_request
def _authenticate() -> None:
    """:raises ApiError: 401 without a usable bearer token (a session cookie does not count)."""
    try:
        g.api_token = tokens.authenticate(_presented())
    except tokens.TokenRefused:
        raise ApiError(401, "unauthorized", "Send a valid, unrevoked, unexpired token as "
                                            "'Authorization: Bearer rsvp_pat_…'.") from None


def _token() -> ApiToken:
    token: ApiToken = g.api_token
    return token


def _event(event_id: str, needed: Role) -> tuple[Event, Role]:
    """:raises ApiError: 404 outside the token's reach, 403 where its role is not enough."""
    reached = tokens.reach(_token(), event_id)
    if reached is None:
        raise ApiError(404, "not_found", "No event with this id is within this token's reach.")
    event, role = reached
    if not satisfies(role, needed):
        raise ApiError(403, "forbidden", f"Your role on this event ({role.value}) does not "
                                         f"allow this: it needs {needed.value}.")
    return event, role


def _page_args() -> tuple[str | None, int]:
    try:
        limit = services.page_limit(request.args.get("limit"))
        services.decode_cursor(request.args.get("cursor"))
    except services.BadCursor as error:
        raise ApiError(400, "bad_request", f"Bad {error}: use a number from 1 to "
                                           f"{services.MAX_LIMIT}, and the next_cursor given.") from None
    return request.args.get("cursor"), limit


def _choice(name: str, values: type[RegistrationStatus] | type[SpeakerState]) -> Any:
    asked = request.args.get(name)
    if not asked:
        return None
    try:
        return values(asked)
    except ValueError:
        raise ApiError(400, "bad_request", f"Unknown {name} {asked!r}: one of "
                                           + ", ".join(v.value for v in values)) from None


@bp.get("/events")
def events() -> Response:
    token = _token()
    reached = tokens.events_of(token)
    tokens.record_use(token, None, AuditAction.VIEWED_LIST, f"listed its {len(reached)} event(s)")
    db.session.commit()
    return _json({"events": [services.event_entry(e, role, token.can_write) for e, role in reached]})


@bp.get("/events/<event_id>")
def event(event_id: str) -> Response:
    found, role = _event(event_id, Role.CO_SPONSOR)
    body = {**services.event_entry(found, role, _token().can_write), "counts": services.counts(found)}
    tokens.record_use(_token(), found, AuditAction.VIEWED_LIST, "read the counts")
    db.session.commit()
    return _json(body)


@bp.get("/events/<event_id>/registrations")
def registrations(event_id: str) -> Response:
    found, role = _event(event_id, Role.VIEWER)
    cursor, limit = _page_args()
    page = services.registrations_page(found, role, cursor, limit,
                                       _choice("status", RegistrationStatus))
    tokens.record_use(_token(), found, AuditAction.VIEWED_LIST,
                      f"registrations: {len(page.items)} from cursor {cursor or 'start'}")
    db.session.commit()
    return _json({"registrations": page.items, "next_cursor": page.next_cursor})


def _registration_of(found: Event, registration_id: str) -> Any:
    registration = services.registration_of(found, registration_id)
    if registration is None:
        raise ApiError(404, "not_found", "This event has no registration with this id.")
    return registration


@bp.get("/events/<event_id>/registrations/<registration_id>")
def registration(event_id: str, registration_id: str) -> Response:
    found, role = _event(event_id, Role.VIEWER)
    one = _registration_of(found, registration_id)
    tokens.record_use(_token(), found, AuditAction.VIEWED_REGISTRATION,
                      f"registration {codes.code_for(one)}")
    db.session.commit()
    return _json(services.registration_entry(one, role))


@bp.post("/events/<event_id>/registrations/<registration_id>/status")
def change_status(event_id: str, registration_id: str) -> Response:
    sent = request.get_json(silent=True)
    body: dict[str, Any] = sent if isinstance(sent, dict) else {}
    action = body.get("action")
    if action not in ACTIONS:
        raise ApiError(400, "bad_request", "Send JSON {\"action\": …} with one of: "
                                           + ", ".join(ACTIONS) + ".")
    reason = str(body.get("reason") or "")
    found, role = _event(event_id, Role.CHECK_IN if action == "check_in" else Role.MANAGER)
    token = _token()
    if not token.can_write:
        raise ApiError(403, "read_only", "This token may only read: make one that may change "
                                         "registrations.")
    one = _registration_of(found, registration_id)
    try:
        if action == "check_in":
            done = checkin.check_in(one, tokens.actor(token))
            what = AuditAction.CHECKED_IN
            detail = f"registration {codes.code_for(one)}" + ("" if done else " (already in)")
        else:
            decisions.apply(one, action, tokens.actor(token), reason[:1000])
            what, detail = AuditAction.CHANGED_REGISTRATION, f"{action}: registration {codes.code_for(one)}"
    except (TransitionRefused, EventFull) as error:
        why = ("no seat is free in that attendance mode" if isinstance(error, EventFull)
               else f"not possible while the registration is {one.status.value}")
        raise ApiError(409, "refused", f"{action}: {why}.") from None
    except RegistrationError as error:  # pragma: no cover - decisions raise the two above
        raise ApiError(409, "refused", str(error)) from None
    tokens.record_use(token, found, what, detail)
    db.session.commit()
    return _json(services.registration_entry(one, role))


@bp.get("/events/<event_id>/speakers")
def speakers(event_id: str) -> Response:
    found, _role = _event(event_id, Role.VIEWER)
    cursor, limit = _page_args()
    page = services.speakers_page(found, cursor, limit, _choice("state", SpeakerState))
    tokens.record_use(_token(), found, AuditAction.VIEWED_LIST,
                      f"speakers: {len(page.items)} from cursor {cursor or 'start'}")
    db.session.commit()
    return _json({"speakers": page.items, "next_cursor": page.next_cursor})
