"""Names, organisations and addresses of an event's registrations, opened once per process.

Searching the organiser's list, sorting it by name and finding someone at the
door compare sealed columns (rsvp.sealing), which only the application can
open. Opening 100,000 registrations for every keystroke at the door costs
seconds (bench/sealing.py); instead each web process keeps, for the few events
it served last, every registration's name, organisation and address opened and
folded (case and accents aside), and brings it up to date before each use from
what changed since: a query for the event's row count and latest change, then
only the rows changed since (every write sets ``updated_at``). The database
stays sealed; what is opened lives in the process's memory, as every page it
renders does, and goes with it. Each row's plain traits (status, mode, language,
kind, checked in, confidential, erased) and its time of registration are kept
beside its names, and each order sorted so far (by name, organisation, address,
time of registration) is kept in blocks that count those traits
(rsvp.registrations.blocks), from which a page of the organiser's list is chosen.

What is kept of one event, and how it changes in place, is rsvp.registrations.kept
(KeptEvent): the rows read again replace theirs, and each order moves only those of
them whose key or traits changed, so a write costs the rows it changed, not the
event. This module reads the rows and keeps the events. Every change and every read of what is kept holds the
process's lock (``_lock``), and a change is made whole before it is let go: no
reader sees half a write. A reader that must keep something beyond the lock (an
export streaming an order) gets a copy of its own.

Opening a large event's names costs seconds (1.6 s at 100,000), so a page need
not wait for it: ``warm`` opens them in a thread of the process, off the request
(the organiser's list calls it on every view), and ``prepared`` answers None
while that runs, with ``so_far`` telling how far it got and searching what is
already opened. A small event is opened in the request, as it costs little.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from rsvp import sealing
from rsvp.extensions import db
from rsvp.registrations.blocks import KeptOrder, Trait
from rsvp.registrations.kept import (
    COLUMNS,
    FIELD,
    KEPT,
    ROW,
    TRAITS,
    KeptEvent,
    R,
    Rows,
    folded,
)
from rsvp.registrations.tallies import total

#: Events kept opened per process.
EVENTS_KEPT = 4
#: Rows changed this long before the latest change seen are read again: clocks of several
#: servers writing the same event may differ by this much.
CLOCK_MARGIN = timedelta(minutes=5)
#: Rows read at a time while opening.
BATCH = 2000
#: Above this many registrations, a page that finds none of an event's names opened does not
#: wait for them: they are opened in the background (``warm``). Opening costs about 16 µs a
#: registration on a quiet machine (1.6 s at 100,000), so 2,000 keep a page within 100 ms.
#: The setting NAMES_WAIT_AT_MOST (RSVP_NAMES_WAIT_AT_MOST) replaces it (the served tests).
WAIT_AT_MOST = 2_000
T = TypeVar("T")


@dataclass
class _Opening:
    """An event's names being opened in the background: how many, and those opened so far."""

    count: int
    rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    read: Rows = field(default_factory=Rows)


_kept: OrderedDict[tuple[str, int], KeptEvent] = OrderedDict()
_opening: dict[tuple[str, int], tuple[_Opening, threading.Thread]] = {}
#: Held to change or read what is kept: a reader sees every row of a write or none.
_lock = threading.Lock()
log = logging.getLogger(__name__)


def _query(where: list[Any]) -> Any:
    return sa.select(R.id, *(sa.type_coerce(c, sa.Text) for c in COLUMNS), *TRAITS,
                     R.created_at).where(*where)


def _opened(row: Sequence[Any], open_: Any) -> tuple[str, ...]:
    return tuple(folded(open_(value)) if value else "" for value in row[1:1 + len(COLUMNS)])


def _take(row: Sequence[Any], read: Rows, seen: dict[Trait, Trait]) -> None:
    """The row's plain traits (one tuple shared by every row alike: a few hundred at most) and
    its creation time, into ``read``."""
    status, mode, language, kind, checked_in, confidential, erased, created = row[1 + len(COLUMNS):]
    trait = (status, mode, language, kind, bool(checked_in), bool(confidential), bool(erased))
    read.traits[row[0]] = seen.setdefault(trait, trait)
    read.created[row[0]] = created.isoformat(timespec="microseconds")


