"""The event an organiser runs: what, when, where, in which languages, with whom."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsvp.db import Base, UTCDateTime, enum_column, new_public_id
from rsvp.personal import not_personal
from rsvp.timeutil import now_utc


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class EventFormat(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"


class EventType(enum.StrEnum):
    SIDE_EVENT = "side_event"
    REPORT_LAUNCH = "report_launch"
    PANEL_DISCUSSION = "panel_discussion"
    DIALOGUE = "dialogue"
    PLEDGING_EVENT = "pledging_event"
    HIGH_LEVEL_EVENT = "high_level_event"
    WEBINAR = "webinar"


class AttendanceMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class RegistrationRule(enum.StrEnum):
    """Who must register: everyone; only those without a UN grounds pass (pass holders walk in);
    nobody (a watch-only event: its public livestream, no form)."""

    EVERYONE = "everyone"
    WITHOUT_PASS = "without_pass"  # noqa: S105 (a rule's name, not a password)
    NOBODY = "nobody"


class UnPremises(enum.StrEnum):
    """The UN site whose grounds pass the event's in-person participants need; NONE: no pass."""

    GENEVA = "geneva"
    NEW_YORK = "new_york"
    OTHER = "other"
    NONE = "none"


class PartnerKind(enum.StrEnum):
    STATE = "state"
    NGO = "ngo"
    UN = "un"
    NHRI = "nhri"
    OTHER = "other"


class PartnerRole(enum.StrEnum):
    HOST = "host"
    CO_ORGANISER = "co_organiser"
    CO_SPONSOR = "co_sponsor"


class ProgrammeRole(enum.StrEnum):
    MODERATOR = "moderator"
    WELCOME_REMARKS = "welcome_remarks"
    OPENING_REMARKS = "opening_remarks"
    PRESENTER = "presenter"
    PANELIST = "panelist"
    SPEAKER = "speaker"
    CLOSING_REMARKS = "closing_remarks"


