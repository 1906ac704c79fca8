"""What organisers do to an event itself: create it, change its details, clone it.

Publishing, postponing and cancelling it are in rsvp.editor.lifecycle; its
ordered lists (programme, partners, questions, documents) and its image in
rsvp.editor.lists. Functions here flush, never commit, and raise EditorError
subclasses the views turn into messages; each saved change writes one audit
entry, without anyone's personal data.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass, fields
from datetime import datetime
from html.parser import HTMLParser

import markdown
import sqlalchemy as sa
from flask_babel import LazyString

from rsvp.auth import roles
from rsvp.auth.models import Organiser, Role
from rsvp.events import services, uploads
from rsvp.events.models import (
    AttendanceMode,
    Event,
    EventDocument,
    EventFormat,
    EventPartner,
    EventPerson,
    EventStatus,
    EventTranslation,
    EventType,
    Question,
    RegistrationRule,
    UnPremises,
)
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import messaging, notify
from rsvp.registrations.decisions import set_capacity
from rsvp.registrations.messaging import Draft
from rsvp.registrations.models import JobKind
from rsvp.registrations.services import CapacityBelowTaken
from rsvp.timeutil import is_zone

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX = 80


class EditorError(Exception):
    """A change to an event that cannot be made; the caller rolls back."""


class SlugTaken(EditorError):
    """Another event has this address."""


class SlugLocked(EditorError):
    """The event is public: its address changes only when the organiser insists."""


class BadSlug(EditorError):
    """Not lower-case letters, digits and single hyphens."""


class EndsBeforeStart(EditorError):
    """The end is not after the start."""


class WindowOrder(EditorError):
    """Registration would close before it opens."""


class UnknownZone(EditorError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class TranslatedAlready(EditorError):
    """The main language would become one the event is translated into: remove that translation first."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.language = language


class CapacityTooLow(EditorError):
    """Fewer seats than people already hold in this attendance mode."""

    def __init__(self, mode: AttendanceMode, taken: int) -> None:
        super().__init__(f"{mode.value}: {taken}")
        self.mode = mode
        self.taken = taken


@dataclass
class EventDetails:
    """Every field the details form sets, times already in UTC."""

    title: str
    slug: str
    event_type: EventType
    session: str | None
    summary: str
    description: str
    format: EventFormat
    starts_at: datetime
    ends_at: datetime
    timezone: str
    display_timezones: list[str]
    venue: str | None
    livestream_url: str | None
    join_url: str | None
    floor_language: str
    interpretation_languages: list[str]
    caption_languages: list[str]
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    capacity_in_person: int | None
    capacity_online: int | None
    waitlist_enabled: bool
    approval_required: bool
    double_opt_in: bool
    grounds_pass_required: bool
    reminder_offsets: list[int]
    retention_days: int
    privacy_notice: str = ""
    discreet_emails: bool = False
    #: The language the title, summary, description and questions are written in.
    content_language: str = "en"
    registration_rule: RegistrationRule = RegistrationRule.EVERYONE
    un_premises: UnPremises = UnPremises.GENEVA
    duty_station: str | None = None
    recording_url: str | None = None
    organiser_name: str | None = None
    organiser_email: str | None = None
    social_account: str | None = None
    hashtag: str | None = None


#: Set through their own services, with their consequences (emails, promotions).
_LOGISTICS = ("starts_at", "ends_at", "venue", "join_url")
_CAPACITIES = {AttendanceMode.IN_PERSON: "capacity_in_person", AttendanceMode.ONLINE: "capacity_online"}
_PLAIN = tuple(f.name for f in fields(EventDetails)
               if f.name not in {*_LOGISTICS, *_CAPACITIES.values(), "slug"})
#: Lists whose order means nothing: the form gives them in its own order, which is no change.
_UNORDERED = ("interpretation_languages", "caption_languages")


