"""Running the speakers list live: the operations the organiser's console calls, the live state
that the public list and the console poll, and the report afterwards.

The timer is server-authoritative: start() stores when the speaker was given
the floor, and every screen counts down from that instant, corrected by the
server's clock it is sent with each state. Functions flush, never commit.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rsvp.extensions import db
from rsvp.i18n import country_name, language_name
from rsvp.speakers import ordering, services
from rsvp.speakers.labels import CATEGORY_SHORT, STATE_LABELS
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
from rsvp.speakers.services import SpeakersError, TransitionRefused, transition
from rsvp.timeutil import format_clock, format_span, now_utc, zone_abbreviation


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
    services.lock_lists(speakers_list.event_id, speakers_list)
    waiting = [s for s in services.lineup(speakers_list, now).queue if not s.right_of_reply]
    speakers_list.individual_seconds, speakers_list.group_seconds = individual_seconds, group_seconds
    speakers_list.category_seconds = {}
    for speaker in waiting:
        speaker.seconds_allowed = group_seconds if speaker.on_behalf_of_group else individual_seconds
    db.session.flush()
    services.changed(speakers_list.event_id)
    return len(waiting)


def add_reply(speakers_list: SpeakersList, category: SpeakerCategory, country: str, delegation: str,
              name: str = "", now: datetime | None = None) -> Speaker:
    """A State asks the secretariat for a right of reply: it joins the reply queue after the main
    list, in order of arrival, with the list's reply time (a cut leaves it as it is).

    :raises InvalidInscription: not a State, no country, or no delegation.
    """
    now = now or now_utc()
    services.lock_lists(speakers_list.event_id, speakers_list)
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
    services.changed(speakers_list.event_id)
    return speaker


def _store_order(order: list[Speaker]) -> None:
    if order:
        services.lock_lists(order[0].event_id)  # before any speaker's row (see lock_lists)
    for speaker, position in zip(order, ordering.positions([s.id for s in order]).values(), strict=True):
        speaker.position = position
    if order:
        services.changed(order[0].event_id)


def swap(first: Speaker, second: Speaker, now: datetime | None = None) -> None:
    """Exchange two waiting speakers' places (the keyboard alternative to dragging).

    :raises TransitionRefused: either is not waiting, or they are on different lists.
    """
    services.lock_lists(first.event_id, first, second)
    if not (first.is_waiting and second.is_waiting) or first.list_id != second.list_id:
        raise TransitionRefused("swap")
    lineup = services.lineup(_list_of(first), now)
    places = [lineup.place_of(first), lineup.place_of(second)]
    _store_order(lineup.order)
    first.position, second.position = second.position, first.position
    first.moved_to_end_at, second.moved_to_end_at = second.moved_to_end_at, first.moved_to_end_at
    db.session.add(SpeakersRecord(list_id=first.list_id, kind=RecordKind.SWAP, created_at=now or now_utc(),
                                  public={"speakers": [first.id, second.id], "places": places}))
    db.session.flush()


class InvalidDraw(SpeakersError):
    """The places asked for are not a part of the queue of two speakers or more."""


class AlreadyDrawn(SpeakersError):
    """The list was drawn before; drawing again must be asked for, and stays on record."""


def records_of(speakers_list: SpeakersList, *kinds: RecordKind) -> list[SpeakersRecord]:
    """The list's draws, swaps and substitutions (those of ``kinds``), oldest first."""
    query = sa.select(SpeakersRecord).where(SpeakersRecord.list_id == speakers_list.id)
    if kinds:
        query = query.where(SpeakersRecord.kind.in_(kinds))
    return list(db.session.scalars(query.order_by(SpeakersRecord.created_at, SpeakersRecord.id)))


def draws_of(speakers_list: SpeakersList) -> list[SpeakersRecord]:
    return records_of(speakers_list, RecordKind.DRAW)


def _speakers_by_id(ids: set[int]) -> dict[int, Speaker]:
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(sa.select(Speaker).where(Speaker.id.in_(ids)))}


def public_label(speaker: Speaker) -> str:
    """A speaker as the public list names them: the delegation, and the group it speaks for."""
    label = public_delegation(speaker)
    return f"{label} ({speaker.group_name})" if speaker.group_name else label


def public_draws(speakers_list: SpeakersList, zone: str) -> list[dict[str, Any]]:
    """Each draw as published: its seed, the places drawn, and the part before and after (what
    anyone needs to recompute it: README, "Drawing lots")."""
    draws = draws_of(speakers_list)
    people = _speakers_by_id({i for d in draws for i in d.public["before"]})
    return [{"seed": d.public["seed"], "first_place": d.public["first_place"],
             "last_place": d.public["last_place"], "drawn_at": iso(d.created_at),
             "drawn_at_local": format_clock(d.created_at, zone), "again": d.public["again_after"] is not None,
             "before": [public_label(people[i]) for i in d.public["before"] if i in people],
             "after": [public_label(people[i]) for i in d.public["after"] if i in people]}
            for d in draws]


