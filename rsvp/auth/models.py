"""Organiser accounts and the role each one holds on an event."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsvp.db import Base, UTCDateTime, enum_column, new_public_id
from rsvp.events.models import Event
from rsvp.personal import Erase, not_personal, personal
from rsvp.timeutil import now_utc

#: Why an organiser's account is not sealed (rsvp.sealing).
ORGANISER_PLAIN = ("an organiser's work address and name: they sign in with the address, and the "
                   "audit log names them by it")


class Role(enum.StrEnum):
    """What an organiser may do on one event (see rsvp.auth.roles.satisfies for the order)."""

    OWNER = "owner"
    MANAGER = "manager"
    CHECK_IN = "check_in"
    VIEWER = "viewer"
    #: A State or organisation co-sponsoring the event: counts and demand, never an attendee's
    #: name, address or organisation.
    CO_SPONSOR = "co_sponsor"


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class Organiser(Base):
    """Someone who logs in to run events; Flask-Login's user.

    Not a UserMixin: its __eq__ compares by id string, which SQLAlchemy's
    identity map does not expect, so the four attributes Flask-Login reads
    are written out here.
    """

    __tablename__ = "organisers"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random identifier for URLs and the login session (never the integer id).
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id,
        info=not_personal("a random identifier"))
    #: Lower-case, one account per address.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True,
        info=personal(Erase.ADDRESS, plain=ORGANISER_PLAIN))
    name: Mapped[str] = mapped_column(sa.String(200), info=personal(Erase.BLANK, plain=ORGANISER_PLAIN))
    #: Argon2id hash; NULL until the organiser sets a password through their invitation link.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), info=not_personal("a one-way hash"))
    #: Site admins create organisers and act as owner on every event.
    is_admin: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Deactivated organisers cannot log in and their sessions end at once.
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Part of the login session's id: replaced on every password change, which ends other sessions.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token,
        info=not_personal("a random token"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    def __repr__(self) -> str:
        return f"<Organiser {self.public_id}>"

    # What Flask-Login reads.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.public_id}:{self.session_token}"


class EventRole(Base):
    """One organiser's role on one event."""

    __tablename__ = "event_roles"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "organiser_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    organiser_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisers.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "event_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    event: Mapped[Event] = relationship()
    organiser: Mapped[Organiser] = relationship()

    def __repr__(self) -> str:
        return f"<EventRole {self.role} event={self.event_id} organiser={self.organiser_id}>"


class LoginFailures(Base):
    """Wrong passwords given for one email address, whether or not an account uses it.

    Keyed by a keyed hash of the address, so the table names no one and holds
    no account: an address without one is counted and locked exactly as an
    address with one, and the login form tells nothing about which exist.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        sa.CheckConstraint("failures >= 0", name="failures_positive"),
    )

    #: HMAC-SHA256 of the normalised address under SECRET_KEY, in hex.
    address_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True,
        info=not_personal("a keyed hash of an address typed, gone once it expires"))
    #: Wrong passwords in a row since the last success or lock.
    failures: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: No login with this address is tried before this time.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The row counts for nothing from then on (AUTH_LOCKOUT_MINUTES after the last failure, or
    #: the end of the lock); the retention purge deletes it.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
