"""An event's speakers list: its settings and live state, and the people inscribed on it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsvp.db import Base, UTCDateTime, enum_column, new_public_id
from rsvp.events.models import Event
from rsvp.personal import Erase, not_personal, personal
from rsvp.sealing import Sealed, SealedJSON
from rsvp.timeutil import now_utc


class SpeakerCategory(enum.StrEnum):
    """Who takes the floor, in the order Human Rights Council practice gives them."""

    MEMBER_STATE = "member_state"
    OBSERVER_STATE = "observer_state"
    UN_IGO = "un_igo"
    NHRI = "nhri"
    NGO = "ngo"
    OTHER = "other"


#: Categories whose delegation is a State, identified by its country code.
STATE_CATEGORIES = (SpeakerCategory.MEMBER_STATE, SpeakerCategory.OBSERVER_STATE)


class SpeakerState(enum.StrEnum):
    INSCRIBED = "inscribed"
    CONFIRMED = "confirmed"
    SPEAKING = "speaking"
    DELIVERED = "delivered"
    ABSENT = "absent"
    WITHDRAWN = "withdrawn"


#: Still to speak. Being moved to the end is not a state but a mark on a waiting speaker
#: (Speaker.moved_to_end_at): they still wait, behind everyone else.
WAITING_STATES = (SpeakerState.INSCRIBED, SpeakerState.CONFIRMED)
#: On the list as shown (everything but withdrawn).
LISTED_STATES = (*WAITING_STATES, SpeakerState.SPEAKING, SpeakerState.DELIVERED, SpeakerState.ABSENT)

# One inscription per delegation and list where the list asks for it; a withdrawn inscription frees it.
_ONE_PER_DELEGATION_SQL = "one_per_delegation AND state <> 'withdrawn'"


class SpeakersList(Base):
    """One floor of an event (an event may have several: one per panel segment): its rules and
    who holds it right now."""

    __tablename__ = "speakers_lists"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "number", name="uq_speakers_lists_event_number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
                           name="window_order"),
        sa.CheckConstraint("floor_minutes > 0", name="floor_minutes_positive"),
        sa.CheckConstraint("individual_seconds > 0", name="individual_seconds_positive"),
        sa.CheckConstraint("group_seconds > 0", name="group_seconds_positive"),
        {"info": not_personal("the list's settings")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The event whose open floor this is.
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: 1, 2, …: the list's place among the event's lists, and its number in addresses (?list=2).
    number: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    #: "Questions after segment I"; empty for an event's only list.
    title: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    #: Off hides the inscription form and the live list.
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: Inscription opens then (UTC); NULL means open as soon as the list is enabled.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Inscription closes then (UTC); NULL means when the event ends.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the floor opens for interventions (UTC); NULL means at the event's start.
    floor_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Floor time available for all interventions.
    floor_minutes: Mapped[int] = mapped_column(sa.Integer, default=30)
    #: Time allowed for an individual intervention.
    individual_seconds: Mapped[int] = mapped_column(sa.Integer, default=60)
    #: Time allowed for an intervention on behalf of a group.
    group_seconds: Mapped[int] = mapped_column(sa.Integer, default=120)
    #: Time allowed for a right of reply (they come after the main list, in their own queue).
    reply_seconds: Mapped[int] = mapped_column(sa.Integer, default=180, server_default="180")
    #: Per-category overrides: {"ngo": {"individual": 90, "group": 150}}; either key optional.
    category_seconds: Mapped[dict[str, dict[str, int]]] = mapped_column(sa.JSON, default=dict)
    #: One inscription per delegation (enforced by a unique index on speakers).
    one_per_delegation: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: The public live list shows speakers' names; otherwise only their delegation.
    public_shows_names: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Who holds the floor; their Speaker.started_at is the timer's only clock.
    current_speaker_id: Mapped[int | None] = mapped_column(
        # use_alter: speakers point back at their list; tables sort (and load) lists first.
        sa.ForeignKey("speakers.id", ondelete="SET NULL", use_alter=True))
    #: Bumped in the same transaction as every change to the list or anyone on it (an UPDATE
    #: ... SET version = version + 1, never read-then-write): the public live list's JSON is
    #: built once per version, not once per viewer (rsvp/speakers/feed.py).
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    event: Mapped[Event] = relationship()
    current_speaker: Mapped[Speaker | None] = relationship(foreign_keys=[current_speaker_id],
                                                           post_update=True)

    def __repr__(self) -> str:
        return f"<SpeakersList event={self.event_id} number={self.number}>"

    def floor_start(self) -> datetime:
        return self.floor_starts_at or self.event.starts_at

    def seconds_for(self, category: SpeakerCategory, on_behalf_of_group: bool) -> int:
        """Time allowed for an intervention of this kind, the category's own rule first."""
        kind = "group" if on_behalf_of_group else "individual"
        override: dict[str, Any] = (self.category_seconds or {}).get(category.value, {})
        default = self.group_seconds if on_behalf_of_group else self.individual_seconds
        return int(override.get(kind, default))


