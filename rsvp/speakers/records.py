"""What changed a list by decision, kept: lot draws, swaps and substitutions (SpeakersRecord)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.speakers.models import RecordKind, Speaker, SpeakersList, SpeakersRecord


def keep(list_id: int, kind: RecordKind, now: datetime, public: dict[str, Any],
         private: dict[str, Any] | None = None) -> SpeakersRecord:
    """Record a decision on list ``list_id``: ``public`` is published with the list, ``private``
    (names, an authorisation) is sealed. Flushed; never rewritten afterwards."""
    record = SpeakersRecord(list_id=list_id, kind=kind, created_at=now, public=public, private=private or {})
    db.session.add(record)
    db.session.flush()
    return record


def records_of(speakers_list: SpeakersList, *kinds: RecordKind) -> list[SpeakersRecord]:
    """The list's draws, swaps and substitutions (those of ``kinds``), oldest first."""
    query = sa.select(SpeakersRecord).where(SpeakersRecord.list_id == speakers_list.id)
    if kinds:
        query = query.where(SpeakersRecord.kind.in_(kinds))
    return list(db.session.scalars(query.order_by(SpeakersRecord.created_at, SpeakersRecord.id)))


def draws_of(speakers_list: SpeakersList) -> list[SpeakersRecord]:
    return records_of(speakers_list, RecordKind.DRAW)


def speakers_by_id(ids: set[int]) -> dict[int, Speaker]:
    """The speakers records name, withdrawn ones included."""
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(sa.select(Speaker).where(Speaker.id.in_(ids)))}
