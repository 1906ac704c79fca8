"""What organisers watch before an event: counts, language demand, the attendee list, their events.

Counts are computed by the database (GROUP BY), never by loading every
registration; the list is filtered, sorted and paginated the same way, except
by what is sealed at rest (rsvp.sealing): a search in names, organisations and
addresses, or an order by name or organisation, opens those columns of the
event's registrations in the application, kept opened per process
(rsvp.registrations.opened; bench/sealing.py measures it at 10,000 and 100,000),
and pages through the ids it finds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
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
from rsvp.registrations.opened import COLUMNS, folded, opened
from rsvp.timeutil import to_local

#: Who counts as coming: everyone whose registration still stands or waits for a seat.
COUNTED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
           RegistrationStatus.PENDING_APPROVAL)

SORTS: dict[str, tuple[Any, ...]] = {
    "newest": (Registration.created_at.desc(), Registration.id.desc()),
    "oldest": (Registration.created_at, Registration.id),
    "name": (),
    "organisation": (),
    "status": (Registration.status, Registration.created_at),
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


def opened_order(event_id: int, conditions: list[Any], search: str = "", by: Any = None) -> list[int]:
    """Ids of the event's registrations ``conditions`` select whose name, organisation or
    address contains ``search``, ordered by the sealed column ``by`` (then id), or by id.

    Name, organisation and address come opened from rsvp.registrations.opened; any other
    ``by`` (the passport name) is read as stored, OPEN_BATCH rows at a time, and opened here.
    """
    needle = folded(search.strip())
    kept = opened(event_id) if needle or by in COLUMNS else {}

    def found(registration_id: int) -> bool:
        return not needle or any(needle in text for text in kept.get(registration_id, ()))

    if by is None or by in COLUMNS:
        ids = [i for i in db.session.scalars(sa.select(Registration.id).where(*conditions)
                                             .execution_options(yield_per=OPEN_BATCH))
               if found(i)]
        if by is None:
            return sorted(ids)
        position = COLUMNS.index(by)
        return sorted(ids, key=lambda i: (kept[i][position] if i in kept else "", i))
    open_ = sealing.keyring().open
    rows = db.session.execute(sa.select(Registration.id, sa.type_coerce(by, sa.Text))
                              .where(*conditions).execution_options(yield_per=OPEN_BATCH))
    return [registration_id for _key, registration_id in sorted(
        (folded(open_(value)) if value else "", registration_id)
        for registration_id, value in rows if found(registration_id))]


def selected_ids(event: Event, selection: AttendeeFilter, sort: str = "") -> list[int] | None:
    """The ids ``opened_order`` finds when the search or the sort needs sealed columns opened;
    None when the database can filter and sort alone."""
    by = SEALED_SORTS.get(sort)
    if not selection.search.strip() and by is None:
        return None
    return opened_order(event.id, selection.conditions(event), selection.search, by)


class OpenedPage(Pagination):
    """A page of registrations out of a list of ids in order (``opened_order``)."""

    def _query_items(self) -> list[Any]:
        ids = self._query_args["ids"][(self.page - 1) * self.per_page:self.page * self.per_page]
        loaded = {r.id: r for r in db.session.scalars(
            sa.select(Registration).where(Registration.id.in_(ids)))}
        return [loaded[i] for i in ids if i in loaded]

    def _query_count(self) -> int:
        return len(self._query_args["ids"])


def attendees(event: Event, selection: AttendeeFilter, sort: str = "newest", page: int = 1,
              per_page: int = 50) -> Pagination:
    sort = sort if sort in SORTS else "newest"
    ids = selected_ids(event, selection, sort)
    if ids is not None:
        return OpenedPage(page=page, per_page=per_page, error_out=False, ids=ids)
    query = (sa.select(Registration).where(*selection.conditions(event)).order_by(*SORTS[sort]))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def in_batches(ids: list[int], size: int = 500) -> Iterator[list[Registration]]:
    """The registrations of ``ids``, ``size`` per query, in the order of ``ids``."""
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        loaded = {r.id: r for r in db.session.scalars(
            sa.select(Registration).where(Registration.id.in_(chunk)))}
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
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(*selection.conditions(event))) or 0


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


def _grouped(event: Event, column: Any, statuses: tuple[RegistrationStatus, ...] = COUNTED,
             ) -> list[tuple[Any, int]]:
    rows = db.session.execute(
        sa.select(column, sa.func.count(Registration.id))
        .where(Registration.event_id == event.id, Registration.status.in_(statuses))
        .group_by(column))
    return [(key, count) for key, count in rows]


def _value(key: Any) -> str:
    return key.value if hasattr(key, "value") else str(key)


def dashboard(event: Event) -> Dashboard:
    """Everything the dashboard shows; counts stay right after personal data is erased."""
    board = Dashboard()
    board.by_status = {_value(k): n for k, n in _grouped(event, Registration.status,
                                                        tuple(RegistrationStatus))}
    board.by_mode = {_value(k): n for k, n in _grouped(event, Registration.attendance_mode)}
    board.by_organisation_type = {
        _value(k): n for k, n in _grouped(event, Registration.organisation_type)}
    board.by_country = sorted(((k or "", n) for k, n in _grouped(event, Registration.country)),
                              key=lambda pair: (-pair[1], pair[0]))
    for language, mode, count in db.session.execute(
            sa.select(Registration.interpretation_language, Registration.attendance_mode,
                      sa.func.count(Registration.id))
            .where(Registration.event_id == event.id, Registration.status.in_(COUNTED))
            .group_by(Registration.interpretation_language, Registration.attendance_mode)):
        board.languages.setdefault(language or "floor", {})[_value(mode)] = count
    counted = [Registration.event_id == event.id, Registration.status.in_(COUNTED)]
    board.captions = _count(*counted, Registration.captions.is_(True))
    board.accessibility = _count(*counted, Registration.accessibility_needs != "")
    board.grounds_pass_needed = _count(*counted, Registration.has_grounds_pass.is_(False))
    board.checked_in = _count(Registration.event_id == event.id,
                              Registration.checked_in_at.is_not(None))
    board.over_time = _over_time(event)
    return board


def _count(*conditions: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count(Registration.id)).where(*conditions)) or 0


def _over_time(event: Event) -> list[tuple[date, int, int]]:
    """Registrations per day in the event's zone (every registration ever made, cancelled too)."""
    moments: list[datetime] = list(db.session.scalars(
        sa.select(Registration.created_at).where(Registration.event_id == event.id)))
    per_day = Counter(to_local(moment, event.timezone).date() for moment in moments)
    total, series = 0, []
    for day in sorted(per_day):
        total += per_day[day]
        series.append((day, per_day[day], total))
    return series


def door_counts(event: Event) -> dict[str, int]:
    """What the check-in desk shows and polls: arrived and expected, two counts, nothing more; of
    those who come to the room only (a hybrid event's online participants never reach the door)."""
    of_event = sa.and_(Registration.event_id == event.id,
                       Registration.attendance_mode == AttendanceMode.IN_PERSON)
    return {"checked_in": _count(of_event, Registration.checked_in_at.is_not(None)),
            "expected": _count(of_event, Registration.status == RegistrationStatus.CONFIRMED)}


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
        for event_id, status, count in db.session.execute(
                sa.select(Registration.event_id, Registration.status, sa.func.count())
                .where(Registration.event_id.in_([event.id for event, _ in rows]))
                .group_by(Registration.event_id, Registration.status)):
            counts.setdefault(event_id, {})[status] = count
    return [EventSummary(event, role, counts.get(event.id, {})) for event, role in rows]
