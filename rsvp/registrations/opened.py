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
renders does, and goes with it.
"""

from __future__ import annotations

import threading
import unicodedata
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from rsvp import sealing
from rsvp.extensions import db
from rsvp.registrations.models import Registration
from rsvp.registrations.tallies import total

#: Events kept opened per process.
EVENTS_KEPT = 4
#: Rows changed this long before the latest change seen are read again: clocks of several
#: servers writing the same event may differ by this much.
CLOCK_MARGIN = timedelta(minutes=5)
#: Rows read at a time while opening.
BATCH = 2000
#: Between one registration's texts, and between registrations, in the text a search scans.
FIELD, ROW = "\x1f", "\n"

R = Registration
#: What is kept opened, in this order.
COLUMNS = (R.name, R.organisation, R.email)


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
    #: Every row's texts in one string, where each starts, and whose they are (see ``containing``).
    scanned: tuple[str, list[int], list[int]] | None = None
    #: Column position -> every id in that column's order (then by id), once sorted.
    orders: dict[int, list[int]] = field(default_factory=dict)

    def ordered(self, position: int, ids: list[int] | None,
                leaving_out: set[int] | None = None) -> list[int]:
        """``ids`` (None: every kept id but those ``leaving_out``) in the order of the column at
        ``position`` (then id); ids not kept yet first."""
        if ids is not None and len(ids) * 20 < len(self.rows):  # a few: sorted alone
            return sorted(ids, key=lambda i: (self.rows[i][position], i) if i in self.rows
                          else ("", i))
        order = self.orders.get(position)
        if order is None:  # sorted once per version of the rows
            order = self.orders[position] = sorted(self.rows, key=lambda i: (self.rows[i][position], i))
        if ids is None:
            return [i for i in order if i not in leaving_out] if leaving_out else list(order)
        wanted = set(ids)
        return sorted(wanted.difference(self.rows)) + [i for i in order if i in wanted]

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


_kept: OrderedDict[tuple[str, int], _Event] = OrderedDict()
_lock = threading.Lock()


def _read(where: list[Any]) -> dict[int, tuple[str, ...]]:
    open_ = sealing.keyring().open
    query = sa.select(R.id, *(sa.type_coerce(c, sa.Text) for c in COLUMNS)).where(*where)
    return {row[0]: tuple(folded(open_(value)) if value else "" for value in row[1:])
            for row in db.session.execute(query.execution_options(yield_per=BATCH))}


def opened(event_id: int) -> dict[int, tuple[str, ...]]:
    """Every registration of the event: id -> (name, organisation, address), opened and folded."""
    return _fresh(event_id).rows


def containing(event_id: int, needle: str) -> list[int]:
    """Ids of the event's registrations whose name, organisation or address, opened and folded,
    contain ``needle`` (folded too), in no particular order."""
    needle = needle.replace(FIELD, "").replace(ROW, "")
    return _fresh(event_id).containing(needle) if needle else []


def ordered(event_id: int, column: Any, ids: list[int] | None,
            leaving_out: set[int] | None = None) -> list[int]:
    """``ids`` of the event's registrations (None: all of them but ``leaving_out``) ordered by
    ``column`` (one of COLUMNS), then id."""
    return _fresh(event_id).ordered(COLUMNS.index(column), ids, leaving_out)


def _fresh(event_id: int) -> _Event:
    """What is kept of the event, brought up to date from the database first; read whole when
    rows went (or on first use). Knowing whether anything changed costs two indexed reads: the
    count the database keeps (rsvp.registrations.tallies) and the latest change."""
    count = total(event_id)
    latest = db.session.scalar(sa.select(sa.func.max(R.updated_at)).where(R.event_id == event_id))
    key = (str(db.engine.url), event_id)
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is not None and kept.count == count and kept.latest == latest:
        return kept
    fresh = _Event(count, latest)
    if kept is not None and kept.latest is not None and count >= kept.count:
        fresh.rows = dict(kept.rows)
        fresh.rows.update(_read([R.event_id == event_id,
                                 R.updated_at >= kept.latest - CLOCK_MARGIN]))
    if len(fresh.rows) != count:  # rows went, or first use: read them all
        fresh.rows = _read([R.event_id == event_id])
    with _lock:
        _kept[key] = fresh
        _kept.move_to_end(key)
        while len(_kept) > EVENTS_KEPT:
            _kept.popitem(last=False)
    return fresh


def forget() -> None:
    """Drop everything kept (tests that roll back what they wrote)."""
    with _lock:
        _kept.clear()
