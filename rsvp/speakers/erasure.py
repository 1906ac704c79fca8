"""Erasing speakers' personal data once their event is past its retention time (asked by rsvp.jobs)."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.speakers import statements
from rsvp.speakers.models import Speaker


def erase_event(event: Event) -> None:
    """Speakers of ``event`` lose their name, address and statement file; delegation, category and
    speaking times stay for the report."""
    files = db.session.scalars(sa.select(Speaker.statement_stored_as).where(
        Speaker.event_id == event.id, Speaker.statement_stored_as.is_not(None)))
    for stored_as in files:
        statements.delete_after_commit(db.session(), stored_as)
    db.session.execute(
        sa.update(Speaker).where(Speaker.event_id == event.id).values(
            name="", email=sa.literal("erased-") + sa.cast(Speaker.id, sa.String)
            + sa.literal("@invalid"), statement_filename=None, statement_stored_as=None,
            statement_content_type=None, statement_bytes=None, statement_uploaded_at=None,
            token_version=Speaker.token_version + 1)
        .execution_options(synchronize_session=False))