#: The deferred group of columns that features above attach to Event (column_property), read
#: with the registration form's event (rsvp.events.services.public_event_and_questions) rather
#: than by a statement of their own: rsvp.webhooks.events, whether any endpoint hears of it.
READ_AHEAD = "read_ahead"


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="window_order",
        ),
        sa.CheckConstraint("capacity_in_person IS NULL OR capacity_in_person >= 0",
                           name="capacity_in_person_positive"),
        sa.CheckConstraint("capacity_online IS NULL OR capacity_online >= 0",
                           name="capacity_online_positive"),
        sa.CheckConstraint("taken_in_person >= 0", name="taken_in_person_positive"),
        sa.CheckConstraint("taken_online >= 0", name="taken_online_positive"),
        sa.Index("ix_events_status_starts_at", "status", "starts_at"),
        {"info": not_personal("an event's published content, written by its organisers")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random identifier for places an id reaches a URL or email.
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id)
    #: The stable part of the public URL (/events/<slug>).
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    event_type: Mapped[EventType] = mapped_column(
        enum_column(EventType, "event_type"), default=EventType.SIDE_EVENT)
    #: Human Rights Council session the event accompanies, e.g. "HRC47".
    session: Mapped[str | None] = mapped_column(sa.String(40))
    #: One or two plain sentences for listings.
    summary: Mapped[str] = mapped_column(sa.String(600), default="")
    #: Markdown; rendered through the sanitiser, never trusted as HTML.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The main language of the organisers' own words: title, summary, description, questions.
    #: One of the interface languages (LANGUAGES); other languages come from EventTranslation,
    #: and where a reader's language has none the text is shown in this one (rsvp.events.content).
    #: Not the floor language: the seeds are written in English whatever is spoken in the room.
    content_language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    format: Mapped[EventFormat] = mapped_column(enum_column(EventFormat, "format"))
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus, "status"), default=EventStatus.DRAFT)

    #: Start and end, UTC.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The event's own IANA zone: forms take and pages print times in it.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Zurich")
    #: Further IANA zones printed beside the event's own ("10:00 ET / 16:00 CEST").
    display_timezones: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    #: Room and building for in-person and hybrid events.
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    #: Public livestream (UN Web TV, YouTube): shown to everyone.
    livestream_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: Private meeting link: only for confirmed registrants, never on a public page or .ics.
    join_url: Mapped[str | None] = mapped_column(sa.String(500))

    #: ISO 639-1 code of the floor language.
    floor_language: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: Codes of simultaneous interpretation offered.
    interpretation_languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Codes of closed captions offered.
    caption_languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    #: The uploaded image's file name in the upload folder (rsvp.events.uploads), outside the web root.
    image_path: Mapped[str | None] = mapped_column(sa.String(300))
    #: As printed under the image, e.g. "Photo: Flickr/Ivan Radic".
    image_credit: Mapped[str | None] = mapped_column(sa.String(300))
    #: What the image shows, for those who cannot see it; empty: the image is decoration.
    image_alt: Mapped[str | None] = mapped_column(sa.String(300))
    #: The on-demand recording once the event is over (UN Web TV, YouTube): public.
    recording_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: Whom to ask about the event ("RSVP to …", "Have a question?"): published, as the organisers
    #: choose to publish it (an office's address, not an attendee's).
    organiser_name: Mapped[str | None] = mapped_column(sa.String(200))
    organiser_email: Mapped[str | None] = mapped_column(sa.String(254))
    #: The organisers' social media account and the event's hashtag, as printed ("@ISHRglobal").
    social_account: Mapped[str | None] = mapped_column(sa.String(100))
    hashtag: Mapped[str | None] = mapped_column(sa.String(100))

    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The RSVP deadline; defaults to the event's start when empty.
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Seats per attendance mode; NULL means unlimited.
    capacity_in_person: Mapped[int | None] = mapped_column(sa.Integer)
    capacity_online: Mapped[int | None] = mapped_column(sa.Integer)
    #: Seats taken, moved only by conditional updates (see registrations.services).
    taken_in_person: Mapped[int] = mapped_column(sa.Integer, default=0)
    taken_online: Mapped[int] = mapped_column(sa.Integer, default=0)
    waitlist_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    approval_required: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    double_opt_in: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    grounds_pass_required: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Who must register (RegistrationRule); a watch-only event has no form at all.
    registration_rule: Mapped[RegistrationRule] = mapped_column(
        enum_column(RegistrationRule, "registration_rule"), default=RegistrationRule.EVERYONE,
        server_default=RegistrationRule.EVERYONE.value)
    #: Whose grounds pass an in-person participant needs: the pass questions name this site.
    un_premises: Mapped[UnPremises] = mapped_column(
        enum_column(UnPremises, "un_premises"), default=UnPremises.GENEVA,
        server_default=UnPremises.GENEVA.value)
    #: The duty station's name when un_premises is OTHER, e.g. "UN Office at Nairobi".
    duty_station: Mapped[str | None] = mapped_column(sa.String(200))
    #: Emails to everyone never say what the event is about (subjects, calendar entries): someone
    #: else may read an attendee's inbox or phone. Each registrant may ask for it too.
    discreet_emails: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                                  server_default=sa.false())
    #: Minutes before the start at which reminders go out.
    reminder_offsets: Mapped[list[int]] = mapped_column(sa.JSON, default=lambda: [1440, 60])
    #: Days after the end before attendees' personal data is erased.
    retention_days: Mapped[int] = mapped_column(sa.Integer, default=30)
    #: The organisers' own privacy notice, shown above the consent box; empty = the default one.
    privacy_notice: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    #: iCalendar SEQUENCE: bumped whenever time, place or link change, so calendars update.
    sequence: Mapped[int] = mapped_column(sa.Integer, default=0)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    partners: Mapped[list[EventPartner]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventPartner.position")
    people: Mapped[list[EventPerson]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventPerson.position")
    documents: Mapped[list[EventDocument]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventDocument.position")
    #: The organisers' words in other languages, one row each; loaded once per session and event.
    translations: Mapped[list[EventTranslation]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventTranslation.language")

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"

    @property
    def attendance_modes(self) -> list[AttendanceMode]:
        if self.format is EventFormat.HYBRID:
            return [AttendanceMode.IN_PERSON, AttendanceMode.ONLINE]
        if self.format is EventFormat.IN_PERSON:
            return [AttendanceMode.IN_PERSON]
        return [AttendanceMode.ONLINE]

    def capacity_for(self, mode: AttendanceMode) -> int | None:
        return self.capacity_in_person if mode is AttendanceMode.IN_PERSON else self.capacity_online

    def taken_for(self, mode: AttendanceMode) -> int:
        return self.taken_in_person if mode is AttendanceMode.IN_PERSON else self.taken_online

    def seats_left(self, mode: AttendanceMode) -> int | None:
        capacity = self.capacity_for(mode)
        return None if capacity is None else max(capacity - self.taken_for(mode), 0)


class EventPartner(Base):
    """A State or organisation that hosts, co-organises or co-sponsors an event."""

    __tablename__ = "event_partners"
    __table_args__ = ({"info": not_personal("published on the event's page")},)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind, "partner_kind"))
    role: Mapped[PartnerRole] = mapped_column(enum_column(PartnerRole, "partner_role"))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="partners")


class EventPerson(Base):
    """Someone on the programme: moderator, speaker, panellist."""

    __tablename__ = "event_people"
    __table_args__ = ({"info": not_personal("the programme, published on the event's page")},)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    affiliation: Mapped[str | None] = mapped_column(sa.String(400))
    role: Mapped[ProgrammeRole] = mapped_column(enum_column(ProgrammeRole, "programme_role"))
    #: The programme heading as printed ("Panel segment I"); NULL groups by role.
    segment: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="people")