def draw(speakers_list: SpeakersList, first_place: int, last_place: int, seed: str | None = None, *,
         again: bool = False, now: datetime | None = None) -> SpeakersRecord:
    """Draw lots for places ``first_place``..``last_place`` of the queue (1: the next called):
    ordering.drawn() with ``seed`` (a new random one unless the organiser gives one), stored as
    the organiser's order, and recorded with the seed and the part before and after.

    :raises InvalidDraw: not two waiting speakers or more between those places.
    :raises AlreadyDrawn: the list was drawn before and ``again`` is not set.
    """
    now = now or now_utc()
    services.lock_lists(speakers_list.event_id)
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
    record = SpeakersRecord(list_id=speakers_list.id, kind=RecordKind.DRAW, created_at=now, public={
        "seed": seed, "first_place": first_place, "last_place": last_place,
        "before": [s.id for s in part], "after": [s.id for s in result],
        "again_after": earlier[-1].id if earlier else None})
    db.session.add(record)
    db.session.flush()
    return record


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
    db.session.add(SpeakersRecord(
        list_id=speaker.list_id, kind=RecordKind.SUBSTITUTION, created_at=now,
        public={"speakers": [speaker.id]},
        private={"from": before, "to": name.strip(), "authorisation": authorisation.strip()}))
    db.session.flush()


def reorder(speakers_list: SpeakersList, public_ids: list[str], now: datetime | None = None) -> None:
    """The organiser's order for everyone waiting (drag and drop); later inscriptions keep it.

    :raises InvalidOrder: ``public_ids`` is not exactly the waiting speakers, each once.
    """
    services.lock_lists(speakers_list.event_id)
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
    services.lock_lists(speaker.event_id, speaker)
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


# -- what the screens show ------------------------------------------------------------------------

def iso(moment: datetime | None) -> str | None:
    """UTC to the millisecond: scripts count down from it."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signatory_names(speaker: Speaker) -> list[str]:
    """A joint statement's signatories as the reader reads them: States in their language."""
    return [country_name(s["state"]) if "state" in s else s.get("organisation", "")
            for s in speaker.signatories or []]


def shown_name(speaker: Speaker, sees_confidential: bool) -> str:
    """The speaker's name for an organiser: a confidential one's only for managers and owners."""
    if speaker.confidential and not sees_confidential:
        return str(_l("Confidential speaker"))
    return speaker.name


def public_delegation(speaker: Speaker) -> str:
    """The delegation as the public sees it: someone confidential speaking for no institution
    (category "other": the delegation may be their own name) is "a participant"."""
    if speaker.confidential and speaker.category is SpeakerCategory.OTHER:
        return str(_l("A participant"))
    return speaker.delegation


def entry_of(speaker: Speaker, zone: str, shows_names: bool, console: bool,
           slot: ordering.Slot | None = None, sees_confidential: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "delegation": speaker.delegation if console else public_delegation(speaker),
        "category": speaker.category.value,
        "category_label": str(CATEGORY_SHORT[speaker.category]),
        "group_name": speaker.group_name,
        "signatories": signatory_names(speaker),
        "language": speaker.language,
        "language_name": language_name(speaker.language),
        "seconds_allowed": speaker.seconds_allowed,
        "state": speaker.state.value,
        "state_label": str(STATE_LABELS[speaker.state]),
        "moved_to_end": speaker.moved_to_end_at is not None,
        "right_of_reply": speaker.right_of_reply,
        "priority": speaker.priority_requested,
    }
    if console:
        entry |= {"id": speaker.public_id, "has_statement": speaker.statement_stored_as is not None,
                  "has_video": speaker.video_stored_as is not None,
                  "name": shown_name(speaker, sees_confidential), "confidential": bool(speaker.confidential)}
    elif shows_names and not speaker.confidential:
        entry["name"] = speaker.name
    if speaker.state is SpeakerState.DELIVERED:
        entry["seconds_used"] = speaker.seconds_used
    if slot is not None:
        entry |= {"projected_start": iso(slot.starts_at),
                  "projected_start_local": format_clock(slot.starts_at, zone), "fits": slot.fits}
    return entry


