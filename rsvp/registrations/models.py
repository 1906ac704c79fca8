"""A person's registration for an event, and the states it moves through."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsvp.db import Base, UTCDateTime, enum_column, new_public_id
from rsvp.events.models import AttendanceMode, Event
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
_ACTIVE_SQL = "status IN ({})".format(", ".join(f"'{s.value}'" for s in ACTIVE_STATUSES))


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
            "uq_registrations_event_email_active", "event_id", "email", unique=True,
            sqlite_where=sa.text(_ACTIVE_SQL), postgresql_where=sa.text(_ACTIVE_SQL),
        ),
        sa.Index("ix_registrations_event_status_created", "event_id", "status", "created_at"),
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: Lower-case; see the partial unique index above.
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str] = mapped_column(sa.String(300), default="")
    organisation_type: Mapped[OrganisationType] = mapped_column(
        enum_column(OrganisationType, "organisation_type"))
    #: ISO 3166-1 alpha-2 code.
    country: Mapped[str | None] = mapped_column(sa.String(2))
    attendance_mode: Mapped[AttendanceMode] = mapped_column(
        enum_column(AttendanceMode, "attendance_mode"))
    #: The person's own IANA zone, as their browser reported it; emails show times in it.
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    #: Language the person reads their emails in.
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: Interpretation channel requested, from the event's languages; NULL = floor language.
    interpretation_language: Mapped[str | None] = mapped_column(sa.String(8))
    captions: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    accessibility_needs: Mapped[str] = mapped_column(sa.Text, default="")
    #: When the person accepted the privacy notice.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "registration_status"))
    #: Bumped to revoke every link issued so far.
    token_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    event: Mapped[Event] = relationship()

    def __repr__(self) -> str:
        return f"<Registration {self.public_id} {self.status}>"