class EventDocument(Base):
    """A flyer, concept note or report, one row per language version: a link or an uploaded file."""

    __tablename__ = "event_documents"
    __table_args__ = (
        sa.CheckConstraint("(url IS NULL) <> (file_name IS NULL)", name="link_or_file"),
        {"info": not_personal("published on the event's page")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The document's part of its public URL (/events/<slug>/documents/<public_id>).
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    #: ISO 639-1 code of the document's language.
    language: Mapped[str] = mapped_column(sa.String(8))
    #: A document published elsewhere; NULL for an uploaded file.
    url: Mapped[str | None] = mapped_column(sa.String(500))
    #: An uploaded file's name in the upload folder (rsvp.events.uploads); NULL for a link.
    file_name: Mapped[str | None] = mapped_column(sa.String(64))
    #: The uploaded file's type, as found from its content ("application/pdf").
    media_type: Mapped[str | None] = mapped_column(sa.String(100))
    size_bytes: Mapped[int | None] = mapped_column(sa.Integer)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="documents")


class EventTranslation(Base):
    """The event's title, summary and description in one language other than its main one.

    The questions' translations live on each question (Question.translations).
    """

    __tablename__ = "event_translations"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "language"),
        {"info": not_personal("an event's published content, written by its organisers")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: An interface language (LANGUAGES), never the event's content_language.
    language: Mapped[str] = mapped_column(sa.String(8))
    title: Mapped[str] = mapped_column(sa.String(300))
    #: Empty: the listings show the main language's summary.
    summary: Mapped[str] = mapped_column(sa.String(600), default="")
    #: Markdown like Event.description; empty: the main language's description is shown.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The event's shorter texts in this language, by their main-language wording: programme
    #: headings, affiliations, partners, venue, document titles, the organiser contact's name,
    #: the image's description and credit ({"Panel segment I": "Segment I"}). Keyed by the text,
    #: not a row: a text the organisers rewrite falls back until it is translated again.
    phrases: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    event: Mapped[Event] = relationship(back_populates="translations")


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    COUNTRY = "country"
    DATE = "date"


class Question(Base):
    """A question an organiser adds to an event's registration form."""

    __tablename__ = "registration_questions"
    __table_args__ = (
        sa.Index("ix_registration_questions_event_position", "event_id", "position"),
        {"info": not_personal("the form's questions; the answers are on the registration")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: Order on the form, the manage page and in exports.
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(sa.String(300))
    help_text: Mapped[str] = mapped_column(sa.String(600), default="")
    required: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: The choices of single and multiple choice questions, in order.
    options: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: Answers are personal data: erased with the rest, left out of anonymous counts.
    personal_data: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: The wording in other languages (see rsvp.events.content), by language code:
    #: {"es": {"label": str, "help_text": str, "options": {"<main-language option>": str}}}.
    #: Answers always store the main-language option, so counts and exports never split by language.
    translations: Mapped[dict[str, dict[str, Any]]] = mapped_column(
        sa.JSON, default=dict, server_default="{}")

    event: Mapped[Event] = relationship()

    @property
    def key(self) -> str:
        """The answers dictionary's key and the form field's name suffix."""
        return str(self.id)
