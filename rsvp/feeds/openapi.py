"""The OpenAPI 3.1 description of the JSON feed, served at /api/v1/openapi.json.

Written by hand as data, next to the code that builds the answers (rsvp.feeds.services); the tests
validate every answer the API gives against these schemas, so the two cannot drift apart.
"""

from __future__ import annotations

import enum
from typing import Any

from rsvp.events.models import (
    EventFormat,
    EventType,
    PartnerKind,
    PartnerRole,
    ProgrammeRole,
    RegistrationRule,
    UnPremises,
)
from rsvp.feeds.services import RegistrationState

_LANGUAGE = {"type": "string", "description": "An interface language code (ISO 639-1).",
             "examples": ["fr"]}
_URL = {"type": "string", "format": "uri"}
_TIME = {"type": "string", "format": "date-time", "description": "UTC, RFC 3339 (`Z`)."}
_ZONE = {"type": "string", "description": "An IANA time zone.", "examples": ["Europe/Zurich"]}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"type": "object", **({"description": description} if description else {}),
            "required": list(properties), "additionalProperties": False, "properties": properties}


def _one_of(values: type[enum.StrEnum]) -> dict[str, Any]:
    return {"type": "string", "enum": [value.value for value in values]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "LanguageLink": _object({"language": _LANGUAGE, "url": _URL, "api_url": _URL},
                            "The event's page and its feed entry in one language it is written in."),
    "ListLanguageLink": _object({"language": _LANGUAGE, "api_url": _URL}),
    "Registration": _object({
        "state": {**_one_of(RegistrationState),
                  "description": "`full`: open, but no seat left in any attendance mode "
                                 "(`waitlist` says whether one can still join a waiting list); "
                                 "`closed`: past the deadline, under way, or cancelled."},
        "url": {**_URL, "description": "The registration form, in the language asked for."},
        "opens_at": _nullable(_TIME),
        "closes_at": _TIME,
        "waitlist": {"type": "boolean"},
        "who": {**_one_of(RegistrationRule),
                "description": "Who must register: `without_pass`: people holding a UN grounds pass "
                               "for `un_premises` come straight in; `nobody`: a watch-only event, "
                               "followed on its livestream (no form)."},
        "un_premises": {**_one_of(UnPremises),
                        "description": "Whose grounds pass in-person participants need; `none`: no pass."},
    }),
    "Event": _object({
        "slug": {"type": "string"},
        "url": {**_URL, "description": "The event's page, in the language asked for."},
        "api_url": _URL,
        "calendar_url": {**_URL, "description": "The event's own calendar file (.ics)."},
        "status": {"type": "string", "enum": ["published", "cancelled"]},
        "event_type": _one_of(EventType),
        "session": {"type": ["string", "null"], "examples": ["HRC59"]},
        "format": _one_of(EventFormat),
        "language": {**_LANGUAGE, "description": "The language asked for (`?lang=`), else the "
                                                 "event's main language."},
        "main_language": {**_LANGUAGE, "description": "The language the organisers wrote it in."},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "description": {"type": "string", "description": "Markdown."},
        "description_html": {"type": "string",
                             "description": "The description as sanitised HTML (no script, "
                                            "style or image)."},
        "text_languages": _object({"title": _LANGUAGE, "summary": _LANGUAGE, "description": _LANGUAGE},
                                  "The language each text is in: the main language's where the "
                                  "organisers have not translated it."),
        "translations": {"type": "array", "items": _ref("LanguageLink"),
                         "description": "Every language the event is written in, main one first."},
        "starts_at": _TIME,
        "ends_at": _TIME,
        "timezone": {**_ZONE, "description": "The event's own zone: its times as announced."},
        "display_timezones": {"type": "array", "items": _ZONE},
        "venue": {"type": ["string", "null"]},
        "livestream_url": _nullable(_URL),
        "recording_url": {**_nullable(_URL), "description": "The on-demand recording, once there is one."},
        "contact": {"oneOf": [{"type": "null"}, _object({
            "name": {"type": ["string", "null"]}, "email": {"type": ["string", "null"], "format": "email"}},
            "Whom to ask about the event, as the organisers publish it.")]},
        "social_account": {"type": ["string", "null"], "examples": ["@ISHRglobal"]},
        "hashtag": {"type": ["string", "null"], "examples": ["#HRCelections2021"]},
        "languages": _object({"floor": _LANGUAGE,
                              "interpretation": {"type": "array", "items": _LANGUAGE},
                              "captions": {"type": "array", "items": _LANGUAGE}}),
        "registration": _ref("Registration"),
        "image": {"oneOf": [{"type": "null"},
                            _object({"url": _URL, "credit": {"type": ["string", "null"]},
                                     "alt": {"type": ["string", "null"],
                                             "description": "What the image shows; null: decoration."}})]},
        "partners": {"type": "array", "items": _object({
            "name": {"type": "string"},
            "kind": _one_of(PartnerKind), "role": _one_of(PartnerRole)})},
        "programme": {"type": "array", "items": _object({
            "name": {"type": "string"}, "affiliation": {"type": ["string", "null"]},
            "role": _one_of(ProgrammeRole), "segment": {"type": ["string", "null"]}})},
        "documents": {"type": "array", "items": _object({
            "title": {"type": "string"}, "language": _LANGUAGE, "url": _URL})},
    }, "An upcoming public event. Never its join link, never anything about who registered."),
    "EventList": _object({
        "language": {"type": ["string", "null"], "description": "The language asked for, if any."},
        "translations": {"type": "array", "items": _ref("ListLanguageLink")},
        "calendar_url": {**_URL, "description": "The same events as an iCalendar feed."},
        "events": {"type": "array", "items": _ref("Event")},
    }),
    "Error": _object({"error": {"type": "string", "enum": ["not_found"]}}),
}

