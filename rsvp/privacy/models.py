"""The audit log: who looked at, exported or changed what, per event."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rsvp.db import Base, UTCDateTime, enum_column
from rsvp.personal import not_personal
from rsvp.timeutil import now_utc


class AuditAction(enum.StrEnum):
    VIEWED_LIST = "viewed_list"
    VIEWED_REGISTRATION = "viewed_registration"
    EXPORTED_LIST = "exported_list"
    CHANGED_REGISTRATION = "changed_registration"
    ERASED_REGISTRATION = "erased_registration"
    CHECKED_IN = "checked_in"
    SENT_MESSAGE = "sent_message"
    CHANGED_EVENT = "changed_event"
    CHANGED_ROLES = "changed_roles"
    CHANGED_SITE = "changed_site"
    CHANGED_TOKENS = "changed_tokens"


class AuditEntry(Base):
    """One thing an organiser did; written in the same transaction as the thing itself."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_event_at", "event_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: NULL for actions outside any event (creating an organiser).
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: The organiser's email address, kept as text so the log outlives their account.
    actor: Mapped[str] = mapped_column(sa.String(254), info=not_personal("the organiser who acted"))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "audit_action"))
    #: What, in words, without attendees' personal data ("approved 3 registrations",
    #: "registration K7Q2M9XA"): the log is kept longer than the data it speaks of.
    detail: Mapped[str] = mapped_column(sa.Text, default="",
        info=not_personal("written without attendees' personal data (rsvp.privacy.audit)"))