def live_state(speakers_list: SpeakersList, now: datetime | None = None, *,
               console: bool = False, sees_confidential: bool = False) -> dict[str, Any]:
    """Everything a live screen shows, as plain JSON-ready values.

    The public form never holds an email address, a public id, a confidential
    speaker's name or, unless the list's settings allow it, anyone's name;
    ``console=True`` adds names and ids for the organisers (a confidential
    speaker's name only with ``sees_confidential``: managers and owners).
    """
    now = now or now_utc()
    return _state(speakers_list, services.lineup(speakers_list, now), now, console, sees_confidential)


def _state(speakers_list: SpeakersList, lineup: ordering.Lineup, now: datetime,
           console: bool, sees_confidential: bool = False) -> dict[str, Any]:
    table, zone = lineup.timetable, speakers_list.event.timezone
    shows_names = console or speakers_list.public_shows_names

    def _entry(speaker: Speaker, slot: ordering.Slot | None = None) -> dict[str, Any]:
        return entry_of(speaker, zone, shows_names, console, slot, sees_confidential)

    current = None
    if lineup.current is not None:
        turn = services.turn_of(lineup.current)
        current = _entry(lineup.current) | {
            "started_at": iso(turn.started_at if turn else None),
            "ended_at": iso(lineup.current.ended_at),
            "seconds_left": turn.seconds_left(now) if turn else lineup.current.seconds_allowed}
    queue = [_entry(s, slot) | {"place": place}
             for place, (s, slot) in enumerate(zip(lineup.queue, table.slots, strict=True), start=1)]
    done = [_entry(s) for s in lineup.order
            if s.state in (SpeakerState.DELIVERED, SpeakerState.ABSENT)]
    return {
        "server_now": iso(now),
        "window": services.window(speakers_list, now).value,
        "shows_names": shows_names,
        "timezone_abbr": zone_abbreviation(now, zone),
        "current": current,
        "queue": queue,
        "done": done,
        "draws": public_draws(speakers_list, zone),
        "floor": {
            "starts_at": iso(table.floor_starts_at),
            "starts_at_local": format_clock(table.floor_starts_at, zone),
            "ends_at": iso(table.floor_ends_at),
            "ends_at_local": format_clock(table.floor_ends_at, zone),
            # CLDR's interval in the reader's language, with the zone: "2:00 – 3:30 PM CET"
            "span_local": format_span(table.floor_starts_at, table.floor_ends_at, zone),
            "projected_end": iso(table.ends_at),
            "projected_end_local": format_clock(table.ends_at, zone),
            "remaining_seconds": table.remaining_seconds,
            "overrun_seconds": table.overrun_seconds,
            "fits": table.fits,
        },
    }


#: How long a public state stays true while the projected times run with the clock (nobody
#: speaking once the floor is open, or a speaker over time): the poll interval.
CLOCK_STEP = timedelta(seconds=1)
#: The longest a public state is kept without a change (a time zone's abbreviation, say).
LONGEST = timedelta(seconds=60)


def public_state(speakers_list: SpeakersList, now: datetime | None = None
                 ) -> tuple[dict[str, Any], datetime]:
    """The public live list, and the instant until which it stays true if nobody changes the list.

    Unlike live_state(), it holds nothing that changes every second (the server's now, the
    seconds left, the floor time left): the browser counts down from ``started_at`` and the
    server's clock sent beside it, so the same bytes serve every viewer until the next change.
    Built at a whole second, so processes that build it within the same second agree.
    """
    now = (now or now_utc()).replace(microsecond=0)
    lineup = services.lineup(speakers_list, now)
    state = _state(speakers_list, lineup, now, console=False)
    del state["server_now"], state["floor"]["remaining_seconds"]
    if state["current"] is not None:
        del state["current"]["seconds_left"]
    return state, _true_until(speakers_list, lineup, now)


def _true_until(speakers_list: SpeakersList, lineup: ordering.Lineup, now: datetime) -> datetime:
    """The next instant the public state changes by itself: inscription opening or closing, the
    event ending, the floor opening, the speaker's time running out; or the next second while
    the projected times follow the clock."""
    turn = services.turn_of(lineup.current)
    if turn is not None:
        runs_out = turn.started_at + timedelta(seconds=turn.seconds_allowed)
        projection_from = runs_out if turn.ended_at is None else now
    else:
        projection_from = lineup.timetable.floor_starts_at
    if projection_from <= now:
        return now + CLOCK_STEP
    event = speakers_list.event
    boundaries = (projection_from, speakers_list.opens_at, services.closes_at(speakers_list),
                  event.ends_at, now + LONGEST)
    return min(moment for moment in boundaries if moment is not None and moment > now)


# -- afterwards -----------------------------------------------------------------------------------

@dataclass
class CategoryTotals:
    category: SpeakerCategory
    delivered: int = 0
    absent: int = 0
    seconds_allowed: int = 0
    seconds_used: int = 0

    @property
    def seconds_over(self) -> int:
        return self.seconds_used - self.seconds_allowed


