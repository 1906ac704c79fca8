"""What the feeds say of an event: its public fields, its words in the language asked for, its
registration state, and its addresses in each language it is written in.

Plain data for json.dumps, built from rows loaded with one query per table for the whole feed.
Addresses come from PUBLIC_BASE_URL (rsvp.urls.public_url), never from the request's Host, so a
cached answer is the same for everyone.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from rsvp.events import content
from rsvp.events.models import Event, EventStatus
from rsvp.events.services import EventNotFound, render_markdown
from rsvp.extensions import db
from rsvp.registrations.services import Window, closes_at, window
from rsvp.timeutil import now_utc
from rsvp.urls import public_url


class RegistrationState(enum.StrEnum):
    OPEN = "open"
    #: Open, but no seat is left in any attendance mode (``waitlist`` says whether one can wait).
    FULL = "full"
    NOT_YET_OPEN = "not_yet_open"
    #: Past the deadline, the event under way, or cancelled.
    CLOSED = "closed"


_LOADED = (selectinload(Event.translations), selectinload(Event.partners),
           selectinload(Event.people), selectinload(Event.documents))


def upcoming(now: datetime | None = None) -> list[Event]:
    """Published and cancelled events that have not ended, soonest first (the listing's events)."""
    return list(db.session.scalars(
        sa.select(Event)
        .where(Event.status != EventStatus.DRAFT, Event.ends_at >= (now or now_utc()))
        .order_by(Event.starts_at, Event.id)
        .options(*_LOADED)))


def upcoming_event(slug: str, now: datetime | None = None) -> Event:
    """:raises EventNotFound: no such slug, a draft, or an event that has ended."""
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug).options(*_LOADED))
    if event is None or event.status is EventStatus.DRAFT or event.ends_at < (now or now_utc()):
        raise EventNotFound(slug)
    return event


def registration_state(event: Event, now: datetime | None = None) -> RegistrationState:
    state = window(event, now)
    if state is Window.NOT_YET_OPEN:
        return RegistrationState.NOT_YET_OPEN
    if state is not Window.OPEN:
        return RegistrationState.CLOSED
    if all(event.seats_left(mode) == 0 for mode in event.attendance_modes):
        return RegistrationState.FULL
    return RegistrationState.OPEN


def utc(moment: datetime | None) -> str | None:
    """``2026-03-04T15:00:00Z``: RFC 3339 in UTC, as the OpenAPI file's date-time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _with_language(endpoint: str, language: str | None, **values: Any) -> str:
    return public_url(endpoint, **values, **({"lang": language} if language else {}))


def event_entry(event: Event, language: str | None, now: datetime | None = None) -> dict[str, Any]:
    """The event as the JSON feed gives it; its words in ``language`` where translated, else (and
    when ``language`` is None) in its main language."""
    reader = language or event.content_language
    text = content.event_text(event, reader)

    def phrase(main: str) -> str:
        return content.phrase(event, main, reader).text

    return {
        "slug": event.slug,
        "url": _with_language("events.show", language, slug=event.slug),
        "api_url": _with_language("feeds.event", language, slug=event.slug),
        "calendar_url": _with_language("events.calendar", language, slug=event.slug),
        "status": event.status.value,
        "event_type": event.event_type.value,
        "session": event.session,
        "format": event.format.value,
        "language": reader,
        "main_language": event.content_language,
        "title": text.title.text,
        "summary": text.summary.text,
        "description": text.description.text,
        "description_html": str(render_markdown(text.description.text)),
        "text_languages": {"title": text.title.language, "summary": text.summary.language,
                           "description": text.description.language},
        "translations": [{"language": code,
                          "url": public_url("events.show", slug=event.slug, lang=code),
                          "api_url": public_url("feeds.event", slug=event.slug, lang=code)}
                         for code in content.languages_of(event)],
        "starts_at": utc(event.starts_at),
        "ends_at": utc(event.ends_at),
        "timezone": event.timezone,
        "display_timezones": list(event.display_timezones or []),
        "venue": phrase(event.venue) if event.venue else None,
        "livestream_url": event.livestream_url,
        "recording_url": event.recording_url,
        "contact": ({"name": phrase(event.organiser_name) if event.organiser_name else None,
                     "email": event.organiser_email}
                    if event.organiser_name or event.organiser_email else None),
        "social_account": event.social_account,
        "hashtag": event.hashtag,
        "languages": {"floor": event.floor_language,
                      "interpretation": list(event.interpretation_languages or []),
                      "captions": list(event.caption_languages or [])},
        "registration": {
            "state": registration_state(event, now).value,
            "url": _with_language("registrations.register", language, slug=event.slug),
            "opens_at": utc(event.registration_opens_at),
            "closes_at": utc(closes_at(event)),
            "waitlist": event.waitlist_enabled,
            "who": event.registration_rule.value,
            "un_premises": event.un_premises.value,
        },
        "image": ({"url": public_url("events.image", slug=event.slug, name=event.image_path),
                   "credit": event.image_credit and phrase(event.image_credit),
                   "alt": event.image_alt and phrase(event.image_alt)} if event.image_path else None),
        "partners": [{"name": phrase(p.name), "kind": p.kind.value, "role": p.role.value}
                     for p in event.partners],
        "programme": [{"name": p.name, "affiliation": p.affiliation and phrase(p.affiliation),
                       "role": p.role.value, "segment": p.segment and phrase(p.segment)}
                      for p in event.people],
        "documents": [{"title": phrase(d.title), "language": d.language,
                       "url": d.url or public_url("events.document", slug=event.slug,
                                                  document_id=d.public_id)}
                      for d in content.documents_for(event, reader)],
    }


def events_feed(events: list[Event], language: str | None, languages: list[str],
                now: datetime | None = None) -> dict[str, Any]:
    """The list at /api/v1/events: its events, and the list's own address in each language."""
    return {
        "language": language,
        "translations": [{"language": code, "api_url": public_url("feeds.events", lang=code)}
                         for code in languages],
        "calendar_url": _with_language("feeds.calendar", language),
        "events": [event_entry(event, language, now) for event in events],
    }


def strong_etag(body: bytes) -> str:
    """A strong validator made from the bytes themselves: the same answer, the same tag."""
    return hashlib.sha256(body).hexdigest()[:32]
