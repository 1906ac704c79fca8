"""What organisers watch before an event: counts, language demand, their events.

Counts are computed by the database from the counts it keeps by triggers
(rsvp.registrations.tallies), never by loading every registration. The list of
registrations is rsvp.registrations.listing (its filters rsvp.registrations.selection,
its orders by sealed columns rsvp.registrations.ordering); the names below are
imported here too, where the rest of the code has always found them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from rsvp.auth import roles
from rsvp.auth.models import EventRole, Organiser, Role
from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db
from rsvp.registrations.listing import SORTS as SORTS
from rsvp.registrations.listing import Cursor as Cursor
from rsvp.registrations.listing import KeptPage as KeptPage
from rsvp.registrations.listing import attendees as attendees
from rsvp.registrations.listing import count_matching as count_matching
from rsvp.registrations.listing import cursor_of as cursor_of
from rsvp.registrations.listing import matching as matching
from rsvp.registrations.models import RegistrationStatus
from rsvp.registrations.ordering import FOUND_FEW as FOUND_FEW
from rsvp.registrations.ordering import in_order as in_order
from rsvp.registrations.ordering import opened_order as opened_order
from rsvp.registrations.selection import AttendeeFilter as AttendeeFilter
from rsvp.registrations.selection import among as among
from rsvp.registrations.selection import checked as checked
from rsvp.registrations.selection import in_batches as in_batches
from rsvp.registrations.tallies import RegistrationDay, RegistrationTally, RegistrationTrait
from rsvp.timeutil import local_to_utc, to_local

#: Who counts as coming: everyone whose registration still stands or waits for a seat.
COUNTED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
           RegistrationStatus.PENDING_APPROVAL)


@dataclass
class Dashboard:
    by_status: dict[str, int] = field(default_factory=dict)
    #: Counted registrations (see COUNTED) by attendance mode, organisation type, country.
    by_mode: dict[str, int] = field(default_factory=dict)
    by_organisation_type: dict[str, int] = field(default_factory=dict)
    by_country: list[tuple[str, int]] = field(default_factory=list)
    #: Interpretation language -> {attendance mode -> count}; "floor" for no interpretation.
    languages: dict[str, dict[str, int]] = field(default_factory=dict)
    captions: int = 0
    accessibility: int = 0
    grounds_pass_needed: int = 0
    checked_in: int = 0
    #: (day in the event's zone, registrations that day, running total).
    over_time: list[tuple[date, int, int]] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return sum(self.by_mode.values())


def _summed(event: Event, table: Any, *keys: Any, counted_only: bool = True,
            ) -> list[tuple[Any, ...]]:
    """The event's kept counts in ``table`` summed by ``keys``: a few hundred rows at most."""
    conditions: list[Any] = [table.event_id == event.id]
    if counted_only:
        conditions.append(table.status.in_([status.value for status in COUNTED]))
    return [tuple(row) for row in db.session.execute(
        sa.select(*keys, sa.func.sum(table.n)).where(*conditions).group_by(*keys)
        .having(sa.func.sum(table.n) > 0))]


def dashboard(event: Event) -> Dashboard:
    """Everything the dashboard shows, summed in SQL from the counts the database keeps
    (rsvp.registrations.tallies: a few rows per combination, whatever the event's size);
    counts stay right after personal data is erased."""
    T, U = RegistrationTally, RegistrationTrait
    board = Dashboard()
    for status, checked_in, count in _summed(event, T, T.status, T.checked_in, counted_only=False):
        board.by_status[status] = board.by_status.get(status, 0) + count
        board.checked_in += count if checked_in else 0
    for mode, language, count in _summed(event, T, T.attendance_mode, T.interpretation_language):
        board.by_mode[mode] = board.by_mode.get(mode, 0) + count
        board.languages.setdefault(language or "floor", {})[mode] = count
    board.by_organisation_type = {kind: count
                                  for kind, count in _summed(event, T, T.organisation_type)}
    by_country: dict[str, int] = {}
    for country, captions, accessibility, grounds_pass, count in _summed(
            event, U, U.country, U.captions, U.accessibility, U.grounds_pass_needed):
        by_country[country] = by_country.get(country, 0) + count
        board.captions += count if captions else 0
        board.accessibility += count if accessibility else 0
        board.grounds_pass_needed += count if grounds_pass else 0
    board.by_country = sorted(by_country.items(), key=lambda pair: (-pair[1], pair[0]))
    board.over_time = _over_time(event)
    return board


