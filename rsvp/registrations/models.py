"""A person's registration for an event, and the states it moves through."""

from __future__ import annotations

import enum
import hashlib
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from rsvp.db import Base, UTCDateTime, enum_column, new_public_id
from rsvp.events.models import AttendanceMode, Event
from rsvp.personal import Erase, not_personal, personal
from rsvp.sealing import Sealed, SealedDate, SealedJSON, digest
from rsvp.timeutil import now_utc


class RegistrationStatus(enum.StrEnum):
    PENDING_EMAIL = "pending_email"
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


#: Statuses that hold an event's email: a second registration is refused while one exists.
ACTIVE_STATUSES = (
    RegistrationStatus.PENDING_EMAIL,
    RegistrationStatus.PENDING_APPROVAL,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
)
#: The partial unique index's condition (see services._insert_unless_active).
ACTIVE_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in ACTIVE_STATUSES))


#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L) when read or typed.
DOOR_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def door_code(public_id: str) -> str:
    """Eight characters printed under the check-in QR code, e.g. "K7Q2-M9XA"."""
    digest = hashlib.sha256(public_id.encode()).digest()
    code = "".join(DOOR_CODE_ALPHABET[byte % len(DOOR_CODE_ALPHABET)] for byte in digest[:8])
    return f"{code[:4]}-{code[4:]}"


class OrganisationType(enum.StrEnum):
    STATE = "state"
    NGO = "ngo"
    UN = "un"
    NHRI = "nhri"
    ACADEMIA = "academia"
    MEDIA = "media"
    OTHER = "other"


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per event and email, whatever races the app loses.
        sa.Index(
            "uq_registrations_event_email_active", "event_id", "email_hash", unique=True,
            sqlite_where=sa.text(ACTIVE_SQL), postgresql_where=sa.text(ACTIVE_SQL),
        ),
        sa.Index("ix_registrations_event_status_created", "event_id", "status", "created_at"),
        sa.Index("ix_registrations_event_door_code", "event_id", "door_code"),
        # Every registration by its address's hash, whatever its status: an attendance report's
        # rows are matched a chunk at a time (rsvp.attendance.services).
        sa.Index("ix_registrations_event_email_hash", "event_id", "email_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id,
        info=not_personal("a random identifier"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: The code typed at the door where no camera works (door_code(public_id)), indexed so the
    #: desk finds it at once in an event of any size.
    door_code: Mapped[str] = mapped_column(sa.String(9),
        info=not_personal("derived from the random public id"))
    #: Lower-case, sealed; found by ``email_hash``.
    email: Mapped[str] = mapped_column(Sealed(254), info=personal(Erase.ADDRESS))
    #: The address's keyed hash (rsvp.sealing.digest): the partial unique index above.
    email_hash: Mapped[str] = mapped_column(sa.String(64), info=personal(
        Erase.ADDRESS, plain="a keyed hash: without the data key it tells no one the address",
        digest_of="email"))
    name: Mapped[str] = mapped_column(Sealed(200), info=personal(Erase.BLANK))
    organisation: Mapped[str] = mapped_column(Sealed(300), default="", info=personal(Erase.BLANK))
    organisation_type: Mapped[OrganisationType] = mapped_column(
        enum_column(OrganisationType, "organisation_type"))
    #: ISO 3166-1 alpha-2 code.
    country: Mapped[str | None] = mapped_column(sa.String(2),
        info=personal(Erase.KEEP, why='counted by country; a country code names no one'))
    attendance_mode: Mapped[AttendanceMode] = mapped_column(
        enum_column(AttendanceMode, "attendance_mode"))
    #: The person's own IANA zone, as their browser reported it; emails show times in it.
    timezone: Mapped[str | None] = mapped_column(Sealed(64), info=personal(Erase.NULL))
    #: Language the person reads their emails in.
    language: Mapped[str] = mapped_column(sa.String(8), default="en",
        info=not_personal("the language of the emails, from those offered"))
    #: Interpretation channel requested, from the event's languages; NULL = floor language.
    interpretation_language: Mapped[str | None] = mapped_column(sa.String(8),
        info=not_personal("a channel asked for, counted in the demand"))
    captions: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: They asked to keep their participation confidential: left out of what leaves the system
    #: (exports) unless a manager includes them, and a code instead of their name below managers.
    confidential: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    #: Their emails never say what the event is about (see Event.discreet_emails).
    discreet_emails: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                                  server_default=sa.false())
    accessibility_needs: Mapped[str] = mapped_column(Sealed(), default="", info=personal(Erase.MARK))
    #: When the person accepted the privacy notice.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "registration_status"))
    #: Bumped to revoke every link issued so far.
    token_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Followed the event online, as the meeting platform's attendance report says
    #: (rsvp.attendance); in the room is ``checked_in_at``.
    #: Like ``checked_in_at``, kept for the counts once the name and address are erased.
    attended: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    #: Minutes online, from the same report; NULL when no report named the person.
    attended_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    #: Answers to the event's questions: {"<question id>": str | list[str] | bool | "YYYY-MM-DD"}.
    answers: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict,
        info=personal(Erase.EMPTY))

    #: UN grounds pass (events that ask): True = already holds a valid pass; NULL = not asked.
    has_grounds_pass: Mapped[bool | None] = mapped_column(sa.Boolean)
    #: What a pass request needs, only while one is needed; erased once the event is over.
    passport_name: Mapped[str | None] = mapped_column(Sealed(200),
        info=personal(Erase.NULL, group='grounds_pass'))
    #: ISO 3166-1 alpha-2 code.
    nationality: Mapped[str | None] = mapped_column(Sealed(2),
        info=personal(Erase.NULL, group='grounds_pass'))
    date_of_birth: Mapped[date | None] = mapped_column(SealedDate,
        info=personal(Erase.NULL, group='grounds_pass'))
    pass_organisation: Mapped[str | None] = mapped_column(Sealed(300),
        info=personal(Erase.NULL, group='grounds_pass'))
    pass_function: Mapped[str | None] = mapped_column(Sealed(200),
        info=personal(Erase.NULL, group='grounds_pass'))

    #: When the organisers sent the pass request to the UN: the passport details went then.
    pass_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the person's data was erased (on request or at expiry); the row stays for counts.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    event: Mapped[Event] = relationship()
    changes: Mapped[list[RegistrationChange]] = relationship(
        back_populates="registration", cascade="all, delete-orphan",
        order_by="RegistrationChange.id")

    def __repr__(self) -> str:
        return f"<Registration {self.public_id} {self.status}>"

    @validates("email")
    def _hash_email(self, key: str, address: str) -> str:
        self.email_hash = digest(address)
        return address


