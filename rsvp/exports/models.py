"""Exports too large to build within a request: a row per file the worker prepares."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rsvp.db import Base, UTCDateTime, enum_column, new_public_id
from rsvp.personal import Erase, not_personal, personal
from rsvp.sealing import Sealed, SealedJSON
from rsvp.timeutil import now_utc


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class ExportJob(Base):
    """An attendee list an organiser asked for, built by the worker into a file only they may fetch."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        sa.Index("ix_export_jobs_status", "status"),
        sa.CheckConstraint("rows_done >= 0 AND rows_total >= 0", name="rows_positive"),
        sa.CheckConstraint("format IN ('csv', 'xlsx')", name="format_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id,
        info=not_personal("a random identifier"))
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: Who asked: the only one who may download the file.
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("organisers.id", ondelete="CASCADE"))
    #: "xlsx" or "csv".
    format: Mapped[str] = mapped_column(sa.String(4), info=not_personal("csv or xlsx"))
    #: What to build, as the export form sent it: {"filter": AttendeeFilter.query_args(),
    #: "columns": [...], "questions": bool}.
    options: Mapped[dict[str, Any]] = mapped_column(SealedJSON, info=personal(Erase.ROW))
    #: The audit log's words for this export (filter and columns), written at each download.
    detail: Mapped[str] = mapped_column(Sealed(), default="", info=personal(Erase.ROW))
    status: Mapped[ExportStatus] = mapped_column(
        enum_column(ExportStatus, "export_status"), default=ExportStatus.QUEUED)
    #: Rows counted when it was asked for, then rows read so far: the progress shown.
    rows_total: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_done: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: Random token of the worker building it, and until when that worker holds it; a job whose
    #: lease ran out (a worker that died) is built again from the start.
    claim: Mapped[str | None] = mapped_column(sa.String(40), info=not_personal("a worker's random claim"))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The file's random name in the exports folder, once written.
    stored_as: Mapped[str | None] = mapped_column(sa.String(60), info=not_personal("a random file name"))
    error: Mapped[str | None] = mapped_column(sa.String(300),
        info=not_personal("what went wrong, without any row"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The file and this row are deleted then (EXPORT_KEEP_HOURS after it was finished).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
