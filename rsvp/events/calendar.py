"""iCalendar files for an event: the public one, and the one attached to attendees' emails.

Neither ever contains the private join link. Updates keep the UID and raise
SEQUENCE; a cancellation is METHOD:CANCEL.
"""

from __future__ import annotations

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from rsvp.events.content import event_text
from rsvp.events.models import Event, EventStatus
from rsvp.timeutil import now_utc


def calendar_uid(event: Event, domain: str) -> str:
    return f"event-{event.public_id}@{domain}"


def event_ics(event: Event, event_url: str, domain: str, cancel: bool = False,
              language: str | None = None) -> bytes:
    """The calendar file; its title and description in ``language`` where the event is translated
    into it, else in the event's main language (each marked with its LANGUAGE)."""
    cancelled = cancel or event.status is EventStatus.CANCELLED
    text = event_text(event, language or event.content_language)
    calendar = Calendar()
    calendar.add("prodid", "-//RSVP//rsvp//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", calendar_uid(event, domain))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", now_utc())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", text.title.text, parameters={"LANGUAGE": text.title.language})
    entry.add("description", f"{text.summary.text}\n\n{event_url}".strip(),
              parameters={"LANGUAGE": text.summary.language})
    entry.add("url", event_url)
    entry.add("location", event.venue or "Online")
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()


_attachments: dict[tuple[object, ...], dict[str, str]] = {}


def ics_attachment(event: Event, event_url: str, domain: str, cancel: bool = False,
                   language: str | None = None) -> dict[str, str]:
    """The outbox's attachment record for the event's calendar file, in the registrant's language.

    The same for every registrant of an event version who reads that language, so built once per
    version (id, SEQUENCE, last change, the words in that language) in this process, not once
    per email.
    """
    text = event_text(event, language or event.content_language)
    key = (event.id, event.sequence, event.updated_at, event.status, event_url, domain, cancel,
           text.title, text.summary)
    if key not in _attachments:
        if len(_attachments) > 256:
            _attachments.clear()
        _attachments[key] = {
            "filename": "invite.ics" if not cancel else "cancelled.ics",
            "content_type": "text/calendar; charset=utf-8; method="
            + ("CANCEL" if cancel else "PUBLISH"),
            "data": event_ics(event, event_url, domain, cancel, language).decode("utf-8")}
    return dict(_attachments[key])
