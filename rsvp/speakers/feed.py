"""The public live list's JSON (live.json), built once per change and kept per process and language.

Hundreds or thousands of viewers poll live.json every second. Building the state
(the order, the timetable, every label in the viewer's language) costs milliseconds;
handing over bytes already built costs almost nothing. A document is rebuilt only
when the list's version (bumped in the transaction of every change: lists.changed),
its settings, or the event's time zone, times or status changed, or when time alone
changes what it says (screens.public_state says until when it holds). Every process reads
the version on each request, so a change made through any process shows at once.

The ETag is a hash of the bytes: processes that built the same list answer alike,
so a viewer whose polls land on different workers still gets 304 Not Modified.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rsvp.events.models import Event, EventStatus
from rsvp.extensions import db
from rsvp.speakers import screens
from rsvp.speakers.models import SpeakersList
from rsvp.timeutil import now_utc

#: Lists × languages kept per process; the oldest built goes first beyond it.
KEPT = 256


@dataclass(frozen=True)
class Document:
    body: bytes
    gzipped: bytes
    #: Opaque validator for If-None-Match (without quotes): a hash of ``body``.
    etag: str
    #: What the list looked like when built (see _STAMP).
    stamp: tuple[Any, ...]
    #: After this instant the document is rebuilt even if nobody changed the list.
    good_until: datetime


_documents: dict[tuple[int, str], Document] = {}

_lists, _events = SpeakersList.__table__, Event.__table__
#: What the document depends on besides the speakers: the list's version and settings, and the
#: event's fields it reads (not the event's updated_at: every seat taken bumps that).
_STAMP = (_lists.c.version, _lists.c.updated_at, _events.c.status, _events.c.timezone,
          _events.c.starts_at, _events.c.ends_at)
#: Built once: constructing the statement cost as much as running it.
#: The event's first public list numbered ``number`` or after (0: its first).
_STAMP_OF_SLUG = (
    sa.select(_lists.c.id, _lists.c.number, *_STAMP)
    .join(_events, _events.c.id == _lists.c.event_id)
    .where(_events.c.slug == sa.bindparam("slug"), _events.c.status != EventStatus.DRAFT.value,
           _lists.c.enabled, _lists.c.number >= sa.bindparam("number"))
    .order_by(_lists.c.number).limit(1))


def _stamp(speakers_list: SpeakersList) -> tuple[Any, ...]:
    event = speakers_list.event
    return (speakers_list.version, speakers_list.updated_at, event.status, event.timezone,
            event.starts_at, event.ends_at)


def kept(slug: str, number: int | None, language: str, now: datetime | None = None) -> Document | None:
    """The document kept for list ``number`` (None: the first) of the event at ``slug``, if it is
    still true; else None (nothing kept, out of date, or no such public list: document() decides).

    One narrow query instead of loading the event and the list: most polls end here.
    """
    now = now or now_utc()
    row = db.session.connection().execute(_STAMP_OF_SLUG, {"slug": slug, "number": number or 0}).first()
    if row is None or (number is not None and row[1] != number):
        return None
    found = _documents.get((row[0], language))
    if found is None or found.stamp != tuple(row[2:]) or now >= found.good_until:
        return None
    return found


_building = threading.Lock()


def document(speakers_list: SpeakersList, language: str, now: datetime | None = None) -> Document:
    """The public live list in ``language`` as JSON, built only if what is kept is out of date."""
    now = now or now_utc()
    key, stamp = (speakers_list.id, language), _stamp(speakers_list)
    found = _documents.get(key)
    if found is not None and found.stamp == stamp and now < found.good_until:
        return found
    state, good_until = screens.public_state(speakers_list, now)
    body = json.dumps(state, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    built = Document(body=body, gzipped=gzip.compress(body, compresslevel=6, mtime=0),
                     etag=hashlib.blake2b(body, digest_size=12).hexdigest(),
                     stamp=stamp, good_until=good_until)
    with _building:  # `rsvp run` serves from threads
        _documents.pop(key, None)
        while len(_documents) >= KEPT:
            del _documents[next(iter(_documents))]
        _documents[key] = built
    return built


def forget() -> None:
    """Drop every kept document (tests that change the clock or the schema)."""
    _documents.clear()
