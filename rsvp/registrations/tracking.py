"""What organisers watch before an event: counts, language demand, the attendee list, their events.

Counts are computed by the database (GROUP BY), never by loading every
registration; the list is filtered, sorted and paginated the same way, except
by what is sealed at rest (rsvp.sealing): a search in names, organisations and
addresses, or an order by name or organisation, opens those columns of the
event's registrations in the application, kept opened per process
(rsvp.registrations.opened; bench/sealing.py measures it at 10,000 and 100,000).
A search pages through the ids it finds; an order by name walks the kept order
from the nearer end, the database checking the filters a block at a time
(``SortedPage``; bench/scale.py measures it at 1,000 to 100,000).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.dialects.postgresql import ARRAY
from werkzeug.datastructures import MultiDict

from rsvp import sealing
from rsvp.auth import roles
from rsvp.auth.models import EventRole, Organiser, Role
from rsvp.events.models import AttendanceMode, Event
from rsvp.extensions import db
from rsvp.registrations.models import (
    OrganisationType,
    Registration,
    RegistrationStatus,
)
from rsvp.registrations.opened import (
    COLUMNS,
    containing,
    folded,
    opened,
    order,
    ordered,
    prepared,
    so_far,
    walked,
)
from rsvp.registrations.tallies import RegistrationDay, RegistrationTally, RegistrationTrait
from rsvp.timeutil import local_to_utc, to_local

#: Who counts as coming: everyone whose registration still stands or waits for a seat.
COUNTED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
           RegistrationStatus.PENDING_APPROVAL)

SORTS: dict[str, tuple[Any, ...]] = {
    "newest": (Registration.created_at.desc(), Registration.id.desc()),
    "oldest": (Registration.created_at, Registration.id),
    "name": (),
    "organisation": (),
    "status": (Registration.status, Registration.created_at, Registration.id),
}
#: Each SQL sort read from the list's other end: a page past the middle is read from there.
BACKWARDS: dict[str, tuple[Any, ...]] = {
    "newest": SORTS["oldest"],
    "oldest": SORTS["newest"],
    "status": (Registration.status.desc(), Registration.created_at.desc(), Registration.id.desc()),
}
#: Sorts by a sealed column: ordered in the application, once opened.
SEALED_SORTS = {"name": Registration.name, "organisation": Registration.organisation}
#: Rows read at a time while opening sealed columns.
OPEN_BATCH = 2000


@dataclass(frozen=True)
class AttendeeFilter:
    """A segment of an event's registrations: the list's filters and a message's audience."""

    search: str = ""
    statuses: tuple[RegistrationStatus, ...] = ()
    mode: AttendanceMode | None = None
    #: An interpretation language code, or "floor" for those following the floor language.
    language: str | None = None
    organisation_type: OrganisationType | None = None
    checked_in: bool | None = None
    #: Those who asked for confidentiality only (True), everyone else (False), or everyone.
    confidential: bool | None = None

    @classmethod
    def from_query(cls, args: MultiDict[str, str]) -> AttendeeFilter:
        """The filter a list page's query string describes; unknown values are ignored."""
        statuses = tuple(RegistrationStatus(v) for v in args.getlist("status")
                         if v in RegistrationStatus._value2member_map_)
        mode = args.get("mode", "")
        kind = args.get("type", "")
        checked = args.get("checked", "")
        confidential = {"yes": True, "no": False}.get(args.get("confidential", ""))
        return cls(
            confidential=confidential,
            search=args.get("q", "")[:200], statuses=statuses,
            mode=AttendanceMode(mode) if mode in AttendanceMode._value2member_map_ else None,
            language=args.get("language") or None,
            organisation_type=(OrganisationType(kind)
                               if kind in OrganisationType._value2member_map_ else None),
            checked_in={"yes": True, "no": False}.get(checked))

    def query_args(self) -> dict[str, Any]:
        """The query string that describes this filter (links keep the list's filters)."""
        args: dict[str, Any] = {}
        if self.search:
            args["q"] = self.search
        if self.statuses:
            args["status"] = [s.value for s in self.statuses]
        if self.mode:
            args["mode"] = self.mode.value
        if self.language:
            args["language"] = self.language
        if self.organisation_type:
            args["type"] = self.organisation_type.value
        if self.checked_in is not None:
            args["checked"] = "yes" if self.checked_in else "no"
        if self.confidential is not None:
            args["confidential"] = "yes" if self.confidential else "no"
        return args

    def describe(self) -> str:
        """For the audit log: which filter, without personal data beyond the search text."""
        parts = [f"{k}={','.join(v) if isinstance(v, list) else v}"
                 for k, v in self.query_args().items() if k != "q"]
        if self.search:
            parts.append("search")
        return "; ".join(parts) or "all"

    def conditions(self, event: Event) -> list[Any]:
        """What the database can select by itself: everything but the search (sealed columns)."""
        conditions: list[Any] = [Registration.event_id == event.id,
                                 Registration.erased_at.is_(None)]
        if self.statuses:
            conditions.append(Registration.status.in_(self.statuses))
        if self.mode is not None:
            conditions.append(Registration.attendance_mode == self.mode)
        if self.language == "floor":
            conditions.append(Registration.interpretation_language.is_(None))
        elif self.language:
            conditions.append(Registration.interpretation_language == self.language)
        if self.organisation_type is not None:
            conditions.append(Registration.organisation_type == self.organisation_type)
        if self.checked_in is True:
            conditions.append(Registration.checked_in_at.is_not(None))
        elif self.checked_in is False:
            conditions.append(Registration.checked_in_at.is_(None))
        if self.confidential is not None:
            conditions.append(Registration.confidential.is_(self.confidential))
        return conditions

    def tally_conditions(self, event: Event) -> list[Any]:
        """The same selection over the counts the database keeps (RegistrationTally)."""
        T = RegistrationTally
        conditions: list[Any] = [T.event_id == event.id, T.erased.is_(False)]
        if self.statuses:
            conditions.append(T.status.in_([status.value for status in self.statuses]))
        if self.mode is not None:
            conditions.append(T.attendance_mode == self.mode.value)
        if self.language:
            conditions.append(T.interpretation_language
                              == ("" if self.language == "floor" else self.language))
        if self.organisation_type is not None:
            conditions.append(T.organisation_type == self.organisation_type.value)
        for column, wanted in ((T.checked_in, self.checked_in), (T.confidential, self.confidential)):
            if wanted is not None:
                conditions.append(column.is_(wanted))
        return conditions

    def count(self, event: Event) -> int:
        """How many registrations the database selects (all but the search), from its counts."""
        return int(db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(RegistrationTally.n), 0))
            .where(*self.tally_conditions(event))) or 0)