@dataclass
class Report:
    #: Everyone listed, in list order: time allowed against time used (None if they never spoke).
    speakers: list[Speaker]
    #: Delivered interventions per category, in the order of the floor.
    categories: list[CategoryTotals] = field(default_factory=list)
    #: The list's draws, swaps and substitutions, oldest first.
    records: list[SpeakersRecord] = field(default_factory=list)
    #: Everyone the records name, by id (the withdrawn included).
    people: dict[int, Speaker] = field(default_factory=dict)

    def notes(self, speaker: Speaker, sees_confidential: bool) -> list[str]:
        """What decisions did to this speaker: drawn by lot, swapped, substituted."""
        found = []
        if speaker.video_uploaded_at is not None:
            found.append(_("Statement delivered by video") if speaker.state is SpeakerState.DELIVERED
                         else _("Video statement sent"))
        for record in self.records:
            public = record.public
            if record.kind is RecordKind.DRAW and speaker.id in public["before"]:
                found.append(_("Drawn by lot (seed %(seed)s): place %(before)s → %(after)s",
                               seed=public["seed"],
                               before=public["first_place"] + public["before"].index(speaker.id),
                               after=public["first_place"] + public["after"].index(speaker.id)))
            elif record.kind is RecordKind.SWAP and speaker.id in public["speakers"]:
                other = self.people.get(next(i for i in public["speakers"] if i != speaker.id))
                found.append(_("Swapped places with %(other)s",
                               other=other.delegation if other else _("a withdrawn speaker")))
            elif record.kind is RecordKind.SUBSTITUTION and speaker.id in public["speakers"]:
                if speaker.confidential and not sees_confidential:
                    found.append(_("Speaker substituted, on authorisation"))
                else:
                    found.append(_("Speaker substituted: %(before)s → %(after)s (authorisation: %(note)s)",
                                   before=record.private.get("from", ""), after=record.private.get("to", ""),
                                   note=record.private.get("authorisation", "")))
        return found

    @property
    def seconds_allowed(self) -> int:
        return sum(c.seconds_allowed for c in self.categories)

    @property
    def seconds_used(self) -> int:
        return sum(c.seconds_used for c in self.categories)


def report(speakers_list: SpeakersList) -> Report:
    """Speaking time allowed and used, per speaker and per category (delivered interventions)."""
    lineup = services.lineup(speakers_list)
    totals = {c: CategoryTotals(c) for c in ordering.CATEGORY_RANK}
    for speaker in lineup.order:
        category = totals[speaker.category]
        if speaker.state is SpeakerState.DELIVERED:
            category.delivered += 1
            category.seconds_allowed += speaker.seconds_allowed
            category.seconds_used += speaker.seconds_used or 0
        elif speaker.state is SpeakerState.ABSENT:
            category.absent += 1
    records = records_of(speakers_list)
    people = _speakers_by_id({i for r in records
                              for i in r.public.get("before", r.public.get("speakers", []))})
    return Report(lineup.order, [c for c in totals.values() if c.delivered or c.absent], records, people)


# -- the speaker's own screen ---------------------------------------------------------------------

def own_status(speaker: Speaker, now: datetime | None = None) -> dict[str, Any]:
    """What a remote speaker's own page shows, live: their place, their projected time, and
    whether they are next or have the floor (so they know when to unmute). Nothing of anyone else.
    """
    now = now or now_utc()
    lineup = services.lineup(speaker.speakers_list, now)
    zone = speaker.event.timezone
    place, slot = lineup.place_of(speaker), lineup.slot_of(speaker)
    has_floor = lineup.current is not None and lineup.current.id == speaker.id
    status: dict[str, Any] = {"server_now": iso(now), "state": speaker.state.value, "place": place,
                              "has_floor": has_floor, "is_next": place == 1 and lineup.current is None,
                              "seconds_allowed": speaker.seconds_allowed, "current": None}
    if has_floor:
        status["current"] = {"started_at": iso(speaker.started_at), "ended_at": iso(speaker.ended_at),
                             "seconds_allowed": speaker.seconds_allowed}
        status["message"] = _("You have the floor: unmute now.")
    elif place == 1:
        status["message"] = (_("You are next: get ready to unmute.") if lineup.current is None else
                             _("You are next, after the speaker who has the floor: get ready to unmute."))
    elif place is not None:
        status["message"] = _("You are number %(place)s in the queue.", place=place)
    else:
        status["message"] = str(STATE_LABELS[speaker.state])
    if slot is not None:
        status |= {"projected_start": iso(slot.starts_at),
                   "projected_start_local": format_clock(slot.starts_at, zone), "fits": slot.fits}
    return status