@sa.event.listens_for(Registration, "before_insert")
def _set_door_code(mapper: Any, connection: Any, registration: Registration) -> None:
    registration.public_id = registration.public_id or new_public_id()
    registration.door_code = door_code(registration.public_id)


class RegistrationChange(Base):
    """One step in a registration's history: a status change or an edit, who made it, why."""

    __tablename__ = "registration_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: NULL when the registration was created by this step.
    from_status: Mapped[RegistrationStatus | None] = mapped_column(
        enum_column(RegistrationStatus, "change_from_status"))
    to_status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "change_to_status"))
    #: "registrant", "system", or the organiser's email.
    actor: Mapped[str] = mapped_column(sa.String(254), default="registrant",
        info=not_personal("registrant, system, or the organiser who acted"))
    #: Why, in words: a rejection reason, "email never confirmed", "changed: language".
    note: Mapped[str] = mapped_column(Sealed(), default="", info=personal(Erase.BLANK))

    registration: Mapped[Registration] = relationship(back_populates="changes")


def attended_sql() -> sa.ColumnElement[bool]:
    """Whether the person came: checked in at the door, or online by a platform's report."""
    return sa.or_(Registration.checked_in_at.is_not(None), Registration.attended.is_(True))


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"


class JobKind(enum.StrEnum):
    """What a message job writes: each kind has its email and its audience (rsvp.registrations.messaging)."""

    #: An organiser's message to a segment of the list.
    MESSAGE = "message"
    #: The event is cancelled: the organisers' reason, and a calendar file that removes it.
    CANCELLED = "cancelled"
    #: The event is postponed: the new date, the reason, and the updated calendar file.
    POSTPONED = "postponed"
    #: The event's time, venue or join link changed: what changed, and the updated calendar file.
    CHANGED = "changed"
    #: After the event, to those who came (in the room or online).
    FOLLOW_UP_ATTENDED = "follow_up_attended"
    #: After the event, to those registered who did not come.
    FOLLOW_UP_ABSENT = "follow_up_absent"


class MessageJob(Base):
    """An organiser's message to a segment of registrants, queued one batch at a time by the worker.

    The request that sends it only stores it; the worker writes the emails BATCH
    registrants at a time, each batch its own transaction that also moves
    ``after_id`` on, so a worker that dies resumes where the last batch ended
    (and the outbox's dedupe keys queue no one twice).
    """

    __tablename__ = "message_jobs"
    __table_args__ = (
        sa.Index("ix_message_jobs_status_created", "status", "created_at"),
        sa.CheckConstraint("queued >= 0 AND total >= 0", name="counts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id,
        info=not_personal("a random identifier"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: The form's random value: the same draft sent twice is one message.
    batch: Mapped[str] = mapped_column(sa.String(64), unique=True,
        info=not_personal("a random value of the form"))
    #: The organiser who sent it.
    actor: Mapped[str] = mapped_column(sa.String(254), info=not_personal("the organiser who acted"))
    #: A JobKind's value: which email it writes, to whom.
    kind: Mapped[str] = mapped_column(sa.String(32), default=JobKind.MESSAGE,
                                      server_default=JobKind.MESSAGE.value,
                                      info=not_personal("what kind of message"))
    #: In the event's main language (a notice's subject is the email's own; its body the reason).
    subject: Mapped[str] = mapped_column(Sealed(200), info=personal(Erase.ROW))
    body: Mapped[str] = mapped_column(Sealed(), info=personal(Erase.ROW))
    #: The same in other languages: {"fr": {"subject": ..., "body": ...}}; a reader of a language
    #: left out gets the main language's.
    translations: Mapped[dict[str, dict[str, str]] | None] = mapped_column(
        SealedJSON, info=personal(Erase.ROW))
    #: What the kind adds: the new start and end (ISO), the recording link, the documents.
    extra: Mapped[dict[str, Any] | None] = mapped_column(SealedJSON, info=personal(Erase.ROW))
    #: Who it reaches: AttendeeFilter.query_args() (its search may name someone).
    audience: Mapped[dict[str, Any]] = mapped_column(SealedJSON, info=personal(Erase.ROW))
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus, "message_status"), default=MessageStatus.QUEUED)
    #: Recipients counted when it was sent, and emails queued so far: the progress shown.
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    queued: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: The last registration id written to: the next batch starts after it.
    after_id: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: The worker writing it, and until when it holds it; afterwards another worker resumes.
    claim: Mapped[str | None] = mapped_column(sa.String(40), info=not_personal("a worker's random claim"))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