def _read(where: list[Any]) -> Rows:
    open_ = sealing.keyring().open
    read = Rows()
    seen: dict[Trait, Trait] = {}
    for row in db.session.execute(_query(where).execution_options(yield_per=BATCH)):
        read.texts[row[0]] = _opened(row, open_)
        _take(row, read, seen)
    return read


def _position(column: Any) -> int:
    return KEPT.index(column)


def _using(event_id: int, use: Callable[[KeptEvent], T]) -> T:
    """What ``use`` reads of the event, brought up to date first, under the lock."""
    kept = _fresh(event_id)
    with _lock:
        return use(kept)


def opened(event_id: int) -> dict[int, tuple[str, ...]]:
    """Every registration of the event: id -> (name, organisation, address), opened and folded
    (a copy, the process's own being changed in place)."""
    return _using(event_id, lambda kept: dict(kept.rows.texts))


def containing(event_id: int, needle: str) -> list[int]:
    """Ids of the event's registrations whose name, organisation or address, opened and folded,
    contain ``needle`` (folded too), in no particular order."""
    needle = _needle(needle)
    return _using(event_id, lambda kept: kept.containing(needle)) if needle else []


def _needle(text: str) -> str:
    return text.replace(FIELD, "").replace(ROW, "")


def ordered(event_id: int, column: Any, ids: list[int]) -> list[int]:
    """``ids`` of the event's registrations ordered by ``column`` (one of COLUMNS), then id."""
    return _using(event_id, lambda kept: kept.ordered(_position(column), ids))


def order(event_id: int, column: Any) -> list[int]:
    """Every id of the event's registrations (erased ones too) ordered by ``column`` (one of
    KEPT), then id: a list of the caller's own."""
    return _using(event_id, lambda kept: kept.kept(_position(column)).ids[:])


def kept_order(event_id: int, column: Any) -> KeptOrder:
    """The order of ``column`` (one of KEPT) in blocks with the traits of their rows
    (blocks.KeptOrder), as it stands now: a copy of the caller's own."""
    return _using(event_id, lambda kept: kept.kept(_position(column)).copy())


def walked(event_id: int, column: Any, key: Any) -> tuple[list[int], dict[int, int]]:
    """The order of ``column`` (as ``order``) and what walks of it under the filter ``key``
    learnt of this version of the event's rows (block -> ids selected), to be added to."""
    def use(kept: KeptEvent) -> tuple[list[int], dict[int, int]]:
        return kept.kept(_position(column)).ids[:], kept.walked.setdefault((column.key, key), {})
    return _using(event_id, use)


@dataclass(frozen=True)
class Wanted:
    """A page of an order kept here: of the ids the filter ``selection`` (``admits`` its test on
    a row's traits) selects, ``size`` from the ``skip``-th on, or, with ``cursor`` (a row's id),
    those just after it (just before it when ``before``); ``total``: how many the database
    counts, which the kept traits must count too."""

    selection: Hashable
    admits: Callable[[Trait], bool]
    total: int
    skip: int = 0
    size: int = 50
    cursor: int | None = None
    before: bool = False


def page(event_id: int, column: Any, wanted: Wanted) -> tuple[int, list[int]] | None:
    """The ids of the page ``wanted`` in the order of ``column`` (one of KEPT), chosen from the
    kept traits (blocks.KeptOrder.pick), and how many selected ids come before them; None
    when the kept traits do not count the database's ``total`` (the process has not seen a
    write yet) or the cursor is not kept. The database is to check the ids chosen."""
    position = _position(column)

    def use(kept: KeptEvent) -> tuple[int, list[int]] | None:
        order = kept.kept(position)
        if order.total(wanted.selection, wanted.admits) != wanted.total:
            return None
        skip, size = wanted.skip, wanted.size
        if wanted.cursor is not None:
            if wanted.cursor not in kept.rows.traits:
                return None
            key = (kept.value(position, wanted.cursor), wanted.cursor)
            skip = order.before(key, wanted.selection, wanted.admits, kept.rows.traits)
            if wanted.before:
                size = min(size, skip)  # those before it, however few
                skip -= size
            elif wanted.admits(kept.rows.traits[wanted.cursor]):
                skip += 1
        return skip, order.pick(wanted.selection, wanted.admits, kept.rows.traits, skip, size)
    return _using(event_id, use)


