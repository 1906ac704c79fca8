"""Reading events for the public: listings, lookup, the programme, Markdown, the .ics file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import markdown
import nh3
import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from rsvp.events.models import Event, EventPerson, EventStatus, ProgrammeRole
from rsvp.extensions import db
from rsvp.registrations import notify
from rsvp.timeutil import format_moment, now_utc

_ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "h2",
                 "h3", "h4", "code", "pre", "hr"}


class EventNotFound(Exception):
    """No public event has this slug (or it is a draft)."""


def render_markdown(text: str) -> Markup:
    """Markdown to HTML, sanitised: no script, no style, no images (no third-party requests)."""
    html = markdown.markdown(text or "", extensions=["sane_lists"])
    clean = nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def upcoming_events(now: datetime | None = None) -> list[Event]:
    """Published and cancelled events that have not ended, soonest first."""
    now = now or now_utc()
    return list(db.session.scalars(
        sa.select(Event)
        .where(Event.status != EventStatus.DRAFT, Event.ends_at >= now)
        .order_by(Event.starts_at)
        .options(selectinload(Event.translations))  # the cards' words: one query for all events
    ))


def past_events(page: int, per_page: int, now: datetime | None = None):
    now = now or now_utc()
    query = (sa.select(Event)
             .where(Event.status == EventStatus.PUBLISHED, Event.ends_at < now)
             .order_by(Event.starts_at.desc())
             .options(selectinload(Event.translations)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def public_event(slug: str) -> Event:
    """The event at /events/<slug>, published or cancelled.

    :raises EventNotFound: no such slug, or the event is a draft.
    """
    event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    if event is None or event.status is EventStatus.DRAFT:
        raise EventNotFound(slug)
    return event


@dataclass(frozen=True)
class ProgrammeSection:
    heading: str | None
    role: ProgrammeRole
    people: list[EventPerson]


def programme(event: Event) -> list[ProgrammeSection]:
    """People grouped under their printed segment, or by role where no segment was given.

    Sections keep the order in which the organiser listed people.
    """
    sections: list[ProgrammeSection] = []
    for person in event.people:
        key_heading = person.segment
        last = sections[-1] if sections else None
        if last and last.heading == key_heading and (key_heading or last.role is person.role):
            last.people.append(person)
        else:
            sections.append(ProgrammeSection(key_heading, person.role, [person]))
    return sections


def event_is_over(event: Event, now: datetime | None = None) -> bool:
    return event.ends_at < (now or now_utc())


def update_logistics(event: Event, *, starts_at: datetime, ends_at: datetime,
                     venue: str | None, join_url: str | None) -> list[LazyString]:
    """Change when, where or how to join; registrants are told, calendars updated.

    :returns: the changes, as told to registrants (empty when nothing changed); each is
        written when shown, in the language of its reader (each registrant's email).
    """
    changes: list[LazyString] = []
    if (starts_at, ends_at) != (event.starts_at, event.ends_at):
        changes.append(LazyString(lambda: _("New time: %(when)s",
                                            when=format_moment(starts_at, event.timezone))))
    if (venue or None) != (event.venue or None):
        changes.append(LazyString(lambda: _("New venue: %(venue)s", venue=venue or _("online only"))))
    if (join_url or None) != (event.join_url or None):
        changes.append(LazyString(lambda: _("New link to join online (below).")))
    if not changes:
        return []
    event.starts_at, event.ends_at, event.venue, event.join_url = starts_at, ends_at, venue, join_url
    event.sequence += 1
    db.session.flush()
    if event.status is EventStatus.PUBLISHED:
        notify.event_changed(event, changes)
    return changes


def cancel_event(event: Event) -> int:
    """Cancel a published event and tell every active registrant; returns how many were told."""
    if event.status is EventStatus.CANCELLED:
        return 0
    was_published = event.status is EventStatus.PUBLISHED
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    db.session.flush()
    return notify.event_cancelled(event) if was_published else 0
