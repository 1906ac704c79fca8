"""The transactional outbox: every email is a row first, sent by a worker after the commit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from rsvp.db import Base, UTCDateTime, enum_column
from rsvp.personal import Erase, not_personal, personal
from rsvp.sealing import Sealed, SealedJSON, digest
from rsvp.timeutil import now_utc


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Template name, e.g. "registration-confirmed".
    kind: Mapped[str] = mapped_column(sa.String(60), info=not_personal("which email"))
    recipient: Mapped[str] = mapped_column(Sealed(254), info=personal(Erase.ROW))
    #: The recipient's keyed hash (rsvp.sealing.digest): erasing a registration finds its emails.
    recipient_hash: Mapped[str] = mapped_column(sa.String(64), index=True, info=personal(
        Erase.ROW, plain="a keyed hash: without the data key it tells no one the address",
        digest_of="recipient"))
    subject: Mapped[str] = mapped_column(Sealed(300), info=personal(Erase.ROW))
    text_body: Mapped[str] = mapped_column(Sealed(), info=personal(Erase.ROW))
    html_body: Mapped[str] = mapped_column(Sealed(), info=personal(Erase.ROW))
    #: [{"filename", "content_type", "data" (text)}]; calendar files are text.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(SealedJSON, default=list,
        info=personal(Erase.ROW))
    #: Sending twice is impossible for messages with the same key (reminders).
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True,
        info=not_personal("the kind of email and row ids"))
    #: The event it concerns, so its personal data can be purged with the event's.
    event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL"), index=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: A claimed message belongs to its worker until then; afterwards anyone may reclaim it.
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Random token of the claim that holds the message.
    claim: Mapped[str | None] = mapped_column(sa.String(40), index=True,
        info=not_personal("a worker's random claim"))
    last_error: Mapped[str | None] = mapped_column(sa.String(1000),
        info=not_personal("the SMTP server's answer, without the message"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str] = mapped_column(sa.String(200), info=not_personal("a random identifier"))
    #: Erase the address and the words once sent or given up (the receipt of an erasure: the
    #: last message to someone whose data is gone). The row stays, saying only what left when.
    forget_after_sending: Mapped[bool] = mapped_column(sa.Boolean, default=False,
                                                       server_default=sa.false())
    #: {"renderer": name, "args": {...}} while the message is still to be written: the worker
    #: renders it just before sending (rsvp.mail.outbox.queue_later), so a registration's
    #: transaction holds its locks for an insert, not for template rendering. NULL once written.
    render: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON,
        info=not_personal("a renderer's name and row ids"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    @validates("recipient")
    def _hash_recipient(self, key: str, address: str) -> str:
        self.recipient_hash = recipient_hash(address)
        return address


def recipient_hash(address: str) -> str:
    """What OutboxMessage.recipient_hash holds for ``address``."""
    return digest(address.lower()) if address else ""
