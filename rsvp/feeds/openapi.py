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


def document(base_url: str) -> dict[str, Any]:
    """The OpenAPI document for the site at ``base_url`` (PUBLIC_BASE_URL)."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "RSVP public events", "version": "1",
                 "description": "The upcoming public events, for other sites and tools. Read only, "
                                "no authentication; answers are cached and conditional."},
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
        },
        "components": {"schemas": SCHEMAS},
    }