#: Above this many registrations found by a search, the database's filters are applied while
#: reading every id of the event; below, to the ids found, a few hundred per query.
FOUND_FEW = 5000
#: Ids of a kept order checked against the filters per query (a walk, see ``_walk``).
WALK_MOST = 1000
#: Past this many blocks from the nearer end, a walk counts every block in one query first.
WALK_FAR = 8


def opened_order(event_id: int, conditions: list[Any], search: str = "", by: Any = None) -> list[int]:
    """Ids of the event's registrations ``conditions`` select whose name, organisation or
    address contains ``search``, ordered by the sealed column ``by`` (then id), or by id.

    Name, organisation and address come opened from rsvp.registrations.opened; any other
    ``by`` (the passport name) is read as stored, OPEN_BATCH rows at a time, and opened here.
    """
    needle = folded(search.strip())
    if by is None or by in COLUMNS:
        ids = (_selected(event_id, conditions, needle) if needle
               else _ids(sa.select(Registration.id).where(*conditions)))
        return sorted(ids) if by is None else ordered(event_id, by, ids)
    kept = opened(event_id) if needle else {}

    def found(registration_id: int) -> bool:
        return not needle or any(needle in text for text in kept.get(registration_id, ()))

    open_ = sealing.keyring().open
    rows = db.session.execute(sa.select(Registration.id, sa.type_coerce(by, sa.Text))
                              .where(*conditions).execution_options(yield_per=OPEN_BATCH))
    return [registration_id for _key, registration_id in sorted(
        (folded(open_(value)) if value else "", registration_id)
        for registration_id, value in rows if found(registration_id))]


def in_order(event: Event, selection: AttendeeFilter, by: Any, size: int = 1000,
             ) -> Iterator[list[int]]:
    """Ids in the order of the sealed column ``by`` (then id), ``size`` at a time, among which
    are all of the event's registrations ``selection`` selects: the caller's query asks its
    conditions again. Without a search these are slices of the order kept opened
    (rsvp.registrations.opened): no list of the selection is built, whatever its size.

    The order is found now, the slices taken as they are read: nothing of ``event`` is read
    later (an export streams after the request's session ends).
    """
    if selection.search.strip() or by not in COLUMNS:
        ids = opened_order(event.id, selection.conditions(event), selection.search, by)
    else:
        ids = order(event.id, by)
    return (ids[start:start + size] for start in range(0, len(ids), size))


def checked(conditions: list[Any]) -> Any:
    """``conditions`` as one test for a query that names its ids (``id IN (...)``), which the
    database must then use to find the rows: SQLite, without statistics, would otherwise read
    the event's index from its start for every chunk (40-50 ms a chunk at 100,000 against
    under 10), as each condition could use it. Wrapped in COALESCE, none can; the result is
    the same (a WHERE that is NULL selects nothing either)."""
    return sa.func.coalesce(sa.and_(*conditions), sa.false(), type_=sa.Boolean)


