"""iCalendar files for an event: the public one, and the one attached to attendees' emails.

Neither ever contains the private join link. Updates keep the UID and raise
SEQUENCE; a cancellation is METHOD:CANCEL.
"""

from __future__ import annotations

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from rsvp.events.models import Event, EventStatus
from rsvp.timeutil import now_utc


def calendar_uid(event: Event, domain: str) -> str:
    return f"event-{event.public_id}@{domain}"


def event_ics(event: Event, event_url: str, domain: str, cancel: bool = False) -> bytes:
    cancelled = cancel or event.status is EventStatus.CANCELLED
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
    entry.add("summary", event.title)
    entry.add("description", f"{event.summary}\n\n{event_url}".strip())
    entry.add("url", event_url)
    entry.add("location", event.venue or "Online")
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()


_attachments: dict[tuple[object, ...], dict[str, str]] = {}


def ics_attachment(event: Event, event_url: str, domain: str, cancel: bool = False) -> dict[str, str]:
    """The outbox's attachment record for the event's calendar file.

    The same for every registrant of an event version, so built once per
    version (id, SEQUENCE, last change) in this process, not once per email.
    """
    key = (event.id, event.sequence, event.updated_at, event.status, event_url, domain, cancel)
    if key not in _attachments:
        if len(_attachments) > 256:
            _attachments.clear()
        _attachments[key] = {
            "filename": "invite.ics" if not cancel else "cancelled.ics",
            "content_type": "text/calendar; charset=utf-8; method="
            + ("CANCEL" if cancel else "PUBLISH"),
            "data": event_ics(event, event_url, domain, cancel).decode("utf-8")}
    return dict(_attachments[key])