def update_logistics(event: Event, *, starts_at: datetime, ends_at: datetime,
                     venue: str | None, join_url: str | None, actor: str = "system") -> list[LazyString]:
    """Change when, where or how to join; registrants are told, calendars updated.

    The notices are a message job the worker writes a batch at a time (an event may have
    100,000 registrants): the request stores what changed, nothing per person.

    :returns: the changes, as told to registrants (empty when nothing changed); each is
        written when shown, in the language of its reader (each registrant's email).
    """
    facts = notify.change_facts(event, starts_at=starts_at, venue=venue, join_url=join_url)
    if ends_at != event.ends_at and "starts_at" not in facts:
        facts["starts_at"] = starts_at.isoformat()  # a new end is a new time too
    if not facts:
        return []
    event.starts_at, event.ends_at, event.venue, event.join_url = starts_at, ends_at, venue, join_url
    event.sequence += 1
    db.session.flush()
    if event.status is EventStatus.PUBLISHED:
        messaging.send(event, messaging.EVERYONE_ACTIVE,
                       Draft("", "", f"{JobKind.CHANGED.value}:{event.public_id}:{event.sequence}"),
                       actor, kind=JobKind.CHANGED, extra=facts)
    return notify.change_lines(event, facts)


def slugify(text: str) -> str:
    """"HRC47 Side Event - Rights at Risk" -> "hrc47-side-event-rights-at-risk"; a title too long
    for an address is cut after its last whole word that fits (a single word longer than that is
    cut where it must be)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_MAX:
        cut = slug[:SLUG_MAX + 1]
        slug = cut[:cut.rindex("-")] if "-" in cut else slug[:SLUG_MAX]
    return slug.rstrip("-") or "event"


def _slug_in_use(slug: str, other_than: Event | None = None) -> bool:
    query = sa.select(Event.id).where(Event.slug == slug)
    if other_than is not None and other_than.id is not None:
        query = query.where(Event.id != other_than.id)
    return db.session.scalar(query) is not None


def free_slug(base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever no event uses yet."""
    candidate, n = base, 1
    while _slug_in_use(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[:SLUG_MAX - len(suffix)].rstrip("-") + suffix
    return candidate


def _check(details: EventDetails, event: Event | None = None) -> None:
    if not SLUG_PATTERN.fullmatch(details.slug) or len(details.slug) > SLUG_MAX:
        raise BadSlug(details.slug)
    for name in [details.timezone, *details.display_timezones]:
        if not is_zone(name):
            raise UnknownZone(name)
    if details.ends_at <= details.starts_at:
        raise EndsBeforeStart()
    opens, closes = details.registration_opens_at, details.registration_closes_at
    if opens and closes and closes <= opens:
        raise WindowOrder()
    if _slug_in_use(details.slug, event):
        raise SlugTaken(details.slug)
    if event is not None and any(t.language == details.content_language for t in event.translations):
        raise TranslatedAlready(details.content_language)


def create_event(details: EventDetails, owner: Organiser) -> Event:
    """A new draft; ``owner`` becomes its owner.

    :raises EditorError: a bad or taken slug, an unknown zone, the end before the start,
        registration closing before it opens.
    """
    _check(details)
    event = Event(status=EventStatus.DRAFT, **{f.name: getattr(details, f.name) for f in fields(details)})
    db.session.add(event)
    db.session.flush()
    roles.grant(event, owner.email, Role.OWNER)
    audit.record(event, owner.email, AuditAction.CHANGED_EVENT, "created the event (draft)")
    return event


def update_event(event: Event, details: EventDetails, actor: str, move_slug: bool = False) -> list[str]:
    """Save the details form. Time, venue and join link go through update_logistics
    (registrants of a published event are emailed); capacities through decisions.set_capacity
    (raised seats go to the waiting list).

    :returns: the names of the fields that changed.
    :raises SlugLocked: a public event's address changes without ``move_slug``.
    :raises CapacityTooLow: fewer seats than people confirmed in that mode.
    :raises TranslatedAlready: the main language would be one the event is translated into.
    :raises EditorError: as create_event.
    """
    _check(details, event)
    for name in _UNORDERED:  # the same languages in the form's order are the event's own
        if sorted(getattr(details, name)) == sorted(getattr(event, name)):
            setattr(details, name, list(getattr(event, name)))
    changed = [name for name in _PLAIN if getattr(event, name) != getattr(details, name)]
    if details.slug != event.slug:
        if event.status is not EventStatus.DRAFT and not move_slug:
            raise SlugLocked(event.slug)
        changed.append("slug")
        event.slug = details.slug
    for name in changed:
        setattr(event, name, getattr(details, name))
    for mode, name in _CAPACITIES.items():
        capacity = getattr(details, name)
        if capacity != getattr(event, name):
            try:
                set_capacity(event, mode, capacity)
            except CapacityBelowTaken as error:
                raise CapacityTooLow(mode, event.taken_for(mode)) from error
            changed.append(name)
    before = {name: getattr(event, name) for name in _LOGISTICS}
    update_logistics(event, starts_at=details.starts_at, ends_at=details.ends_at,
                     venue=details.venue, join_url=details.join_url, actor=actor)
    changed += [name for name in _LOGISTICS if getattr(event, name) != before[name]]
    db.session.flush()
    if changed:
        audit.record(event, actor, AuditAction.CHANGED_EVENT, "changed " + ", ".join(changed))
    return changed


class _Tags(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.seen: Counter[tuple[str, ...]] = Counter()
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen[(tag, *sorted(name for name, _ in attrs if name != "rel"))] += 1


def hidden_html(description: str) -> bool:
    """Whether the sanitiser removes part of ``description`` (a script, a style, an image, a
    javascript: link) where it is shown: the organiser is told, the text is kept as typed."""
    raw = markdown.markdown(description or "", extensions=["sane_lists"])
    return _Tags(raw).seen != _Tags(str(services.render_markdown(description))).seen


#: Columns a clone copies; the rest (ids, address, status, seats taken, SEQUENCE, image, the old
#: event's recording) starts afresh.
_CLONED = (*(f.name for f in fields(EventDetails) if f.name not in ("slug", "recording_url")),
           "image_credit", "image_alt")


def _copied(file_name: str | None) -> str | None:
    if not file_name:
        return None
    try:
        return uploads.duplicate(file_name)
    except FileNotFoundError:
        return None


def clone(event: Event, organiser: Organiser) -> Event:
    """A new draft like ``event``: details, translations, programme, partners, questions and documents
    (uploaded files copied, so each event owns its own), no registrations. ``organiser`` owns it."""
    copy = Event(status=EventStatus.DRAFT, slug=free_slug(f"{event.slug[:SLUG_MAX - 7]}-copy"),
                 **{name: getattr(event, name) for name in _CLONED})
    copy.image_path = _copied(event.image_path)
    copy.people = [EventPerson(name=p.name, affiliation=p.affiliation, role=p.role, segment=p.segment,
                               position=p.position) for p in event.people]
    copy.partners = [EventPartner(name=p.name, kind=p.kind, role=p.role, position=p.position)
                     for p in event.partners]
    copy.translations = [EventTranslation(language=t.language, title=t.title, summary=t.summary,
                                          description=t.description, phrases=dict(t.phrases or {}))
                         for t in event.translations]
    for document in event.documents:
        file_name = _copied(document.file_name)
        if document.url or file_name:  # a file lost from the folder is not copied
            copy.documents.append(EventDocument(
                title=document.title, language=document.language, url=document.url,
                file_name=file_name, media_type=document.media_type, size_bytes=document.size_bytes,
                position=document.position))
    db.session.add(copy)
    db.session.flush()
    for question in db.session.scalars(sa.select(Question).where(Question.event_id == event.id)):
        db.session.add(Question(event_id=copy.id, position=question.position, kind=question.kind,
                                label=question.label, help_text=question.help_text,
                                required=question.required, options=list(question.options),
                                personal_data=question.personal_data,
                                translations=deepcopy(question.translations)))
    roles.grant(copy, organiser.email, Role.OWNER)
    audit.record(copy, organiser.email, AuditAction.CHANGED_EVENT, f"created as a copy of {event.slug}")
    db.session.flush()
    return copy
