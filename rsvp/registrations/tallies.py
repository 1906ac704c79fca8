"""Counts of an event's registrations that the database keeps as they change.

The overview, the check-in desk and the list's count would otherwise count every
registration of the event on every view (676 ms at 100,000 in bench/scale.py).
Triggers (migration a2b7c4d9e1f0) update these rows in the same transaction as
every write to a registration, whoever makes it (the app's ORM, a bulk UPDATE, an
erasure, a key rotation): a view reads a few hundred rows whatever the event's
size, and the counts are exact at every commit. On PostgreSQL the trigger runs at
the commit (migration c6e2f8a1d4b7), so the rows it locks are held for the commit
only: a transaction does not see its own writes counted before it commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rsvp.db import Base
from rsvp.extensions import db
from rsvp.personal import not_personal
from rsvp.registrations.models import Registration

R = Registration
#: The list's pages in order of registration, read from the index alone (erased rows skipped).
sa.Index("ix_registrations_event_created_id", R.event_id, R.created_at, R.id, R.erased_at)
#: What changed in an event since a moment (rsvp.registrations.opened brings names up to date).
sa.Index("ix_registrations_event_updated", R.event_id, R.updated_at)


class _Counted:
    """An event's registrations of a status counted by what else the key holds."""

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True,
        info=not_personal("a registration status"))
    n: Mapped[int] = mapped_column(sa.Integer)


class RegistrationTally(_Counted, Base):
    """How many of an event's registrations share one combination of what the list filters by.

    Written only by the database's triggers (migration a2b7c4d9e1f0), in the transaction of
    every write to a registration. Empty text stands for the floor language.
    """

    __tablename__ = "registration_tallies"

    attendance_mode: Mapped[str] = mapped_column(sa.String(20), primary_key=True,
        info=not_personal("an attendance mode"))
    organisation_type: Mapped[str] = mapped_column(sa.String(20), primary_key=True,
        info=not_personal("a kind of organisation"))
    interpretation_language: Mapped[str] = mapped_column(sa.String(20), primary_key=True,
        info=not_personal("an interpretation channel, counted"))
    checked_in: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    #: Asked for confidentiality; personal data erased (left out of the list, counted here).
    confidential: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    erased: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)


class RegistrationTrait(_Counted, Base):
    """How many of an event's registrations of a status share a country and the needs the
    overview counts; kept by the same triggers. Empty text stands for no country given."""

    __tablename__ = "registration_traits"

    country: Mapped[str] = mapped_column(sa.String(20), primary_key=True,
        info=not_personal("a country code, counted"))
    captions: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    #: Accessibility needs written (what they are stays sealed in the registration).
    accessibility: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    #: Asked and holds no grounds pass.
    grounds_pass_needed: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)


class RegistrationDay(Base):
    """Registrations made in one quarter hour (UTC), kept by the same triggers: the overview's
    days in the event's zone are sums of these (zones ahead by 5:45 included)."""

    __tablename__ = "registration_days"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    #: "YYYY-MM-DD HH:MM", UTC, the minutes a multiple of 15.
    bucket: Mapped[str] = mapped_column(sa.String(16), primary_key=True,
        info=not_personal("a quarter hour"))
    n: Mapped[int] = mapped_column(sa.Integer)


def total(event_id: int) -> int:
    """Every registration the event ever had, erased and cancelled ones too."""
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(RegistrationTally.n), 0))
                                 .where(RegistrationTally.event_id == event_id)) or 0)
