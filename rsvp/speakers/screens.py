"""What the live screens show of a speakers list: the public live list and its JSON, the
organisers' console, a remote speaker's own page; and the list's published records (draws,
swaps, substitutions). Plain JSON-ready values, built from services.lineup().
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rsvp.i18n import country_name, language_name
from rsvp.speakers import lists, ordering, services
from rsvp.speakers.labels import CATEGORY_SHORT, STATE_LABELS
from rsvp.speakers.models import (
    Speaker,
    SpeakerCategory,
    SpeakersList,
    SpeakerState,
)
from rsvp.speakers.records import draws_of, speakers_by_id
from rsvp.timeutil import format_clock, format_span, now_utc, zone_abbreviation


def public_label(speaker: Speaker) -> str:
    """A speaker as the public list names them: the delegation, and the group it speaks for."""
    label = public_delegation(speaker)
    return f"{label} ({speaker.group_name})" if speaker.group_name else label


def public_draws(speakers_list: SpeakersList, zone: str) -> list[dict[str, Any]]:
    """Each draw as published: its seed, the places drawn, and the part before and after (what
    anyone needs to recompute it: README, "Drawing lots")."""
    draws = draws_of(speakers_list)
    people = speakers_by_id({i for d in draws for i in d.public["before"]})
    return [{"seed": d.public["seed"], "first_place": d.public["first_place"],
             "last_place": d.public["last_place"], "drawn_at": iso(d.created_at),
             "drawn_at_local": format_clock(d.created_at, zone), "again": d.public["again_after"] is not None,
             "before": [public_label(people[i]) for i in d.public["before"] if i in people],
             "after": [public_label(people[i]) for i in d.public["after"] if i in people]}
            for d in draws]



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
        "window": lists.window(speakers_list, now).value,
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
    boundaries = (projection_from, speakers_list.opens_at, lists.closes_at(speakers_list),
                  event.ends_at, now + LONGEST)
    return min(moment for moment in boundaries if moment is not None and moment > now)


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