_ERROR_CODES = ["unauthorized", "forbidden", "read_only", "not_found", "bad_request", "refused",
                "rate_limited", "method_not_allowed"]
_PAGE = {"type": ["string", "null"],
         "description": "Send it back as `cursor` for the next page; null on the last page."}
_COUNT = {"type": "integer", "minimum": 0}

SCHEMAS.update({
    "ApiError": _object({"error": {"type": "string", "enum": _ERROR_CODES},
                         "message": {"type": "string", "description": "What to do about it, in English."}}),
    "ManagedEvent": _object({
        "id": {"type": "string", "description": "The event's id in the organisers' pages and this API."},
        "slug": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "published", "cancelled"]},
        "starts_at": _TIME, "ends_at": _TIME, "timezone": _ZONE,
        "role": {"type": "string", "enum": ["owner", "manager", "check_in", "viewer", "co_sponsor"],
                 "description": "The token's organiser's role: the token may do what it allows."},
        "may_read_people": {"type": "boolean",
                            "description": "Viewers and above read registrations and speakers; "
                                           "co-sponsors read counts only."},
        "may_change": {"type": "boolean", "description": "A read-and-write token of a manager or owner."},
        "may_check_in": {"type": "boolean"},
    }, "An event the token reaches."),
    "ManagedEventList": _object({"events": {"type": "array", "items": _ref("ManagedEvent")}}),
    "Counts": _object({
        "registrations": _object({
            "by_status": {"type": "object", "additionalProperties": _COUNT},
            "by_attendance_mode": {"type": "object", "additionalProperties": _COUNT,
                                   "description": "Confirmed, waiting or awaiting approval."},
            "checked_in": _COUNT}),
        "speakers": {**_COUNT, "description": "Inscriptions not withdrawn."},
    }),
    "RegistrationRecord": _object({
        "id": {"type": "string"},
        "code": {"type": "string", "description": "The door code, e.g. `K7Q2-M9XA`."},
        "status": {"type": "string", "enum": ["pending_email", "pending_approval", "confirmed",
                                              "waitlisted", "rejected", "cancelled"]},
        "confidential": {"type": "boolean"},
        "person": {"oneOf": [{"type": "null"}, _object({
            "name": {"type": "string"}, "email": {"type": "string"},
            "organisation": {"type": "string"}, "country": {"type": ["string", "null"]}})],
                   "description": "Null when the person asked for confidentiality and the "
                                  "token's role is below manager, or when their data was erased."},
        "organisation_type": {"type": "string"},
        "attendance_mode": {"type": "string", "enum": ["in_person", "online"]},
        "language": _LANGUAGE,
        "interpretation_language": {"type": ["string", "null"]},
        "captions": {"type": "boolean"},
        "created_at": _TIME, "updated_at": _TIME, "checked_in_at": _nullable(_TIME),
        "erased": {"type": "boolean"},
    }),
    "RegistrationPage": _object({"registrations": {"type": "array", "items": _ref("RegistrationRecord")},
                                 "next_cursor": _PAGE}),
    "SpeakerRecord": _object({
        "id": {"type": "string"},
        "state": {"type": "string", "enum": ["inscribed", "confirmed", "speaking", "delivered",
                                             "absent", "withdrawn"]},
        "name": {"type": ["string", "null"], "description": "Null once erased."},
        "delegation": {"type": "string"}, "category": {"type": "string"},
        "country": {"type": ["string", "null"]}, "on_behalf_of_group": {"type": "boolean"},
        "group_name": {"type": ["string", "null"]}, "language": _LANGUAGE,
        "position": {"type": ["integer", "null"]}, "seconds_allowed": _COUNT,
        "seconds_used": {"type": ["integer", "null"]}, "inscribed_at": _TIME,
        "has_statement": {"type": "boolean"},
    }),
    "SpeakerPage": _object({"speakers": {"type": "array", "items": _ref("SpeakerRecord")},
                            "next_cursor": _PAGE}),
    "StatusChange": {"type": "object", "required": ["action"], "properties": {
        "action": {"type": "string", "enum": ["approve", "reject", "promote", "cancel", "check_in"]},
        "reason": {"type": "string", "maxLength": 1000,
                   "description": "Told to the person when rejecting or cancelling."}}},
})
SCHEMAS["ManagedEventDetail"] = _object({**SCHEMAS["ManagedEvent"]["properties"],
                                         "counts": _ref("Counts")}, "An event and its counts.")