def among(ids: list[int]) -> Any:
    """``id IN (ids)``; on PostgreSQL as one array parameter (``id = ANY(:ids)``), which it
    binds and plans once instead of a parameter per id: 3.3 ms against 16.8 for 1,000 ids."""
    if db.engine.dialect.name == "postgresql":
        return Registration.id == sa.any_(sa.literal(ids, type_=ARRAY(sa.Integer)))
    return Registration.id.in_(ids)


def _ids(query: sa.Select[Any]) -> list[int]:
    """The ids ``query`` selects, read as plain values: the ORM costs microseconds a row, which
    at 100,000 rows is most of a page."""
    return list(db.session.connection().execute(query).scalars().all())


def _selected(event_id: int, conditions: list[Any], needle: str,
              candidates: list[int] | None = None) -> list[int]:
    """The ids of registrations containing ``needle`` that ``conditions`` select."""
    if candidates is None:
        candidates = containing(event_id, needle)
    if len(candidates) > FOUND_FEW:
        wanted = set(candidates)
        return [i for i in _ids(sa.select(Registration.id).where(*conditions)) if i in wanted]
    query = sa.select(Registration.id).where(checked(conditions))
    return [i for start in range(0, len(candidates), 500) for i in _ids(
        query.where(among(candidates[start:start + 500])))]


