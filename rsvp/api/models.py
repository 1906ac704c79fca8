"""Personal access tokens: what an organiser's own tools present to the API (rsvp.api.views).

A token is shown once, when made; the database keeps only the SHA-256 of its secret, so a
copy of the database opens nothing. It acts for its organiser with at most their roles, on
the events it names (or on all of theirs), read only or read and write, until it expires or
is revoked.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsvp.auth.models import Organiser
from rsvp.db import Base, UTCDateTime, new_public_id
from rsvp.events.models import Event
from rsvp.personal import not_personal
from rsvp.registrations.models import Registration
from rsvp.timeutil import now_utc

#: Every token's secret starts with this, so a leaked one is recognised (secret scanners, logs).
TOKEN_PREFIX = "rsvp_pat_"  # noqa: S105 - a prefix, not a secret


class ApiToken(Base):
    """One personal access token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random identifier for the revoke link (never the integer id, never the secret).
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id,
        info=not_personal("a random identifier"))
    organiser_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisers.id", ondelete="CASCADE"), index=True)
    #: What the organiser called it ("CRM sync"), to recognise it in the list.
    name: Mapped[str] = mapped_column(sa.String(100), info=not_personal("a tool's name"))
    #: The secret's first characters ("rsvp_pat_Ab3x"), shown in the list and the audit log.
    hint: Mapped[str] = mapped_column(sa.String(16), info=not_personal("the token's first letters"))
    #: SHA-256 of the whole secret, in hex: a request's token is found by its hash.
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True,
        info=not_personal("a one-way hash of a random secret"))
    #: May change registrations' status (else it only reads).
    can_write: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Covers every event its organiser holds a role on, now and later (else only ``events``).
    all_events: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: Refused from this time on.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser: Mapped[Organiser] = relationship()
    events: Mapped[list[Event]] = relationship(secondary="api_token_events", order_by=Event.starts_at)

    def __repr__(self) -> str:
        return f"<ApiToken {self.public_id} {self.hint}>"

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now and self.organiser.is_active


class ApiTokenEvent(Base):
    """An event a token covers (when it does not cover all its organiser's events)."""

    __tablename__ = "api_token_events"

    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"),
                                          primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


#: The API pages through an event's registrations in id order from a cursor: this index finds a
#: page of 100 among 100,000 at once. Declared here, with the code that needs it, on the
#: registrations table (its migration is this package's).
REGISTRATIONS_BY_EVENT = sa.Index("ix_registrations_event_id_id",
                                  Registration.__table__.c.event_id, Registration.__table__.c.id)
