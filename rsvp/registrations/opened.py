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
kind, checked in, confidential, erased) are kept beside its names, and each order
sorted so far is carried from one version of the rows to the next, in blocks that
count those traits (rsvp.registrations.blocks): only the rows read again move.

Opening a large event's names costs seconds (1.6 s at 100,000), so a page need
not wait for it: ``warm`` opens them in a thread of the process, off the request
(the organiser's list calls it on every view), and ``prepared`` answers None
while that runs, with ``so_far`` telling how far it got and searching what is
already opened. A small event is opened in the request, as it costs little.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from rsvp import sealing
from rsvp.extensions import db
from rsvp.registrations.blocks import KeptOrder, Trait
from rsvp.registrations.models import Registration
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
#: Between one registration's texts, and between registrations, in the text a search scans.
FIELD, ROW = "\x1f", "\n"

R = Registration
#: What is kept opened, in this order.
COLUMNS = (R.name, R.organisation, R.email)
#: Kept alongside, as stored: the plain columns the list's filters select by (blocks.Trait).
TRAITS = (sa.type_coerce(R.status, sa.String), sa.type_coerce(R.attendance_mode, sa.String),
          sa.func.coalesce(R.interpretation_language, ""),
          sa.type_coerce(R.organisation_type, sa.String), R.checked_in_at.is_not(None),
          R.confidential, R.erased_at.is_not(None))


def folded(text: str | None) -> str:
    """How sealed text is compared and sorted once opened: case and accents aside
    ("émile" finds Émile, who sorts among the E)."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c)).casefold()


@dataclass
class _Event:
    count: int = 0
    latest: datetime | None = None
    #: Registration id -> (name, organisation, address), each folded.
    rows: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: Registration id -> its plain traits (status, mode, ...: see ``TRAITS``).
    traits: dict[int, Trait] = field(default_factory=dict)
    #: Every row's texts in one string, where each starts, and whose they are (see ``containing``).
    scanned: tuple[str, list[int], list[int]] | None = None
    #: Column position -> every id in that column's order (then by id), in blocks, once sorted;
    #: a new version of the rows moves only the rows that changed (blocks.KeptOrder.changed).
    orders: dict[int, KeptOrder] = field(default_factory=dict)
    #: What walks of an order learnt (rsvp.registrations.ordering.walk): for a column and a
    #: filter, how many ids of each block of the order the filter selects. Kept with this
    #: version of the rows: any change makes a new version, which starts without.
    walked: dict[Any, dict[int, int]] = field(default_factory=dict)

    def order(self, position: int) -> list[int]:
        """Every kept id in the order of the column at ``position`` (then id); shared: not to
        be changed."""
        return self.kept(position).ids

    def kept(self, position: int) -> KeptOrder:
        """The order of the column at ``position``, in blocks: sorted once, then carried from
        version to version of the rows."""
        order = self.orders.get(position)
        if order is None:  # a race sorts it twice, to the same order
            order = self.orders[position] = KeptOrder.build(self.rows, self.traits, position)
        return order

    def ordered(self, position: int, ids: list[int]) -> list[int]:
        """``ids`` in the order of the column at ``position`` (then id); ids not kept yet first."""
        if len(ids) * 20 < len(self.rows):  # a few: sorted alone
            return sorted(ids, key=lambda i: (self.rows[i][position], i) if i in self.rows
                          else ("", i))
        wanted = set(ids)
        return sorted(wanted.difference(self.rows)) + [i for i in self.order(position) if i in wanted]

    def containing(self, needle: str) -> list[int]:
        """Ids of the rows whose name, organisation or address contains ``needle``: one scan of
        one string (str.find, in C) instead of a Python test per registration."""
        if self.scanned is None:  # built once per version of the rows; a race builds it twice
            ids = list(self.rows)
            parts = [FIELD.join(self.rows[i]) for i in ids]
            starts, at = [], 0
            for part in parts:
                starts.append(at)
                at += len(part) + 1
            self.scanned = (ROW.join(parts), starts, ids)
        text, starts, ids = self.scanned
        found, at = [], text.find(needle)
        while at >= 0:
            row = bisect_right(starts, at) - 1
            found.append(ids[row])
            at = text.find(needle, starts[row + 1]) if row + 1 < len(starts) else -1
        return found


@dataclass
class _Opening:
    """An event's names being opened in the background: how many, and those opened so far."""

    count: int
    rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    traits: dict[int, Trait] = field(default_factory=dict)


_kept: OrderedDict[tuple[str, int], _Event] = OrderedDict()
_opening: dict[tuple[str, int], tuple[_Opening, threading.Thread]] = {}
_lock = threading.Lock()
log = logging.getLogger(__name__)


def _query(where: list[Any]) -> Any:
    return sa.select(R.id, *(sa.type_coerce(c, sa.Text) for c in COLUMNS), *TRAITS).where(*where)


def _opened(row: Sequence[Any], open_: Any) -> tuple[str, ...]:
    return tuple(folded(open_(value)) if value else "" for value in row[1:1 + len(COLUMNS)])


def _trait(row: Sequence[Any], seen: dict[Trait, Trait]) -> Trait:
    """The row's plain traits; one tuple shared by every row alike (a few hundred at most)."""
    status, mode, language, kind, checked_in, confidential, erased = row[1 + len(COLUMNS):]
    trait = (status, mode, language, kind, bool(checked_in), bool(confidential), bool(erased))
    return seen.setdefault(trait, trait)


def _read(where: list[Any]) -> tuple[dict[int, tuple[str, ...]], dict[int, Trait]]:
    open_ = sealing.keyring().open
    rows: dict[int, tuple[str, ...]] = {}
    traits: dict[int, Trait] = {}
    seen: dict[Trait, Trait] = {}
    for row in db.session.execute(_query(where).execution_options(yield_per=BATCH)):
        rows[row[0]] = _opened(row, open_)
        traits[row[0]] = _trait(row, seen)
    return rows, traits


def opened(event_id: int) -> dict[int, tuple[str, ...]]:
    """Every registration of the event: id -> (name, organisation, address), opened and folded."""
    return _fresh(event_id).rows


def containing(event_id: int, needle: str) -> list[int]:
    """Ids of the event's registrations whose name, organisation or address, opened and folded,
    contain ``needle`` (folded too), in no particular order."""
    needle = _needle(needle)
    return _fresh(event_id).containing(needle) if needle else []


def _needle(text: str) -> str:
    return text.replace(FIELD, "").replace(ROW, "")


def ordered(event_id: int, column: Any, ids: list[int]) -> list[int]:
    """``ids`` of the event's registrations ordered by ``column`` (one of COLUMNS), then id."""
    return _fresh(event_id).ordered(COLUMNS.index(column), ids)


def order(event_id: int, column: Any) -> list[int]:
    """Every id of the event's registrations (erased ones too) ordered by ``column`` (one of
    COLUMNS), then id: the list kept, shared, not to be changed."""
    return _fresh(event_id).order(COLUMNS.index(column))


def kept_order(event_id: int, column: Any) -> KeptOrder:
    """The order of ``column`` (one of COLUMNS) in blocks with the traits of their rows
    (blocks.KeptOrder), for this version of the event's rows: shared, not to be changed."""
    return _fresh(event_id).kept(COLUMNS.index(column))


def walked(event_id: int, column: Any, key: Any) -> tuple[list[int], dict[int, int]]:
    """The order of ``column`` (as ``order``) and what walks of it under the filter ``key``
    learnt of this version of the event's rows (block -> ids selected), to be added to."""
    kept = _fresh(event_id)
    return kept.order(COLUMNS.index(column)), kept.walked.setdefault((column.key, key), {})


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
                    opening.traits[row[0]] = _trait(row, seen)
                    if len(batch) == BATCH:
                        opening.rows.extend(batch)
                        batch = []
                opening.rows.extend(batch)
                _keep(key, _Event(count, latest, dict(opening.rows), opening.traits))
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


def _keep(key: tuple[str, int], event: _Event) -> None:
    with _lock:
        _kept[key] = event
        _kept.move_to_end(key)
        while len(_kept) > EVENTS_KEPT:
            _kept.popitem(last=False)


def _fresh(event_id: int) -> _Event:
    """What is kept of the event, brought up to date from the database first; read whole when
    rows went (or on first use). Knowing whether anything changed costs two indexed reads: the
    count the database keeps (rsvp.registrations.tallies) and the latest change."""
    count = total(event_id)
    latest = _latest(event_id)
    key = _key(event_id)
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is not None and kept.count == count and kept.latest == latest:
        return kept
    fresh = _Event(count, latest)
    if kept is not None and kept.latest is not None and count >= kept.count:
        rows, traits = _read([R.event_id == event_id, R.updated_at >= kept.latest - CLOCK_MARGIN])
        fresh.rows, fresh.traits = {**kept.rows, **rows}, {**kept.traits, **traits}
        if len(fresh.rows) == count:  # the orders sorted so far: only the rows read again move
            fresh.orders = {position: order.changed((kept.rows, fresh.rows),
                                                    (kept.traits, fresh.traits), rows, position)
                            for position, order in list(kept.orders.items())}
    if len(fresh.rows) != count:  # rows went, or first use: read them all
        fresh.rows, fresh.traits = _read([R.event_id == event_id])
        fresh.orders = {}
    _keep(key, fresh)
    return fresh


def forget() -> None:
    """Drop everything kept (tests that roll back what they wrote)."""
    with _lock:
        _kept.clear()
