"""Lists of an event's registrations in the order of a sealed column, or searched in them.

Names, organisations and addresses are sealed at rest (rsvp.sealing): only the
application can search or sort by them, once opened (rsvp.registrations.opened).
A search pages through the ids it finds; a page in an order kept opened (by name,
organisation or time of registration) is chosen from the kept traits and only its
own ids are checked by the database (``kept_page``); should the process not have
seen a write yet, the order is walked, the database checking the filters a block
at a time (``walk``). bench/scale.py measures them at 1,000 to 100,000.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from rsvp import sealing
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.registrations.kept import COLUMNS, folded
from rsvp.registrations.models import Registration
from rsvp.registrations.opened import Wanted, containing, order, ordered, page
from rsvp.registrations.selection import AttendeeFilter, among, checked, ids_of

#: Sorts by a sealed column: ordered in the application, once opened.
SEALED_SORTS = {"name": Registration.name, "organisation": Registration.organisation}
#: Rows read at a time while opening sealed columns.
OPEN_BATCH = 2000
#: Above this many registrations found by a search, the database's filters are applied while
#: reading every id of the event; below, to the ids found, a few hundred per query.
FOUND_FEW = 5000
#: Ids of a kept order checked against the filters per query (a walk, see ``walk``).
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
        ids = (selected_among(event_id, conditions, needle) if needle
               else ids_of(sa.select(Registration.id).where(*conditions)))
        return sorted(ids) if by is None else ordered(event_id, by, ids)
    wanted = set(containing(event_id, needle)) if needle else set()

    def found(registration_id: int) -> bool:
        return not needle or registration_id in wanted

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


def selected_among(event_id: int, conditions: list[Any], needle: str,
              candidates: list[int] | None = None) -> list[int]:
    """The ids of registrations containing ``needle`` that ``conditions`` select."""
    if candidates is None:
        candidates = containing(event_id, needle)
    if len(candidates) > FOUND_FEW:
        wanted = set(candidates)
        return [i for i in ids_of(sa.select(Registration.id).where(*conditions)) if i in wanted]
    query = sa.select(Registration.id).where(checked(conditions))
    return [i for start in range(0, len(candidates), 500) for i in ids_of(
        query.where(among(candidates[start:start + 500])))]


def _count_blocks(order: list[int], conditions: list[Any], counts: dict[int, int]) -> None:
    """How many ids of each block of ``order`` ``conditions`` select, from every id they
    select read in one query: a deep page of a narrow filter would otherwise check tens of
    blocks one query at a time (2.5 s for the middle page at 100,000 on PostgreSQL)."""
    selected = set(ids_of(sa.select(Registration.id).where(*conditions)))
    for block in range(-(-len(order) // WALK_MOST)):
        counts[block] = sum(1 for i in order[block * WALK_MOST:(block + 1) * WALK_MOST]
                            if i in selected)


def walk(order: list[int], conditions: list[Any], skip: int, size: int,
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
    blocks = range(-(-len(order) // WALK_MOST))
    if len(counts) < len(blocks) and skip > WALK_FAR * WALK_MOST * share:
        _count_blocks(order, conditions, counts)
    spans = [(block * WALK_MOST, (block + 1) * WALK_MOST) for block in blocks]
    return _walk_spans(order, spans, conditions, (skip, size), counts, backwards)


def kept_page(event_id: int, column: Any, conditions: list[Any], wanted: Wanted,
              ) -> tuple[int, list[Registration]] | None:
    """The page ``wanted`` of the order of ``column`` kept opened, chosen from the kept traits
    (rsvp.registrations.opened.page), and how many selected rows come before it; the
    database reads the page's rows only, checking ``conditions`` on them.

    The database has the last word: the kept traits must count the ``total`` it counts (its
    kept counts), and every id chosen must be one ``conditions`` select; else the process has
    not seen a write yet, and this answers None (the caller then walks the order, ``walk``)."""
    found = page(event_id, column, wanted)
    if found is None:
        return None
    skip, ids = found
    rows = {r.id: r for r in db.session.scalars(
        sa.select(Registration).where(checked(conditions), among(ids)))} if ids else {}
    if len(rows) != len(ids):
        return None
    return skip, [rows[i] for i in ids]


def _walk_spans(order: list[int], spans: list[tuple[int, int]], conditions: list[Any],
                wanted: tuple[int, int], counts: dict[int, int], backwards: bool) -> list[int]:
    """The ``wanted`` (skip, size) ids ``conditions`` select, walking the blocks of ``order``
    (``spans``, each (start, end)) from either end, passing those ``counts`` show to lie
    before the page and reading the others, one query a block."""
    skip, size = wanted
    query = sa.select(Registration.id).where(checked(conditions))
    page: list[int] = []
    passed = 0  # ids selected before the block at hand
    for block in (reversed(range(len(spans))) if backwards else range(len(spans))):
        known = counts.get(block)
        if known is not None and passed + known <= skip:
            passed += known
            continue
        chunk = order[spans[block][0]:spans[block][1]]
        selected = set(ids_of(query.where(among(chunk))))
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


