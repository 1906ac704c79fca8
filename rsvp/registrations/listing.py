"""A page of the organiser's registrations list: filtered, sorted, searched, paginated.

Counted from the counts the database keeps (never by reading every row). In the
orders a process keeps opened (by name, by organisation, newest or oldest first:
rsvp.registrations.opened) a page is chosen from the kept traits, and the database
reads and checks its 50 rows only (``KeptPage``), at any depth and after a write;
in the others (by status, or while a large event's names are opening) the
database reads it by the list's index, from whichever end is nearer
(``CountedPage``). A page that needs the event's names opened does not wait for
them (``Preparing``).

The links between pages name the row they follow on from (``after``/``before``,
its public id) beside the page's number: the next page starts after the row the
reader saw last, so a registration made, or a row leaving the filter, while
someone pages shows every row once. A link without them (a bookmark, ``?page=N``)
shows page N as the list stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.registrations.kept import folded
from rsvp.registrations.models import Registration
from rsvp.registrations.opened import Wanted, prepared, so_far, walked
from rsvp.registrations.ordering import (
    SEALED_SORTS,
    kept_page,
    opened_order,
    selected_among,
    selected_ids,
    walk,
)
from rsvp.registrations.selection import AttendeeFilter, ids_of, in_batches

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
#: Each SQL sort's columns, and whether it shows them descending (a cursor's row comes before).
KEYS: dict[str, tuple[tuple[Any, ...], bool]] = {
    "newest": ((Registration.created_at, Registration.id), True),
    "oldest": ((Registration.created_at, Registration.id), False),
    "status": ((Registration.status, Registration.created_at, Registration.id), False),
}
#: Sorts by an order kept opened (rsvp.registrations.kept.KEPT): its column, and whether the
#: list shows it from its end.
KEPT_SORTS: dict[str, tuple[Any, bool]] = {
    "name": (Registration.name, False),
    "organisation": (Registration.organisation, False),
    "newest": (Registration.created_at, True),
    "oldest": (Registration.created_at, False),
}


@dataclass(frozen=True)
class Cursor:
    """The row a page follows on from (its id), and whether the page comes before it."""

    row: int
    before: bool = False


@dataclass(frozen=True)
class Preparing:
    """The event's names are being opened in the background (rsvp.registrations.opened.warm):
    the page shows what it can and says so."""

    opened: int
    of: int


class ListPage(Pagination):
    """A page of the organiser's list; ``preparing`` while the names it needs are opening."""

    preparing: Preparing | None = None
    #: Whether rows come before and after this page, when the page follows on from a link's
    #: row (its number then only says about where it lies).
    ends: tuple[bool, bool] | None = None

    @property
    def has_prev(self) -> bool:
        return self.ends[0] if self.ends is not None else super().has_prev

    @property
    def has_next(self) -> bool:
        return self.ends[1] if self.ends is not None else super().has_next

    def link_args(self, before: bool) -> dict[str, str]:
        """What the link to the page before (or after) this one names besides its number: the
        row it follows on from. None but the pages that page by rows."""
        return {}


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
    last; ``_rows(start, size, total)`` reads the rows of the page."""

    def _query_items(self) -> list[Any]:
        event, selection = self._query_args["event"], self._query_args["selection"]
        self._total = total = selection.count(event)
        # A page past the last one is the last one (as rsvp.db.LastPageAtMost).
        self.page = min(self.page, max(1, -(-total // self.per_page)))
        start = (self.page - 1) * self.per_page
        if start >= total:
            return []
        return self._rows(start, min(self.per_page, total - start), total)

    def _rows(self, start: int, size: int, total: int) -> list[Registration]:
        raise NotImplementedError

    def _query_count(self) -> int:
        return self._total

    def link_args(self, before: bool) -> dict[str, str]:
        if not self.items:
            return {}
        row = self.items[0] if before else self.items[-1]
        return {"before" if before else "after": row.public_id}


class CountedPage(_CountedPage):
    """A page of the list the database filters and sorts alone: read by the list's index from
    whichever end is nearer, or, from a link, by the index from the row it follows on from."""

    def _rows(self, start: int, size: int, total: int) -> list[Registration]:
        return _by_index(self._query_args, start, size, total, self.per_page)


def _by_index(args: dict[str, Any], start: int, size: int, total: int, per_page: int,
              ) -> list[Registration]:
    """The page of ``args`` (event, selection, sort, cursor) as the database reads it by the
    list's index: from the link's row, or ``size`` rows from ``start`` from the nearer end."""
    event, selection, sort = args["event"], args["selection"], args["sort"]
    cursor: Cursor | None = args.get("cursor")
    query = sa.select(Registration.id).where(*selection.conditions(event))
    if cursor is not None and sort in KEYS:
        ids = _seek(query, sort, cursor, per_page)
        if ids:
            return _loaded(ids)
    if start <= total - start - size:
        ids = ids_of(query.order_by(*SORTS[sort]).offset(start).limit(size))
    else:
        ids = ids_of(query.order_by(*BACKWARDS[sort]).offset(total - start - size).limit(size))[::-1]
    return _loaded(ids)


def _seek(query: sa.Select[Any], sort: str, cursor: Cursor, size: int) -> list[int]:
    """The ``size`` ids ``query`` selects just after the cursor's row in ``sort`` (just before
    it with ``before``): an indexed seek from that row's key, however deep."""
    columns, descending = KEYS[sort]
    key = db.session.execute(sa.select(*columns).where(Registration.id == cursor.row)).first()
    if key is None:
        return []
    onwards = descending != cursor.before  # towards the list's end in the index's own order
    row, at = sa.tuple_(*columns), sa.tuple_(*(sa.literal(v, type_=c.type)
                                               for v, c in zip(key, columns, strict=True)))
    ordered = SORTS[sort] if not cursor.before else BACKWARDS[sort]
    ids = ids_of(query.where(row < at if onwards else row > at).order_by(*ordered).limit(size))
    return ids[::-1] if cursor.before else ids


