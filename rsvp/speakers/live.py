"""Running the speakers list live: the operations the organiser's console calls (the floor, the
order, draws, swaps, substitutions, cuts, rights of reply). What the screens show from it is
rsvp/speakers/screens.py; the report afterwards, rsvp/speakers/reports.py.

The timer is server-authoritative: start() stores when the speaker was given
the floor, and every screen counts down from that instant, corrected by the
server's clock it is sent with each state. Functions flush, never commit.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.speakers import lists, ordering, records, services
from rsvp.speakers.errors import SpeakersError, TransitionRefused
from rsvp.speakers.models import (
    STATE_CATEGORIES,
    WAITING_STATES,
    RecordKind,
    Speaker,
    SpeakerCategory,
    SpeakersList,
    SpeakersRecord,
    SpeakerState,
)
from rsvp.speakers.records import draws_of
from rsvp.speakers.services import transition
from rsvp.timeutil import now_utc


class FloorTaken(SpeakersError):
    """Someone else holds the floor: mark them delivered or absent first."""


class InvalidOrder(SpeakersError):
    """A new order that does not list exactly the waiting speakers, each once."""


def _list_of(speaker: Speaker) -> SpeakersList:
    return speaker.speakers_list


def _release_floor(speaker: Speaker) -> None:
    """Free the floor if this speaker held it (a conditional UPDATE: another holder keeps it)."""
    speakers_list = _list_of(speaker)
    db.session.execute(
        sa.update(SpeakersList)
        .where(SpeakersList.id == speakers_list.id, SpeakersList.current_speaker_id == speaker.id)
        .values(current_speaker_id=None)
        .execution_options(synchronize_session=False))
    db.session.expire(speakers_list, ["current_speaker_id"])


# -- the console's operations ---------------------------------------------------------------------

def confirm(speaker: Speaker, now: datetime | None = None) -> None:
    """The organisers accept an inscription.

    :raises TransitionRefused: not a fresh inscription.
    """
    transition(speaker, (SpeakerState.INSCRIBED,), SpeakerState.CONFIRMED, now or now_utc())


def start(speaker: Speaker, now: datetime | None = None) -> None:
    """Give a waiting speaker the floor; their time runs from the server's ``now``.

    :raises FloorTaken: someone else holds the floor.
    :raises TransitionRefused: the speaker is not waiting.
    """
    now = now or now_utc()
    speakers_list = _list_of(speaker)
    try:
        with db.session.begin_nested():  # both changes, or neither
            transition(speaker, WAITING_STATES, SpeakerState.SPEAKING, now, started_at=now, ended_at=None)
            taken: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
                sa.update(SpeakersList)
                .where(SpeakersList.id == speakers_list.id, SpeakersList.current_speaker_id.is_(None))
                .values(current_speaker_id=speaker.id)
                .execution_options(synchronize_session=False))
            if taken.rowcount != 1:
                raise FloorTaken(speakers_list.event.slug)
    except FloorTaken:
        db.session.refresh(speaker)  # back to waiting, as the savepoint left it
        raise
    finally:
        db.session.expire(speakers_list, ["current_speaker_id"])


def stop(speaker: Speaker, now: datetime | None = None) -> None:
    """Stop the speaker's timer; the floor is free, the time used is kept for delivered.

    :raises TransitionRefused: not speaking, or already stopped.
    """
    now = now or now_utc()
    transition(speaker, (SpeakerState.SPEAKING,), None, now, when=Speaker.ended_at.is_(None), ended_at=now)


def mark_delivered(speaker: Speaker, now: datetime | None = None) -> None:
    """The intervention was made: record the seconds used (to the stop, or to now).

    :raises TransitionRefused: the speaker does not hold the floor.
    """
    now = now or now_utc()
    db.session.refresh(speaker)
    if speaker.state is not SpeakerState.SPEAKING or speaker.started_at is None:
        raise TransitionRefused(speaker.state.value)
    ended_at = speaker.ended_at or now
    used = round((ended_at - speaker.started_at).total_seconds())
    transition(speaker, (SpeakerState.SPEAKING,), SpeakerState.DELIVERED, now,
               ended_at=ended_at, seconds_used=used)
    _release_floor(speaker)


def mark_absent(speaker: Speaker, now: datetime | None = None) -> None:
    """Called and not there (or not connected): no time is counted.

    :raises TransitionRefused: already delivered, absent or withdrawn.
    """
    transition(speaker, (*WAITING_STATES, SpeakerState.SPEAKING), SpeakerState.ABSENT, now or now_utc(),
               started_at=None, ended_at=None)
    _release_floor(speaker)


def move_to_end(speaker: Speaker, now: datetime | None = None) -> None:
    """Send a waiting speaker, or one called who is not ready, behind everyone else.

    :raises TransitionRefused: already delivered, absent or withdrawn.
    """
    now = now or now_utc()
    if speaker.state is SpeakerState.SPEAKING:
        transition(speaker, (SpeakerState.SPEAKING,), SpeakerState.CONFIRMED, now,
                   started_at=None, ended_at=None, moved_to_end_at=now)
        _release_floor(speaker)
    else:
        transition(speaker, WAITING_STATES, None, now, moved_to_end_at=now)


def cut_time(speakers_list: SpeakersList, individual_seconds: int, group_seconds: int,
             now: datetime | None = None) -> int:
    """The chair cuts speaking time (3:00/2:00 to 2:30/1:30, say) from now on: every speaker still
    waiting gets the new time, category exceptions included; whoever speaks now, and those who
    spoke, keep theirs, so the report shows the time each actually had. Returns how many waiting
    speakers it changed.
    """
    lists.lock_lists(speakers_list.event_id, speakers_list)
    waiting = [s for s in services.lineup(speakers_list, now).queue if not s.right_of_reply]
    speakers_list.individual_seconds, speakers_list.group_seconds = individual_seconds, group_seconds
    speakers_list.category_seconds = {}
    for speaker in waiting:
        speaker.seconds_allowed = group_seconds if speaker.on_behalf_of_group else individual_seconds
    db.session.flush()
    lists.changed(speakers_list.event_id)
    return len(waiting)


def add_reply(speakers_list: SpeakersList, category: SpeakerCategory, country: str, delegation: str,
              name: str = "", now: datetime | None = None) -> Speaker:
    """A State asks the secretariat for a right of reply: it joins the reply queue after the main
    list, in order of arrival, with the list's reply time (a cut leaves it as it is).

    :raises InvalidInscription: not a State, no country, or no delegation.
    """
    now = now or now_utc()
    lists.lock_lists(speakers_list.event_id, speakers_list)
    if category not in STATE_CATEGORIES:
        raise services.InvalidInscription("category")
    if not re.fullmatch(r"[A-Z]{2}", country or ""):
        raise services.InvalidInscription("country")
    if not delegation.strip():
        raise services.InvalidInscription("delegation")
    key = services.delegation_key(category, delegation, country)
    speaker = Speaker(
        event_id=speakers_list.event_id, speakers_list=speakers_list, name=name.strip(),
        delegation=delegation.strip(),
        # Apart from the delegation's own statement, and from each other: a State may reply twice.
        delegation_key=f"{key}|reply:{secrets.token_hex(6)}",
        category=category, country=country, language=speakers_list.event.floor_language,
        email="", state=SpeakerState.CONFIRMED, one_per_delegation=False, right_of_reply=True,
        seconds_allowed=speakers_list.reply_seconds, inscribed_at=now, updated_at=now)
    db.session.add(speaker)
    db.session.flush()
    lists.changed(speakers_list.event_id)
    return speaker


def _store_order(order: list[Speaker]) -> None:
    if order:
        lists.lock_lists(order[0].event_id)  # before any speaker's row (see lock_lists)
    for speaker, position in zip(order, ordering.positions([s.id for s in order]).values(), strict=True):
        speaker.position = position
    if order:
        lists.changed(order[0].event_id)


def swap(first: Speaker, second: Speaker, now: datetime | None = None) -> None:
    """Exchange two waiting speakers' places (the keyboard alternative to dragging).

    :raises TransitionRefused: either is not waiting, or they are on different lists.
    """
    lists.lock_lists(first.event_id, first, second)
    if not (first.is_waiting and second.is_waiting) or first.list_id != second.list_id:
        raise TransitionRefused("swap")
    lineup = services.lineup(_list_of(first), now)
    places = [lineup.place_of(first), lineup.place_of(second)]
    _store_order(lineup.order)
    first.position, second.position = second.position, first.position
    first.moved_to_end_at, second.moved_to_end_at = second.moved_to_end_at, first.moved_to_end_at
    records.keep(first.list_id, RecordKind.SWAP, now or now_utc(),
                 {"speakers": [first.id, second.id], "places": places})


class InvalidDraw(SpeakersError):
    """The places asked for are not a part of the queue of two speakers or more."""


class AlreadyDrawn(SpeakersError):
    """The list was drawn before; drawing again must be asked for, and stays on record."""




def draw(speakers_list: SpeakersList, first_place: int, last_place: int, seed: str | None = None, *,
         again: bool = False, now: datetime | None = None) -> SpeakersRecord:
    """Draw lots for places ``first_place``..``last_place`` of the queue (1: the next called):
    ordering.drawn() with ``seed`` (a new random one unless the organiser gives one), stored as
    the organiser's order, and recorded with the seed and the part before and after.

    :raises InvalidDraw: not two waiting speakers or more between those places.
    :raises AlreadyDrawn: the list was drawn before and ``again`` is not set.
    """
    now = now or now_utc()
    lists.lock_lists(speakers_list.event_id)
    lineup = services.lineup(speakers_list, now)
    queue = lineup.queue
    if not 1 <= first_place < last_place <= len(queue):
        raise InvalidDraw(f"{first_place}-{last_place}")
    earlier = draws_of(speakers_list)
    if earlier and not again:
        raise AlreadyDrawn(speakers_list.event.slug)
    seed = (seed or "").strip() or secrets.token_hex(16)
    part = queue[first_place - 1:last_place]
    result = ordering.drawn(part, seed)
    new_queue = queue[:first_place - 1] + result + queue[last_place:]
    reorder(speakers_list, [s.public_id for s in new_queue], now)
    return records.keep(speakers_list.id, RecordKind.DRAW, now, {
        "seed": seed, "first_place": first_place, "last_place": last_place,
        "before": [s.id for s in part], "after": [s.id for s in result],
        "again_after": earlier[-1].id if earlier else None})


def substitute(speaker: Speaker, name: str, authorisation: str, now: datetime | None = None) -> None:
    """Another person speaks for the delegation, on its authorisation (a note saying who
    authorised it, and how); the name fixed at inscription and the new one are recorded.

    :raises TransitionRefused: the speaker has spoken, been marked absent or withdrawn.
    :raises InvalidInscription: an empty name or no authorisation.
    """
    now = now or now_utc()
    if not name.strip():
        raise services.InvalidInscription("name")
    if not authorisation.strip():
        raise services.InvalidInscription("authorisation")
    before = speaker.name
    transition(speaker, (*WAITING_STATES, SpeakerState.SPEAKING), None, now, name=name.strip())
    records.keep(speaker.list_id, RecordKind.SUBSTITUTION, now, {"speakers": [speaker.id]},
                 {"from": before, "to": name.strip(), "authorisation": authorisation.strip()})


def reorder(speakers_list: SpeakersList, public_ids: list[str], now: datetime | None = None) -> None:
    """The organiser's order for everyone waiting (drag and drop); later inscriptions keep it.

    :raises InvalidOrder: ``public_ids`` is not exactly the waiting speakers, each once.
    """
    lists.lock_lists(speakers_list.event_id)
    lineup = services.lineup(speakers_list, now)
    waiting = {s.public_id: s for s in lineup.queue}
    if sorted(public_ids) != sorted(waiting):
        raise InvalidOrder(speakers_list.event.slug)
    done = [s for s in lineup.order if not s.is_waiting]
    _store_order(done + [waiting[public_id] for public_id in public_ids])
    for speaker in waiting.values():
        speaker.moved_to_end_at = None  # the organiser's order now says where they are
    db.session.flush()


def step(speaker: Speaker, offset: int, now: datetime | None = None) -> int:
    """Move a waiting speaker ``offset`` places (-1: up, 1: down), through reorder(); the
    keyboard's way to drag. Returns their place in the queue, 1 for the next called.

    :raises TransitionRefused: the speaker is not waiting.
    """
    lists.lock_lists(speaker.event_id, speaker)
    speakers_list = _list_of(speaker)
    order = [s.public_id for s in services.lineup(speakers_list, now).queue]
    if speaker.public_id not in order:
        raise TransitionRefused(speaker.state.value)
    here = order.index(speaker.public_id)
    there = min(max(here + offset, 0), len(order) - 1)
    if there != here:
        order.insert(there, order.pop(here))
        reorder(speakers_list, order, now)
    return there + 1


def next_up(speakers_list: SpeakersList, now: datetime | None = None) -> Speaker | None:
    queue = services.lineup(speakers_list, now).queue
    return queue[0] if queue else None

