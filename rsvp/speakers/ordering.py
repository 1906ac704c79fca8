"""The order of the floor, its timetable and the Lineup built on them: pure (no database, no clock).

Default order, Human Rights Council practice: statements on behalf of groups
first, then member States, observer States, UN entities and IGOs, NHRIs, NGOs,
others; inside each by server arrival. Among group statements the same category
order applies (a State for a regional group before an NGO coalition). An
A-status NHRI speaks straight after its own State when that State is on the
list for an individual statement.

The organiser's own order is kept as positions. A later inscription without a
position goes straight after the speaker that precedes it in the default
order, so a manual order never shifts when new inscriptions arrive. Speakers
moved to the end wait behind everyone, in the order they were moved.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from rsvp.speakers.models import STATE_CATEGORIES, Speaker, SpeakerCategory, SpeakersList

CATEGORY_RANK = {
    SpeakerCategory.MEMBER_STATE: 1,
    SpeakerCategory.OBSERVER_STATE: 2,
    SpeakerCategory.UN_IGO: 3,
    SpeakerCategory.NHRI: 4,
    SpeakerCategory.NGO: 5,
    SpeakerCategory.OTHER: 6,
}


class Orderable(Protocol):
    """What ordering reads of a speaker (a Speaker row, or a plain object in tests)."""

    @property
    def id(self) -> int: ...
    @property
    def category(self) -> SpeakerCategory: ...
    @property
    def on_behalf_of_group(self) -> bool: ...
    @property
    def country(self) -> str | None: ...
    @property
    def nhri_a_status(self) -> bool: ...
    @property
    def inscribed_at(self) -> datetime: ...
    @property
    def position(self) -> int | None: ...
    @property
    def moved_to_end_at(self) -> datetime | None: ...
    @property
    def right_of_reply(self) -> bool: ...
    @property
    def priority_requested(self) -> bool: ...


T = TypeVar("T", bound=Orderable)


def _default_key(entry: Orderable) -> tuple[int, int, int, datetime, int]:
    # Priority is honoured inside the NGO category only (OHCHR's guidelines for NGO statements).
    priority = entry.category is SpeakerCategory.NGO and entry.priority_requested
    return (0 if entry.on_behalf_of_group else 1, CATEGORY_RANK[entry.category], 0 if priority else 1,
            entry.inscribed_at, entry.id)


def _national_state(entry: Orderable) -> str | None:
    """The country of a State speaking for itself (the statement an NHRI follows)."""
    if entry.category in STATE_CATEGORIES and not entry.on_behalf_of_group:
        return entry.country
    return None


def default_order(entries: Sequence[T]) -> list[T]:
    """Groups first, then by category and arrival, each A-status NHRI right after its State."""
    ranked = sorted(entries, key=_default_key)
    states = {country for e in ranked if (country := _national_state(e))}
    followers: dict[str, list[T]] = {}
    for entry in ranked:
        if (entry.category is SpeakerCategory.NHRI and entry.nhri_a_status
                and not entry.on_behalf_of_group and entry.country in states):
            followers.setdefault(entry.country or "", []).append(entry)
    following = {e.id for group in followers.values() for e in group}
    result: list[T] = []
    for entry in ranked:
        if entry.id in following:
            continue
        result.append(entry)
        country = _national_state(entry)
        if country:
            result.extend(followers.pop(country, []))  # after the State's first statement only
    return result


def list_order(entries: Sequence[T]) -> list[T]:
    """The whole list: the main list (main_order), then the rights of reply in order of arrival."""
    replies = sorted((e for e in entries if e.right_of_reply), key=lambda e: (e.inscribed_at, e.id))
    return main_order([e for e in entries if not e.right_of_reply]) + replies


def main_order(entries: Sequence[T]) -> list[T]:
    """The organiser's positions, later arrivals anchored, the moved at the end."""
    moved = sorted((e for e in entries if e.moved_to_end_at is not None),
                   key=lambda e: (e.moved_to_end_at, e.id))
    default = default_order([e for e in entries if e.moved_to_end_at is None])
    if all(e.position is None for e in default):
        return default + moved
    head: list[T] = []
    after: dict[int, list[T]] = {}
    anchor: T | None = None
    for entry in default:
        if entry.position is not None:
            anchor = entry
        elif anchor is None:
            head.append(entry)  # nobody placed by hand comes before it: it leads
        else:
            after.setdefault(anchor.id, []).append(entry)
    result = head
    for entry in sorted((e for e in default if e.position is not None),
                        key=lambda e: (e.position, e.id)):
        result.append(entry)
        result.extend(after.get(entry.id, []))
    return result + moved


K = TypeVar("K", bound=Hashable)