def _loaded(ids: list[int]) -> list[Registration]:
    return next(in_batches(ids), [])


class KeptPage(_CountedPage):
    """A page of the list in an order kept opened (rsvp.registrations.opened: by name, by
    organisation, newest or oldest first): chosen from the kept traits, the blocks before it
    passed by their counts, and only its own rows read, the database checking the filters on
    them (``ordering.kept_page``); from a link, the rows that follow on from the link's row.
    No id is read but the page's own, at any depth and after a write. Should the kept traits
    be behind the database, the page is walked as the database alone says (``walk``), or,
    newest or oldest first, read by the list's index (``CountedPage``)."""

    def _rows(self, start: int, size: int, total: int) -> list[Registration]:
        event, selection, sort = (self._query_args[k] for k in ("event", "selection", "sort"))
        column, reverse = KEPT_SORTS[sort]
        cursor: Cursor | None = self._query_args.get("cursor")
        conditions = selection.conditions(event)
        if reverse:  # kept oldest first: the page counted from the order's other end
            start, cursor = total - start - size, cursor and Cursor(cursor.row, not cursor.before)
        found = None
        if cursor is not None:
            found = kept_page(event.id, column, conditions, Wanted(
                selection, selection.admitting(), total, size=self.per_page, cursor=cursor.row,
                before=cursor.before))
            if found is not None and found[1]:  # the page follows on from the link's row
                skip, rows = found
                shown = total - skip - len(rows) if reverse else skip
                self.page = shown // self.per_page + 1
                self.ends = (shown > 0, shown + len(rows) < total)
                return rows[::-1] if reverse else rows
        found = kept_page(event.id, column, conditions, Wanted(
            selection, selection.admitting(), total, skip=start, size=size))
        if found is not None:
            return found[1][::-1] if reverse else found[1]
        return self._walked(start, size, total)

    def _walked(self, start: int, size: int, total: int) -> list[Registration]:
        """The page as the database alone says, the kept traits being behind it (``start``
        counted in the kept order's own direction)."""
        event, selection, sort = (self._query_args[k] for k in ("event", "selection", "sort"))
        column, reverse = KEPT_SORTS[sort]
        if column is Registration.created_at:
            start = total - start - size if reverse else start
            return _by_index(self._query_args, start, size, total, self.per_page)
        after = total - start - size
        backwards = start > after
        # What a walk learns holds for this version of the rows and this filter's count.
        kept, counts = walked(event.id, column, (selection, total))
        ids = walk(kept, selection.conditions(event), after if backwards else start, size, counts,
                   total / max(1, len(kept)), backwards)
        return _loaded(ids[::-1] if reverse else ids)


def attendees(event: Event, selection: AttendeeFilter, sort: str = "newest", page: int = 1,
              per_page: int = 50, cursor: Cursor | None = None) -> ListPage:
    """A page of the organiser's list; with ``cursor``, the page that follows on from its row
    (``page`` then only if the row is gone). When it needs the event's names opened and they
    are not yet (a large event's first search or sort in this process), the page does not
    wait: a search shows what matched among the names opened so far, a sort by name the list
    newest first; either carries ``preparing`` (a ``Preparing``; None otherwise)."""
    sort = sort if sort in SORTS else "newest"
    by = SEALED_SORTS.get(sort)
    searched = bool(selection.search.strip())
    result: ListPage
    ready = prepared(event.id)  # on every view: a large event's names start opening meanwhile
    if (searched or by is not None) and not ready:
        found, done, of = so_far(event.id, folded(selection.search.strip()))
        if searched:
            result = OpenedPage(page=page, per_page=per_page, error_out=False, ids=sorted(
                selected_among(event.id, selection.conditions(event), "", found), reverse=True))
        else:
            result = CountedPage(page=page, per_page=per_page, error_out=False, event=event,
                                 selection=selection, sort="newest")
        result.preparing = Preparing(done, of)
        return result
    if searched:
        ids = opened_order(event.id, selection.conditions(event), selection.search, by)
        return OpenedPage(page=page, per_page=per_page, error_out=False, ids=ids)
    kind = KeptPage if ready and sort in KEPT_SORTS else CountedPage
    return kind(page=page, per_page=per_page, error_out=False, event=event, selection=selection,
                sort=sort, cursor=cursor)


def cursor_of(event: Event, after: str | None, before: str | None) -> Cursor | None:
    """The cursor a link names (``after`` or ``before``: a registration's public id), if that
    registration is the event's."""
    public_id = after or before
    if not public_id:
        return None
    row = db.session.scalar(sa.select(Registration.id).where(
        Registration.event_id == event.id, Registration.public_id == public_id[:64]))
    return Cursor(row, before=not after) if row is not None else None


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