def _count_blocks(order: list[int], conditions: list[Any], counts: dict[int, int]) -> None:
    """How many ids of each block of ``order`` ``conditions`` select, from every id they
    select read in one query: a deep page of a narrow filter would otherwise check tens of
    blocks one query at a time (2.5 s for the middle page at 100,000 on PostgreSQL)."""
    selected = set(_ids(sa.select(Registration.id).where(*conditions)))
    for block in range(-(-len(order) // WALK_MOST)):
        counts[block] = sum(1 for i in order[block * WALK_MOST:(block + 1) * WALK_MOST]
                            if i in selected)


def _walk(order: list[int], conditions: list[Any], skip: int, size: int,
          counts: dict[int, int], share: float = 1.0, backwards: bool = False) -> list[int]:
    """The ``size`` ids that follow the first ``skip`` of ``order`` ``conditions`` select (from
    its end when ``backwards``; then in the order's order).

    ``order`` is walked a block of WALK_MOST ids at a time, each block's ids checked in one
    query, until the page is full. ``counts`` (block -> ids selected) is what earlier walks of
    this version of the order learnt under the same filter: a block known to lie wholly
    before the page is passed without a query, so paging on from a deep page costs a block
    or two, and only the first walk to a depth pays for it. When the page lies more than
    WALK_FAR blocks in (``share``: the part of the order the filter is expected to select),
    every block is counted at once (``_count_blocks``) instead.
    """
    query = sa.select(Registration.id).where(checked(conditions))
    blocks = range(-(-len(order) // WALK_MOST))
    if len(counts) < len(blocks) and skip > WALK_FAR * WALK_MOST * share:
        _count_blocks(order, conditions, counts)
    page: list[int] = []
    passed = 0  # ids selected before the block at hand
    for block in (reversed(blocks) if backwards else blocks):
        known = counts.get(block)
        if known is not None and passed + known <= skip:
            passed += known
            continue
        chunk = order[block * WALK_MOST:(block + 1) * WALK_MOST]
        selected = set(_ids(query.where(among(chunk))))
        kept = [i for i in (reversed(chunk) if backwards else chunk) if i in selected]
        counts[block] = len(kept)
        start = max(0, skip - passed)
        page.extend(kept[start:start + size - len(page)])
        passed += len(kept)
        if len(page) == size:
            break
    return page[::-1] if backwards else page


def selected_ids(event: Event, selection: AttendeeFilter, sort: str = "") -> list[int] | None:
    """The ids ``opened_order`` finds when the search or the sort needs sealed columns opened;
    None when the database can filter and sort alone."""
    by = SEALED_SORTS.get(sort)
    if not selection.search.strip() and by is None:
        return None
    return opened_order(event.id, selection.conditions(event), selection.search, by)


@dataclass(frozen=True)
class Preparing:
    """The event's names are being opened in the background (rsvp.registrations.opened.warm):
    the page shows what it can and says so."""

    opened: int
    of: int


class ListPage(Pagination):
    """A page of the organiser's list; ``preparing`` while the names it needs are opening."""

    preparing: Preparing | None = None


class OpenedPage(ListPage):
    """A page of registrations out of a list of ids in order (``opened_order``)."""

    def _query_items(self) -> list[Any]:
        ids = self._query_args["ids"]
        self.page = min(self.page, max(1, -(-len(ids) // self.per_page)))
        return next(in_batches(ids[(self.page - 1) * self.per_page:self.page * self.per_page]), [])

    def _query_count(self) -> int:
        return len(self._query_args["ids"])


class _CountedPage(ListPage):
    """A page counted from the kept counts (RegistrationTally): a page past the last is the
    last; ``_ids_of(start, size, total)`` reads the ids of the page."""

    def _query_items(self) -> list[Any]:
        event, selection = self._query_args["event"], self._query_args["selection"]
        self._total = total = selection.count(event)
        # A page past the last one is the last one (as rsvp.db.LastPageAtMost).
        self.page = min(self.page, max(1, -(-total // self.per_page)))
        start = (self.page - 1) * self.per_page
        if start >= total:
            return []
        return next(in_batches(self._ids_of(start, min(self.per_page, total - start), total)), [])

    def _ids_of(self, start: int, size: int, total: int) -> list[int]:
        raise NotImplementedError

    def _query_count(self) -> int:
        return self._total


class CountedPage(_CountedPage):
    """A page of the list the database filters and sorts alone: read by the list's index from
    whichever end is nearer, so the last page costs what the first does."""

    def _ids_of(self, start: int, size: int, total: int) -> list[int]:
        event, selection, sort = (self._query_args[k] for k in ("event", "selection", "sort"))
        query = sa.select(Registration.id).where(*selection.conditions(event))
        if start <= total - start - size:
            return _ids(query.order_by(*SORTS[sort]).offset(start).limit(size))
        return _ids(query.order_by(*BACKWARDS[sort]).offset(total - start - size).limit(size))[::-1]


class SortedPage(_CountedPage):
    """A page of the list in the order of a sealed column, without a search: the order kept
    opened (rsvp.registrations.opened) walked from whichever end is nearer, the database's
    filters checked a chunk at a time (``_walk``), counted from the kept counts. No id the
    filters select is read but those of the chunks walked: the first and last pages cost what
    they cost at any size, the middle pages of a narrow filter the most."""

    def _ids_of(self, start: int, size: int, total: int) -> list[int]:
        event, selection, by = (self._query_args[k] for k in ("event", "selection", "by"))
        after = total - start - size
        backwards = start > after
        # What a walk learns holds for this version of the rows and this filter's count.
        kept, counts = walked(event.id, by, (selection, total))
        return _walk(kept, selection.conditions(event), after if backwards else start, size,
                     counts, total / max(1, len(kept)), backwards)


def attendees(event: Event, selection: AttendeeFilter, sort: str = "newest", page: int = 1,
              per_page: int = 50) -> ListPage:
    """A page of the organiser's list. When it needs the event's names opened and they are not
    yet (a large event's first search or sort in this process), the page does not wait: a
    search shows what matched among the names opened so far, a sort by name the list newest
    first; either carries ``preparing`` (a ``Preparing``; None otherwise)."""
    sort = sort if sort in SORTS else "newest"
    by = SEALED_SORTS.get(sort)
    searched = bool(selection.search.strip())
    result: ListPage
    ready = prepared(event.id)  # on every view: a large event's names start opening meanwhile
    if (searched or by is not None) and not ready:
        found, done, of = so_far(event.id, folded(selection.search.strip()))
        if searched:
            result = OpenedPage(page=page, per_page=per_page, error_out=False, ids=sorted(
                _selected(event.id, selection.conditions(event), "", found), reverse=True))
        else:
            result = CountedPage(page=page, per_page=per_page, error_out=False, event=event,
                                 selection=selection, sort="newest")
        result.preparing = Preparing(done, of)
        return result
    if searched:
        ids = opened_order(event.id, selection.conditions(event), selection.search, by)
        result = OpenedPage(page=page, per_page=per_page, error_out=False, ids=ids)
    elif by is not None:
        result = SortedPage(page=page, per_page=per_page, error_out=False, event=event,
                            selection=selection, by=by)
    else:
        result = CountedPage(page=page, per_page=per_page, error_out=False, event=event,
                             selection=selection, sort=sort)
    return result


def in_batches(ids: list[int], size: int = 500) -> Iterator[list[Registration]]:
    """The registrations of ``ids``, ``size`` per query, in the order of ``ids``."""
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        loaded = {r.id: r for r in db.session.scalars(
            sa.select(Registration).where(among(chunk)))}
        yield [loaded[i] for i in chunk if i in loaded]


def matching(event: Event, selection: AttendeeFilter) -> list[Registration]:
    ids = selected_ids(event, selection)
    if ids is not None:
        return [r for batch in in_batches(ids) for r in batch]
    return list(db.session.scalars(sa.select(Registration).where(*selection.conditions(event))
                                   .order_by(Registration.id)))


def count_matching(event: Event, selection: AttendeeFilter) -> int:
    ids = selected_ids(event, selection)
    if ids is not None:
        return len(ids)
    return selection.count(event)


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
