"""An event's speakers lists: which it has and shows, their settings, their inscription window,
and the lock every change to them (or anyone on them) takes first.

Functions here flush, never commit; the caller commits or rolls back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rsvp import livepush
from rsvp.events import windows
from rsvp.events.models import Event
from rsvp.events.windows import Window
from rsvp.extensions import db
from rsvp.speakers.errors import NoSpeakersList
from rsvp.speakers.models import WAITING_STATES, Speaker, SpeakersList

#: The live screens' channel kind (rsvp.livepush): one channel per list.
LIVE_CHANNEL = "speakers"


def lists_of(event: Event) -> list[SpeakersList]:
    """The event's lists (one per floor: panel segment I, segment II…), in their order."""
    return list(db.session.scalars(
        sa.select(SpeakersList).where(SpeakersList.event_id == event.id).order_by(SpeakersList.number)))


def speakers_list_of(event: Event, number: int | None = None) -> SpeakersList | None:
    """The event's list numbered ``number``; without one, its first list."""
    query = sa.select(SpeakersList).where(SpeakersList.event_id == event.id)
    if number is not None:
        query = query.where(SpeakersList.number == number)
    return db.session.scalar(query.order_by(SpeakersList.number).limit(1))


def shown_lists(event: Event) -> list[SpeakersList]:
    """The event's lists switched on, in their order (perhaps none)."""
    return [speakers_list for speakers_list in lists_of(event) if speakers_list.enabled]


def public_lists(event: Event) -> list[SpeakersList]:
    """The event's lists switched on, in their order.

    :raises NoSpeakersList: none.
    """
    found = shown_lists(event)
    if not found:
        raise NoSpeakersList(event.slug)
    return found


def public_list(event: Event, number: int | None = None) -> SpeakersList:
    """The event's list ``number`` (its first switched on, without one), if it is switched on.

    :raises NoSpeakersList: none, or switched off.
    """
    if number is None:
        return public_lists(event)[0]
    speakers_list = speakers_list_of(event, number)
    if speakers_list is None or not speakers_list.enabled:
        raise NoSpeakersList(event.slug)
    return speakers_list


def lock_lists(event_id: int, *fresh: object) -> None:
    """Take the event's lists' rows, in id order, before changing anyone on them (PostgreSQL;
    SQLite's one writer needs nothing), then reload ``fresh`` (lists, speakers read before).

    Every write to a list or anyone on it takes them first: inscriptions, changes, every console
    button (through transition() or here), settings, erasure. Every change ends by bumping every
    list's version (``changed``): without this, an inscription waiting on a delegation's unique
    key while the console reorders could each hold what the other needs, and the database would
    kill one. Reloaded once the lock is held, what a change reads (the list's times, who waits)
    is what the writes before it committed: a cut reaches a speaker inscribed just before it,
    and one inscribed just after gets the cut time.
    """
    db.session.execute(sa.select(SpeakersList.id).where(SpeakersList.event_id == event_id)
                       .order_by(SpeakersList.id).with_for_update())
    for instance in fresh:
        db.session.refresh(instance)


def changed(event_id: int) -> None:
    """Bump the version of the event's lists: screens that show them (the public live lists)
    rebuild from it.

    Called in the same transaction as every change to a list or anyone on it; one conditional
    UPDATE, so two changes committed together still count twice. Once committed, each list's
    new version is pushed to its viewers (rsvp.livepush, when a publisher is configured).
    """
    bumped = db.session.execute(
        sa.update(SpeakersList).where(SpeakersList.event_id == event_id)
        .values(version=SpeakersList.version + 1)
        .returning(SpeakersList.id, SpeakersList.version)
        .execution_options(synchronize_session=False))
    for list_id, version in bumped:
        livepush.after_commit(db.session(), LIVE_CHANNEL, list_id, str(version))


def configure(event: Event, *, number: int = 1, **settings: Any) -> SpeakersList:
    """Create or change the event's list ``number`` (columns of SpeakersList as keywords).

    Waiting speakers get the time the new rules allow them.
    """
    lock_lists(event.id)
    speakers_list = speakers_list_of(event, number) or SpeakersList(event=event, number=number)
    for name, value in settings.items():
        if name not in SpeakersList.__table__.columns or name in ("id", "event_id", "number"):
            raise TypeError(f"not a speakers list setting: {name}")
        setattr(speakers_list, name, value)
    db.session.add(speakers_list)
    db.session.flush()
    waiting = db.session.scalars(sa.select(Speaker).where(
        Speaker.list_id == speakers_list.id, Speaker.state.in_(WAITING_STATES)))
    for speaker in waiting:
        speaker.seconds_allowed = (speakers_list.reply_seconds if speaker.right_of_reply else
                                   speakers_list.seconds_for(speaker.category, speaker.on_behalf_of_group))
    db.session.flush()
    changed(event.id)
    db.session.expire(speakers_list, ["version"])
    return speakers_list


def closes_at(speakers_list: SpeakersList) -> datetime:
    """Inscription closes at the organiser's time, or when the event ends."""
    return speakers_list.closes_at or speakers_list.event.ends_at


def window(speakers_list: SpeakersList, now: datetime | None = None) -> Window:
    return windows.window(speakers_list.event, speakers_list.opens_at, closes_at(speakers_list), now)


def statement_languages(event: Event) -> list[str]:
    """Languages a statement may be in: the floor language and those interpreted."""
    return list(dict.fromkeys([event.floor_language, *event.interpretation_languages]))


def next_number(event: Event) -> int:
    """The number a new list of the event takes: after its last."""
    last = db.session.scalar(
        sa.select(sa.func.max(SpeakersList.number)).where(SpeakersList.event_id == event.id))
    return (last or 0) + 1
