"""A page of the organiser's registrations list: filtered, sorted, searched, paginated.

Counted from the counts the database keeps (never by reading every row), read by
the list's index from whichever end is nearer, or, in the order of a sealed
column, walked through the order kept opened (rsvp.registrations.ordering). A
page that needs the event's names opened does not wait for them (``Preparing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.registrations.models import Registration
from rsvp.registrations.opened import folded, kept_order, prepared, so_far, walked
from rsvp.registrations.ordering import (
    SEALED_SORTS,
    opened_order,
    selected_among,
    selected_ids,
    walk,
    walk_kept,
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
            return ids_of(query.order_by(*SORTS[sort]).offset(start).limit(size))
        return ids_of(query.order_by(*BACKWARDS[sort]).offset(total - start - size).limit(size))[::-1]


class SortedPage(_CountedPage):
    """A page of the list in the order of a sealed column, without a search: the order kept
    opened (rsvp.registrations.opened) walked from whichever end is nearer, the blocks before
    the page passed by the traits they keep (``walk_kept``), the database's filters checked on
    the blocks holding the page, counted from the kept counts. No id is read but those of the
    blocks that hold the page, at any depth and after a write; should the kept traits be
    behind the database, the page is walked as the database alone says (``walk``)."""

    def _ids_of(self, start: int, size: int, total: int) -> list[int]:
        event, selection, by = (self._query_args[k] for k in ("event", "selection", "by"))
        after = total - start - size
        backwards = start > after
        skip, conditions = (after if backwards else start), selection.conditions(event)
        page = walk_kept(kept_order(event.id, by), selection, conditions, skip, size, total,
                         backwards)
        if page is not None:
            return page
        # The kept traits are behind the database: what a walk learns holds for this version of
        # the rows and this filter's count.
        kept, counts = walked(event.id, by, (selection, total))
        return walk(kept, conditions, skip, size, counts, total / max(1, len(kept)), backwards)


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
                selected_among(event.id, selection.conditions(event), "", found), reverse=True))
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