_LANG_PARAMETER = {
    "name": "lang", "in": "query", "required": False, "schema": {"type": "string"},
    "description": "The events' words in this language where the organisers translated them "
                   "(else their main language). An unknown code is ignored.",
}
_CACHED = {
    "ETag": {"description": "A strong validator: send it back in If-None-Match.",
             "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string", "examples": ["public, max-age=60"]}},
}
_NOT_MODIFIED = {"description": "Not modified since the ETag sent in If-None-Match.",
                 "headers": {"ETag": _CACHED["ETag"]}}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "headers": _CACHED,
            "content": {"application/json": {"schema": _ref(schema)}}}


def _private(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "headers": {"Cache-Control": {"schema": {"type": "string",
                                                                                 "const": "no-store"}}},
            "content": {"application/json": {"schema": _ref(schema)}}}


def _refusals(*codes: int) -> dict[str, Any]:
    meaning = {400: "A bad cursor, limit, filter or body.",
               401: "No token, or one unknown, revoked or expired (a session cookie never counts).",
               403: "The organiser's role on the event, or the token's read-only scope, does not "
                    "allow it.",
               404: "No such event within the token's reach (or no such registration in it).",
               409: "The registration's status does not allow the action, or no seat is free.",
               429: "Too many requests with this token: wait for Retry-After seconds."}
    return {str(code): _private("ApiError", meaning[code]) for code in (401, 429, *codes)}


_EVENT_ID = {"name": "event_id", "in": "path", "required": True, "schema": {"type": "string"}}
_PAGING = [{"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
            "description": "The `next_cursor` of the page before; none for the first page."},
           {"name": "limit", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}]