def _over_time(event: Event) -> list[tuple[date, int, int]]:
    """Registrations per day in the event's zone (every registration ever made, cancelled too),
    from the quarter hours the database counts (RegistrationDay), summed in SQL by UTC day and
    by which side of each time of day the zone's midnight falls on: a few rows a day."""
    days = RegistrationDay
    first, last = db.session.execute(sa.select(sa.func.min(days.bucket), sa.func.max(days.bucket))
                                     .where(days.event_id == event.id)).one()
    if first is None:
        return []
    cuts = _midnights(event.timezone, date.fromisoformat(first[:10]), date.fromisoformat(last[:10]))
    utc_day, time_of_day = sa.func.substr(days.bucket, 1, 10), sa.func.substr(days.bucket, 12, 5)
    sides = [(time_of_day >= cut).label(f"after_{n}") for n, cut in enumerate(cuts)]
    per_day: Counter[date] = Counter()
    for utc, *after, count in db.session.execute(
            sa.select(utc_day, *sides, sa.func.sum(days.n)).where(days.event_id == event.id)
            .group_by(utc_day, *sides).having(sa.func.sum(days.n) > 0)):
        since = max((cut for cut, later in zip(cuts, after, strict=True) if later), default="00:00")
        moment = datetime.fromisoformat(f"{utc}T{since}:00+00:00")
        per_day[to_local(moment, event.timezone).date()] += count
    total, series = 0, []
    for day in sorted(per_day):
        total += per_day[day]
        series.append((day, per_day[day], total))
    return series


def _midnights(zone_name: str, first: date, last: date) -> list[str]:
    """The UTC times of day ("HH:MM") at which the zone's midnight falls from ``first`` to
    ``last`` (UTC days): one for most zones, two where the clocks change."""
    cuts: set[str] = set()
    day = first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        midnight = local_to_utc(datetime.combine(day, datetime.min.time()), zone_name)
        cuts.add(midnight.strftime("%H:%M"))
        day += timedelta(days=1)
    return sorted(cuts - {"00:00"})


def door_counts(event: Event) -> dict[str, int]:
    """What the check-in desk shows and polls: arrived and expected, two counts, nothing more; of
    those who come to the room only (a hybrid event's online participants never reach the door)."""
    of_event = [RegistrationTally.event_id == event.id,
                RegistrationTally.attendance_mode == AttendanceMode.IN_PERSON.value]
    checked_in, expected = db.session.execute(sa.select(
        sa.func.coalesce(sa.func.sum(RegistrationTally.n).filter(
            RegistrationTally.checked_in.is_(True)), 0),
        sa.func.coalesce(sa.func.sum(RegistrationTally.n).filter(
            RegistrationTally.status == RegistrationStatus.CONFIRMED.value), 0),
    ).where(*of_event)).one()
    return {"checked_in": int(checked_in), "expected": int(expected)}


@dataclass(frozen=True)
class EventSummary:
    """One line of an organiser's event list: their role and registration counts, no names."""

    event: Event
    #: None for a site admin who holds no role of their own on the event.
    role: Role | None
    counts: dict[RegistrationStatus, int] = field(default_factory=dict)

    @property
    def confirmed(self) -> int:
        return self.counts.get(RegistrationStatus.CONFIRMED, 0)

    @property
    def waitlisted(self) -> int:
        return self.counts.get(RegistrationStatus.WAITLISTED, 0)

    @property
    def pending(self) -> int:
        return (self.counts.get(RegistrationStatus.PENDING_EMAIL, 0)
                + self.counts.get(RegistrationStatus.PENDING_APPROVAL, 0))

    @property
    def may_manage_team(self) -> bool:
        return self.role is Role.OWNER

    @property
    def may_edit(self) -> bool:
        return self.role is not None and roles.satisfies(self.role, Role.MANAGER)


def events_of(organiser: Organiser) -> list[EventSummary]:
    """The events ``organiser`` holds a role on (every event for an admin), soonest first."""
    query = sa.select(Event, EventRole.role).outerjoin(
        EventRole, sa.and_(EventRole.event_id == Event.id, EventRole.organiser_id == organiser.id))
    if not organiser.is_admin:
        query = query.where(EventRole.id.is_not(None))
    rows = db.session.execute(query.order_by(Event.starts_at, Event.id)).all()
    counts: dict[int, dict[RegistrationStatus, int]] = {}
    if rows:
        T = RegistrationTally  # the counts the database keeps: no registration is read
        for event_id, status, count in db.session.execute(
                sa.select(T.event_id, T.status, sa.func.sum(T.n))
                .where(T.event_id.in_([event.id for event, _ in rows]))
                .group_by(T.event_id, T.status)):
            counts.setdefault(event_id, {})[RegistrationStatus(status)] = int(count)
    return [EventSummary(event, role, counts.get(event.id, {})) for event, role in rows]
