"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from rsvp.db import write_after_reading
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.privacy.models import AuditAction, AuditEntry
from rsvp.timeutil import now_utc


def record(event: Event | None, actor: str, action: AuditAction, detail: str = "",
           now: datetime | None = None) -> AuditEntry:
    """Add an entry in the caller's transaction: it commits or rolls back with the action.

    A page that only shows something (a list viewed) ends its read first (db.write_after_reading).
    """
    write_after_reading(db.session())
    entry = AuditEntry(event_id=event.id if event is not None else None, actor=actor,
                       action=action, detail=detail, at=now or now_utc())
    db.session.add(entry)
    return entry


def entries(event: Event, page: int = 1, per_page: int = 100) -> Pagination:
    query = (sa.select(AuditEntry).where(AuditEntry.event_id == event.id)
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