def draw_key(seed: str, place: int) -> str:
    """The lot of the entry at ``place`` (1, 2, … in the drawn part, before the draw):
    SHA-256 of ``"<seed>:<place>"`` in UTF-8, as 64 lower-case hexadecimal digits."""
    return hashlib.sha256(f"{seed}:{place}".encode()).hexdigest()


def drawn(entries: Sequence[K], seed: str) -> list[K]:
    """``entries`` (the drawn part, in list order before the draw) in the order the lots give:
    by ascending draw_key(seed, place). Anyone holding the seed and the part as it stood can
    recompute it (README, "Drawing lots"); the same seed always gives the same order."""
    places = range(1, len(entries) + 1)
    return [entry for _key, _place, entry in sorted(
        zip((draw_key(seed, place) for place in places), places, entries, strict=True),
        key=lambda lot: (lot[0], lot[1]))]


def positions(keys: Sequence[K]) -> dict[K, int]:
    """Positions 1..n that store ``keys`` in this order."""
    return {key: number for number, key in enumerate(keys, start=1)}


def swapped(keys: Sequence[K], first: K, second: K) -> list[K]:
    """``keys`` with two of them exchanged.

    :raises ValueError: either key is not in ``keys``.
    """
    result = list(keys)
    i, j = result.index(first), result.index(second)
    result[i], result[j] = result[j], result[i]
    return result


@dataclass(frozen=True)
class Turn:
    """The speaker holding the floor, as the timer sees them."""

    started_at: datetime
    seconds_allowed: int
    #: Set once the organiser stopped the timer: the floor is free again.
    ended_at: datetime | None = None

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds of the allowance left at ``now`` (or at the stop); negative once over."""
        elapsed = ((self.ended_at or now) - self.started_at).total_seconds()
        return math.ceil(self.seconds_allowed - elapsed)

    def expected_end(self, now: datetime) -> datetime:
        if self.ended_at is not None:
            return max(self.ended_at, now)
        return max(self.started_at + timedelta(seconds=self.seconds_allowed), now)


@dataclass(frozen=True)
class Slot:
    key: Hashable
    starts_at: datetime
    ends_at: datetime
    #: Ends within the floor time.
    fits: bool


@dataclass(frozen=True)
class Timetable:
    slots: list[Slot]
    floor_starts_at: datetime
    floor_ends_at: datetime
    #: When the last waiting speaker would finish (the current one's end if nobody waits).
    ends_at: datetime
    #: Floor time not yet elapsed.
    remaining_seconds: int
    #: How far the list runs past the floor end (0 when it fits).
    overrun_seconds: int

    @property
    def fits(self) -> bool:
        return self.overrun_seconds == 0


def timetable(queue: Sequence[tuple[Hashable, int]], *, now: datetime, floor_starts_at: datetime,
              floor_minutes: int, current: Turn | None = None,
              opened_at: datetime | None = None) -> Timetable:
    """Projected start of each waiting speaker, given ``(key, seconds allowed)`` in order.

    Nobody starts before the floor opens or before now; the current speaker
    keeps the floor for their full time, or until now if they run over. A floor
    the chair opened early (``opened_at``: the first speaker's start, before the
    scheduled time) runs from then: the speakers after them follow on at once,
    not at the scheduled time, which may be another day.
    """
    if opened_at is not None and opened_at < floor_starts_at:
        floor_starts_at = opened_at
    floor_ends_at = floor_starts_at + timedelta(minutes=floor_minutes)
    cursor = current.expected_end(now) if current else max(now, floor_starts_at)
    slots = []
    for key, seconds in queue:
        end = cursor + timedelta(seconds=seconds)
        slots.append(Slot(key, cursor, end, end <= floor_ends_at))
        cursor = end
    remaining = (floor_ends_at - max(now, floor_starts_at)).total_seconds()
    # Only someone speaking or waiting can run over; an empty floor after its end does not.
    overrun = (cursor - floor_ends_at).total_seconds() if slots or current else 0
    return Timetable(slots, floor_starts_at, floor_ends_at, cursor,
                     remaining_seconds=max(int(remaining), 0), overrun_seconds=max(int(overrun), 0))


@dataclass(frozen=True)
class Lineup:
    """The list as it stands at ``now``: its order, who speaks, who waits and when."""

    speakers_list: SpeakersList
    #: Everyone listed (not withdrawn), in list order.
    order: list[Speaker]
    current: Speaker | None
    #: Waiting speakers, in the order they will be called.
    queue: list[Speaker]
    timetable: Timetable

    def place_of(self, speaker: Speaker) -> int | None:
        """1 for the next speaker called; None once they are no longer waiting."""
        ids = [s.id for s in self.queue]
        return ids.index(speaker.id) + 1 if speaker.id in ids else None

    def slot_of(self, speaker: Speaker) -> Slot | None:
        return next((slot for slot in self.timetable.slots if slot.key == speaker.id), None)
