"""Webhook endpoints (per event, or site-wide) and the deliveries the worker makes to them.

A delivery row is written in the same transaction as the change it tells of
(rsvp.webhooks.events): a rolled-back change tells nothing, a committed one is never lost.
The worker (rsvp.webhooks.delivery) writes its body at the first attempt, signs it the
Standard Webhooks way, and retries with backoff; each attempt is logged for the organisers.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rsvp.db import Base, UTCDateTime, enum_column, new_public_id
from rsvp.events.models import Event
from rsvp.personal import Erase, not_personal, personal
from rsvp.sealing import Sealed
from rsvp.timeutil import now_utc


class WebhookType(enum.StrEnum):
    REGISTRATION_CREATED = "registration.created"
    REGISTRATION_STATUS_CHANGED = "registration.status_changed"
    REGISTRATION_CANCELLED = "registration.cancelled"
    REGISTRATION_CHECKED_IN = "registration.checked_in"
    SPEAKER_INSCRIBED = "speaker.inscribed"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    #: Given up after WEBHOOK_MAX_ATTEMPTS.
    FAILED = "failed"


class WebhookEndpoint(Base):
    """An address of the organisation's that is told of changes, signed with its own secret."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id,
        info=not_personal("a random identifier"))
    #: NULL: every event of the site (made by a site admin).
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: http(s) only.
    url: Mapped[str] = mapped_column(sa.String(2000), info=not_personal("an organisation's address"))
    #: ``whsec_`` and base64 of 32 random bytes: the receiver checks each signature with it.
    secret: Mapped[str] = mapped_column(sa.String(64), info=not_personal("a signing key"))
    #: The WebhookType values it is told of.
    types: Mapped[list[str]] = mapped_column(sa.JSON, default=list, info=not_personal("event type names"))
    #: True: the person's name, address and organisation too; False: ids, statuses and codes only.
    details: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: The organiser who made it.
    created_by: Mapped[str] = mapped_column(sa.String(254), info=not_personal("the organiser who acted"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    event: Mapped[Event | None] = relationship()


class WebhookDelivery(Base):
    """One change told to one endpoint: the same webhook-id on every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    #: The Standard Webhooks ``webhook-id`` ("msg_…"): receivers drop a second copy by it.
    message_id: Mapped[str] = mapped_column(sa.String(40), unique=True,
        info=not_personal("a random identifier"))
    type: Mapped[WebhookType] = mapped_column(enum_column(WebhookType, "webhook_type"))
    #: What it is about: the registration's status change row, or the speaker.
    registration_change_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration_changes.id", ondelete="CASCADE"))
    speaker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("speakers.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: The JSON sent, written at the first attempt and sent unchanged after; sealed (it may name
    #: the person), and emptied once delivered or given up.
    body: Mapped[str | None] = mapped_column(Sealed(), info=personal(Erase.ROW))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, "delivery_status"),
                                                   default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(sa.String(40), info=not_personal("a random token"))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    log: Mapped[list[WebhookAttempt]] = relationship(order_by="WebhookAttempt.id",
                                                     cascade="all, delete-orphan")


class WebhookAttempt(Base):
    """One try: what the receiver answered, or why nothing was."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: The HTTP status answered; NULL when there was no answer (refused, timed out).
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str] = mapped_column(sa.String(300), default="",
        info=not_personal("a connection error's words"))
