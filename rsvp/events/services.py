"""Reading events for the public: listings, lookup, the programme, Markdown, the .ics file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import markdown
import nh3
import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from rsvp.events.models import (
    READ_AHEAD,
    Event,
    EventPerson,
    EventStatus,
    ProgrammeRole,
    Question,
)
from rsvp.extensions import db
from rsvp.timeutil import (
    format_day_and_span,
    format_span,
    is_zone,
    now_utc,
    time_lines,
    zone_abbreviation,
)

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


#: The event at a slug: built once, as every public page asks for it.
_BY_SLUG = sa.select(Event).where(Event.slug == sa.bindparam("slug"))


def public_event(slug: str) -> Event:
    """The event at /events/<slug>, published or cancelled.

    :raises EventNotFound: no such slug, or the event is a draft.
    """
    event = db.session.scalar(_BY_SLUG, {"slug": slug})
    if event is None or event.status is EventStatus.DRAFT:
        raise EventNotFound(slug)
    return event


#: The event at a slug with its questions in the form's order (rsvp.events.questions), built once.
_WITH_QUESTIONS = (sa.select(Event, Question)
                   .outerjoin(Question, Question.event_id == Event.id)
                   .where(Event.slug == sa.bindparam("slug"))
                   .order_by(Question.position, Question.id)
                   .options(sa.orm.Load(Event).undefer_group(READ_AHEAD)))


def public_event_and_questions(slug: str) -> tuple[Event, list[Question]]:
    """public_event() and the event's questions (questions_for()) in one statement: the
    registration form asks for both on every request.

    :raises EventNotFound: no such slug, or the event is a draft.
    """
    rows = db.session.execute(_WITH_QUESTIONS, {"slug": slug}).all()
    if not rows or rows[0][0].status is EventStatus.DRAFT:
        raise EventNotFound(slug)
    return rows[0][0], [question for _event, question in rows if question is not None]


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


def own_time(event: Event, zone_name: str | None) -> str | None:
    """The event's day and times in a reader's own zone, named once: "…, 1:27 – 1:57 PM UTC", or
    "…, 8:00 – 9:30 AM GMT-3 (America Sao Paulo)"; None when the zone is unknown or its times are
    printed already (the event's own zone or one of its display zones)."""
    if not zone_name or not is_zone(zone_name):
        return None
    lines = time_lines(event.starts_at, event.ends_at, event.timezone, event.display_timezones)
    if format_span(event.starts_at, event.ends_at, zone_name, event.timezone) in lines:
        return None
    when = format_day_and_span(event.starts_at, event.ends_at, zone_name)
    name = zone_name.replace("_", " ")
    if name.rsplit("/", 1)[-1] == zone_abbreviation(event.starts_at, zone_name):
        return when  # "UTC", "Etc/UTC": the abbreviation is the zone's name
    return f"{when} ({name})"
