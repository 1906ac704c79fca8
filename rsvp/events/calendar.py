"""iCalendar files for an event: the public one, and the one attached to attendees' emails.

Neither ever contains the private join link. Updates keep the UID and raise
SEQUENCE; a cancellation is METHOD:CANCEL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from rsvp.events.content import event_text, phrase
from rsvp.events.models import Event, EventStatus
from rsvp.timeutil import now_utc


def calendar_uid(event: Event, domain: str) -> str:
    return f"event-{event.public_id}@{domain}"


def event_ics(event: Event, event_url: str, domain: str, cancel: bool = False,
              language: str | None = None, discreet_title: str | None = None) -> bytes:
    """The calendar file; its title and description in ``language`` where the event is translated
    into it, else in the event's main language (each marked with its LANGUAGE)."""
    cancelled = cancel or event.status is EventStatus.CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(calendar_entry(event, event_url, domain, cancelled, language, now_utc(),
                                          discreet_title))
    return calendar.to_ical()


def feed_ics(events: Iterable[tuple[Event, str]], domain: str, language: str | None = None) -> bytes:
    """One calendar of several events (each with its page's address), as subscribed calendars read it.

    The same UID and SEQUENCE as each event's own file, so a calendar that has both keeps one entry;
    a cancelled event stays in as STATUS:CANCELLED. DTSTAMP is the event's last change, not the
    time of the request, so the same events give the same bytes (and the same ETag).
    """
    calendar = _calendar("PUBLISH")
    for event, event_url in events:
        calendar.add_component(calendar_entry(event, event_url, domain,
                                              event.status is EventStatus.CANCELLED,
                                              language, event.updated_at))
    return calendar.to_ical()


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//RSVP//rsvp//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def calendar_entry(event: Event, event_url: str, domain: str, cancelled: bool,
                   language: str | None, stamp: datetime,
                   discreet_title: str | None = None) -> CalendarEvent:
    """The event's VEVENT: never its join link. With ``discreet_title``, that title and the link
    alone: nothing says what the event is about or where it is (Event.discreet_emails)."""
    text = event_text(event, language or event.content_language)
    entry = CalendarEvent()
    entry.add("uid", calendar_uid(event, domain))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    if discreet_title:
        entry.add("summary", discreet_title)
        entry.add("description", event_url)
    else:
        entry.add("summary", text.title.text, parameters={"LANGUAGE": text.title.language})
        entry.add("description", "\n\n".join(part for part in [
            text.summary.text, *_public_links(event), event_url] if part.strip()),
                  parameters={"LANGUAGE": text.summary.language})
    entry.add("url", event_url)
    if not discreet_title:
        entry.add("location", phrase(event, event.venue, text.language).text if event.venue else "Online")
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return entry


def _public_links(event: Event) -> list[str]:
    """The livestream, the recording and the contact: public, so in every calendar file (never
    the join link). Plain addresses: calendars show them as links."""
    contact = ", ".join(part for part in (event.organiser_name, event.organiser_email) if part)
    return [part for part in (event.livestream_url, event.recording_url, contact) if part]


_attachments: dict[tuple[object, ...], dict[str, str]] = {}


def ics_attachment(event: Event, event_url: str, domain: str, cancel: bool = False,
                   language: str | None = None, discreet_title: str | None = None) -> dict[str, str]:
    """The outbox's attachment record for the event's calendar file, in the registrant's language.

    The same for every registrant of an event version who reads that language, so built once per
    version (id, SEQUENCE, last change, the words in that language) in this process, not once
    per email.
    """
    text = event_text(event, language or event.content_language)
    key = (event.id, event.sequence, event.updated_at, event.status, event_url, domain, cancel,
           text.title, text.summary, discreet_title)
    if key not in _attachments:
        if len(_attachments) > 256:
            _attachments.clear()
        _attachments[key] = {
            "filename": "invite.ics" if not cancel else "cancelled.ics",
            "content_type": "text/calendar; charset=utf-8; method="
            + ("CANCEL" if cancel else "PUBLISH"),
            "data": event_ics(event, event_url, domain, cancel, language,
                              discreet_title).decode("utf-8")}
    return dict(_attachments[key])