_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
MANAGE_PATHS: dict[str, Any] = {
    "/api/v1/manage/events": {"get": {
        "operationId": "listManagedEvents", "security": _BEARER,
        "summary": "The events the token reaches, with its organiser's role on each",
        "responses": {"200": _private("ManagedEventList", "The events."), **_refusals()}}},
    "/api/v1/manage/events/{event_id}": {"get": {
        "operationId": "getManagedEvent", "security": _BEARER,
        "summary": "One event and its counts (every role, co-sponsors too: never a name)",
        "parameters": [_EVENT_ID],
        "responses": {"200": _private("ManagedEventDetail", "The event."), **_refusals(404)}}},
    "/api/v1/manage/events/{event_id}/registrations": {"get": {
        "operationId": "listRegistrations", "security": _BEARER,
        "summary": "The event's registrations in the order they came, a page at a time (viewer "
                   "and above)",
        "parameters": [_EVENT_ID, *_PAGING, {
            "name": "status", "in": "query", "required": False, "schema": {"type": "string"}}],
        "responses": {"200": _private("RegistrationPage", "A page."), **_refusals(400, 403, 404)}}},
    "/api/v1/manage/events/{event_id}/registrations/{registration_id}": {"get": {
        "operationId": "getRegistration", "security": _BEARER, "summary": "One registration",
        "parameters": [_EVENT_ID, {"name": "registration_id", "in": "path", "required": True,
                                   "schema": {"type": "string"}}],
        "responses": {"200": _private("RegistrationRecord", "The registration."),
                      **_refusals(403, 404)}}},
    "/api/v1/manage/events/{event_id}/registrations/{registration_id}/status": {"post": {
        "operationId": "changeRegistrationStatus", "security": _BEARER,
        "summary": "Approve, reject, promote from the waiting list, cancel or check in (a "
                   "read-and-write token; managers, or check-in staff for check_in); the person "
                   "is emailed as from the pages",
        "parameters": [_EVENT_ID, {"name": "registration_id", "in": "path", "required": True,
                                   "schema": {"type": "string"}}],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref("StatusChange")}}},
        "responses": {"200": _private("RegistrationRecord", "Done: the registration now."),
                      **_refusals(400, 403, 404, 409)}}},
    "/api/v1/manage/events/{event_id}/speakers": {"get": {
        "operationId": "listSpeakers", "security": _BEARER,
        "summary": "The event's speakers-list inscriptions, a page at a time (viewer and above)",
        "parameters": [_EVENT_ID, *_PAGING, {
            "name": "state", "in": "query", "required": False, "schema": {"type": "string"}}],
        "responses": {"200": _private("SpeakerPage", "A page."), **_refusals(400, 403, 404)}}},
}


def document(base_url: str) -> dict[str, Any]:
    """The OpenAPI document for the site at ``base_url`` (PUBLIC_BASE_URL)."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "RSVP public events", "version": "1",
                 "description": "The upcoming public events, for other sites and tools (read "
                                "only, no authentication; answers are cached and conditional), "
                                "and under /api/v1/manage an event's registrations and speakers "
                                "for an organiser's own tools, with a personal access token."},
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/api/v1/events": {"get": {
                "operationId": "listEvents", "summary": "Upcoming public events, soonest first",
                "parameters": [_LANG_PARAMETER],
                "responses": {"200": _json("EventList", "The events."), "304": _NOT_MODIFIED}}},
            "/api/v1/events/{slug}": {"get": {
                "operationId": "getEvent", "summary": "One upcoming public event",
                "parameters": [{"name": "slug", "in": "path", "required": True,
                                "schema": {"type": "string"}}, _LANG_PARAMETER],
                "responses": {"200": _json("Event", "The event."), "304": _NOT_MODIFIED,
                              "404": _json("Error", "No upcoming public event has this slug.")}}},
            "/events.ics": {"get": {
                "operationId": "calendarFeed",
                "summary": "The same events as an iCalendar feed (one VEVENT each)",
                "parameters": [_LANG_PARAMETER],
                "responses": {"200": {"description": "The calendar.", "headers": _CACHED,
                                      "content": {"text/calendar": {"schema": {"type": "string"}}}},
                              "304": _NOT_MODIFIED}}},
            **MANAGE_PATHS,
        },
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "A personal access token (`rsvp_pat_…`) made on /manage/tokens."}}},
    }