def _stored_name() -> Mapped[str | None]:
    """A file's name in the statements folder: random, never derived from what was uploaded."""
    return mapped_column(sa.String(100), info=personal(
        Erase.NULL, plain="a random file name, derived from nothing the person gave"))


def _file_type(why: str) -> Mapped[str | None]:
    """The MIME type a file's content was checked to be."""
    return mapped_column(sa.String(100), info=personal(Erase.NULL, plain=why))


class Speaker(Base):
    """A delegation's inscription to take the floor, from inscription to delivery."""

    __tablename__ = "speakers"
    __table_args__ = (
        sa.Index("uq_speakers_list_delegation_active", "list_id", "delegation_key", unique=True,
                 sqlite_where=sa.text(_ONE_PER_DELEGATION_SQL),
                 postgresql_where=sa.text(_ONE_PER_DELEGATION_SQL)),
        sa.Index("ix_speakers_event_state", "event_id", "state"),
        sa.CheckConstraint("NOT on_behalf_of_group OR (group_name IS NOT NULL AND group_name <> '')",
                           name="group_has_name"),
        sa.CheckConstraint("seconds_allowed > 0", name="seconds_allowed_positive"),
        sa.CheckConstraint("seconds_used IS NULL OR seconds_used >= 0", name="seconds_used_positive"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random identifier for the speaker's link and the console (never the integer id).
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id,
        info=not_personal("a random identifier"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: The list (the floor) they are inscribed on; one of their event's.
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("speakers_lists.id", ondelete="CASCADE"),
                                         index=True)
    #: The person who will speak.
    name: Mapped[str] = mapped_column(Sealed(200), info=personal(Erase.BLANK))
    #: As the person wrote it: "Permanent Mission of Lithuania", "Amnesty International".
    delegation: Mapped[str] = mapped_column(sa.String(300),
        info=not_personal("the delegation or organisation speaking, published on the list"))
    #: What makes two inscriptions the same delegation: "state:LT", "ngo:amnesty international".
    delegation_key: Mapped[str] = mapped_column(sa.String(520),
        info=not_personal("the delegation, normalised"))
    category: Mapped[SpeakerCategory] = mapped_column(enum_column(SpeakerCategory, "speaker_category"))
    #: ISO 3166-1 alpha-2 code: the State itself, or an NHRI's State.
    country: Mapped[str | None] = mapped_column(sa.String(2),
        info=not_personal("the State a delegation speaks for, published on the list"))
    #: An NHRI accredited with A status (Paris Principles) speaks straight after its own State.
    nhri_a_status: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    on_behalf_of_group: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: A right of reply: after the main list, in its own queue by arrival, with its own time.
    right_of_reply: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    #: An NGO asked for priority (OHCHR practice: for example, speaking from the country concerned):
    #: it speaks before the other NGOs, in order of arrival among those who asked.
    priority_requested: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    #: "the African Group", "the Core Group on civil society space".
    group_name: Mapped[str | None] = mapped_column(sa.String(200),
        info=not_personal("the group spoken for, published on the list"))
    #: A joint statement's signatories, in the order given: {"state": "LT"} (a State, by its
    #: country code, named in each reader's language) or {"organisation": "CIVICUS"}.
    signatories: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list, server_default="[]",
        info=not_personal("the States and organisations signing a joint statement, published with it"))
    #: ISO 639-1 code of the statement's language, so interpreters can prepare.
    language: Mapped[str] = mapped_column(sa.String(8), info=not_personal("the language of the statement"))
    #: They asked to keep their participation confidential (True; sealed: asking says they are at
    #: risk): their name never reaches the public list, nor organisers below manager.
    confidential: Mapped[bool | None] = mapped_column(SealedJSON, default=False, info=personal(
        Erase.KEEP, why="keeps the delegation of someone speaking for themselves off the public list"))
    #: Lower-case; only organisers ever see it.
    email: Mapped[str] = mapped_column(Sealed(254), info=personal(Erase.ADDRESS))
    #: Language the person reads their emails in.
    email_language: Mapped[str] = mapped_column(sa.String(8), default="en",
        info=not_personal("the language of the emails, from those offered"))
    state: Mapped[SpeakerState] = mapped_column(
        enum_column(SpeakerState, "speaker_state"), default=SpeakerState.INSCRIBED)
    #: Copied from the list at inscription: the unique index above applies to this row.
    one_per_delegation: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: From the list's rules at inscription time.
    seconds_allowed: Mapped[int] = mapped_column(sa.Integer)
    #: Measured when the intervention is marked delivered.
    seconds_used: Mapped[int | None] = mapped_column(sa.Integer)
    #: Set by the server when the speaker is given the floor; every screen counts down from it.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the timer was stopped or the intervention marked delivered.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Place in the organiser's own order; NULL follows the default order (see ordering.py).
    position: Mapped[int | None] = mapped_column(sa.Integer)
    #: When the speaker was moved to the end of the list (they wait behind everyone else).
    moved_to_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Server arrival: the order inside a category.
    inscribed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    #: Bumped to revoke every link issued so far.
    token_version: Mapped[int] = mapped_column(sa.Integer, default=1)

    #: The statement for the interpreters, stored outside the web root (see statements.py).
    statement_filename: Mapped[str | None] = mapped_column(Sealed(200), info=personal(Erase.NULL))
    #: File name in the statements folder; random, never derived from what was uploaded.
    statement_stored_as: Mapped[str | None] = _stored_name()
    statement_content_type: Mapped[str | None] = _file_type("a file type (PDF, Word): names no one")
    statement_bytes: Mapped[int | None] = mapped_column(sa.Integer)
    statement_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: A video statement, for a speaker who cannot be in the room (see videos.py): the name it
    #: was sent under, where it is kept, what its content is (MP4, WebM), its size.
    video_filename: Mapped[str | None] = mapped_column(Sealed(200), info=personal(Erase.NULL))
    video_stored_as: Mapped[str | None] = _stored_name()
    video_content_type: Mapped[str | None] = _file_type("a video type (MP4, WebM): names no one")
    video_bytes: Mapped[int | None] = mapped_column(sa.Integer)
    #: When it was sent; kept after an erasure, so the report still says the statement was a video.
    video_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    speakers_list: Mapped[SpeakersList] = relationship(foreign_keys=[list_id])

    def __repr__(self) -> str:
        return f"<Speaker {self.public_id} {self.state}>"

    @property
    def is_waiting(self) -> bool:
        return self.state in WAITING_STATES


@sa.event.listens_for(Speaker, "before_insert")
def _on_the_events_first_list(_mapper: Any, connection: sa.Connection, speaker: Speaker) -> None:
    """A speaker added with no list named goes on their event's first list (the only one an event
    had before events had several)."""
    if speaker.list_id is None and speaker.speakers_list is None:
        speaker.list_id = connection.scalar(
            sa.select(SpeakersList.id).where(SpeakersList.event_id == speaker.event_id)
            .order_by(SpeakersList.number).limit(1))


class RecordKind(enum.StrEnum):
    DRAW = "draw"
    SWAP = "swap"
    SUBSTITUTION = "substitution"


class SpeakersRecord(Base):
    """What changed a list's order or a speaker's name by decision: a lot draw (its seed
    published), a swap between two delegations, a substitution with its authorisation. Kept,
    never rewritten: a draw done again is a new record beside the first."""

    __tablename__ = "speakers_records"
    __table_args__ = (sa.Index("ix_speakers_records_list_at", "list_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("speakers_lists.id", ondelete="CASCADE"))
    kind: Mapped[RecordKind] = mapped_column(enum_column(RecordKind, "speakers_record_kind"))
    #: What is published: a draw's seed, places and speaker ids before and after; a swap's two
    #: speaker ids and places; a substitution's speaker id.
    public: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict,
        info=not_personal("a draw's seed and order, a swap's places: published with the list"))
    #: A substitution's names and its authorisation note (who may be at risk: sealed).
    private: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict, info=personal(Erase.EMPTY))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    def __repr__(self) -> str:
        return f"<SpeakersRecord {self.kind} list={self.list_id}>"