def prepared(event_id: int) -> bool:
    """Whether the event's names can be used without making the request wait for all of them
    to open: kept already (brought up to date from the few rows changed since: cheap), or an
    event small enough to open now. Otherwise they are opened in the background (``warm``)
    and this says False until they are."""
    key = _key(event_id)
    with _lock:
        if key in _kept:
            return True
    if total(event_id) <= current_app.config.get("NAMES_WAIT_AT_MOST", WAIT_AT_MOST):
        return True
    warm(event_id)
    return False


def so_far(event_id: int, needle: str) -> tuple[list[int], int, int]:
    """While the event's names open in the background: the ids of those opened so far that
    contain ``needle``, how many are opened, and of how many."""
    with _lock:
        under_way = _opening.get(_key(event_id))
    if under_way is None:
        return [], 0, total(event_id)
    opening = under_way[0]
    rows = opening.rows[:]  # the thread only appends: a copy of the list is a consistent view
    needle = _needle(needle)
    return ([i for i, texts in rows if any(needle in text for text in texts)] if needle else [],
            len(rows), opening.count)


def warm(event_id: int) -> None:
    """Open the event's names in a thread of this process, unless they are kept or opening."""
    key = _key(event_id)
    with _lock:
        if key in _kept or key in _opening:
            return
        opening = _Opening(total(event_id))
        thread = threading.Thread(target=_open_all, name=f"rsvp-open-{event_id}", daemon=True,
                                  args=(current_app._get_current_object(), key, event_id, opening))  # type: ignore[attr-defined]
        _opening[key] = (opening, thread)
    thread.start()


def _open_all(app: Any, key: tuple[str, int], event_id: int, opening: _Opening) -> None:
    """Open every name of the event in a session of its own, then keep them as ``_fresh`` would."""
    try:
        with app.app_context():
            try:
                count = total(event_id)
                latest = _latest(event_id)
                open_ = sealing.keyring().open
                batch: list[tuple[int, tuple[str, ...]]] = []
                seen: dict[Trait, Trait] = {}
                for row in db.session.execute(_query([R.event_id == event_id])
                                              .execution_options(yield_per=BATCH)):
                    batch.append((row[0], _opened(row, open_)))
                    _take(row, opening.read, seen)
                    if len(batch) == BATCH:
                        opening.rows.extend(batch)
                        batch = []
                opening.rows.extend(batch)
                opening.read.texts = dict(opening.rows)
                _keep(key, KeptEvent(count, latest, opening.read))
            finally:
                db.session.remove()
    except Exception:  # a page opens them in the request then; nothing is lost
        log.exception("opening the names of event %s failed", event_id)
    finally:
        with _lock:
            _opening.pop(key, None)


def settle() -> None:
    """Wait for every opening under way (tests, benchmarks)."""
    with _lock:
        threads = [thread for _opening_, thread in _opening.values()]
    for thread in threads:
        thread.join()


def _key(event_id: int) -> tuple[str, int]:
    return (str(db.engine.url), event_id)


def _latest(event_id: int) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(R.updated_at)).where(R.event_id == event_id))


def _keep(key: tuple[str, int], event: KeptEvent) -> None:
    with _lock:
        _kept[key] = event
        _kept.move_to_end(key)
        while len(_kept) > EVENTS_KEPT:
            _kept.popitem(last=False)


def _fresh(event_id: int) -> KeptEvent:
    """What is kept of the event, brought up to date from the database first: in place, from
    the rows changed since, under the lock; read whole when rows went (or on first use).
    Knowing whether anything changed costs two indexed reads: the count the database keeps
    (rsvp.registrations.tallies) and the latest change."""
    count = total(event_id)
    latest = _latest(event_id)
    key = _key(event_id)
    since: datetime | None = None
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            if (kept.count, kept.latest) == (count, latest):
                return kept
            since = kept.latest if kept.latest is not None and count >= kept.count else None
    if kept is not None and since is not None:
        read = _read([R.event_id == event_id, R.updated_at >= since - CLOCK_MARGIN])
        with _lock:
            kept.update(count, latest, read)
            if len(kept.rows.texts) == count:
                return kept
    fresh = KeptEvent(count, latest, _read([R.event_id == event_id]))  # rows went, or first use
    _keep(key, fresh)
    return fresh


def forget() -> None:
    """Drop everything kept (tests that roll back what they wrote)."""
    with _lock:
        _kept.clear()
