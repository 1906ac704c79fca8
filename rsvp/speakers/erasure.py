"""Erasing speakers' personal data once their event is past its retention time (asked by rsvp.jobs)."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.personal import erased_values
from rsvp.speakers import lists, statements
from rsvp.speakers.models import Speaker


def erase_event(event: Event) -> None:
    """Speakers of ``event`` lose their name, address, statement file and video; delegation,
    category, speaking times and whether the statement was a video stay for the report."""
    lists.lock_lists(event.id)
    for column in (Speaker.statement_stored_as, Speaker.video_stored_as):
        files = db.session.scalars(sa.select(column).where(Speaker.event_id == event.id, column.is_not(None)))
        for stored_as in files:
            statements.delete_after_commit(db.session(), stored_as)
    db.session.execute(
        sa.update(Speaker).where(Speaker.event_id == event.id).values(
            **erased_values(Speaker.__table__), statement_bytes=None, statement_uploaded_at=None,
            video_bytes=None,
            token_version=Speaker.token_version + 1)
        .execution_options(synchronize_session=False))
    lists.changed(event.id)
