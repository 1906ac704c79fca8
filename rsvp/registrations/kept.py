"""What one process keeps of an event's registrations opened (rsvp.registrations.opened):
each row's name, organisation and address folded (case and accents aside), its plain
traits and its time of registration, the text a search scans, and the orders sorted so
far in blocks (rsvp.registrations.blocks).

Changed in place by the rows read again (KeptEvent.update): each order moves only the rows
whose key or traits changed, so a write costs the rows it changed, not the event. Nothing
here locks or reads the database: rsvp.registrations.opened does both, and holds its lock
around every change and every read of a KeptEvent.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rsvp.registrations.blocks import KeptOrder, Move, Trait
from rsvp.registrations.models import Registration

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
#: The orders kept: by each of COLUMNS, and by the time of registration (the list newest or
#: oldest first), whose position is CREATED.
KEPT = (*COLUMNS, R.created_at)
CREATED = len(COLUMNS)


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
class Scan:
    """Every row's texts in one string, where each starts and whose they are, for ``containing``;
    rows changed since it was made are searched apart (``later``), their old text ignored."""

    text: str
    starts: list[int]
    ids: list[int]
    #: Row id -> its texts joined, as changed since ``text`` was made.
    later: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: dict[int, tuple[str, ...]]) -> Scan:
        ids = list(rows)
        parts = [FIELD.join(rows[i]) for i in ids]
        starts, at = [], 0
        for part in parts:
            starts.append(at)
            at += len(part) + 1
        return cls(ROW.join(parts), starts, ids)

    def containing(self, needle: str) -> list[int]:
        """One scan of one string (str.find, in C) instead of a Python test per registration."""
        text, starts, ids, later = self.text, self.starts, self.ids, self.later
        found, at = [], text.find(needle)
        while at >= 0:
            row = bisect_right(starts, at) - 1
            if ids[row] not in later:
                found.append(ids[row])
            at = text.find(needle, starts[row + 1]) if row + 1 < len(starts) else -1
        return found + [i for i, part in later.items() if needle in part]


@dataclass
class Rows:
    """Rows read from the database: id -> opened texts, plain traits, creation time (as text)."""

    texts: dict[int, tuple[str, ...]] = field(default_factory=dict)
    traits: dict[int, Trait] = field(default_factory=dict)
    created: dict[int, str] = field(default_factory=dict)


@dataclass
class KeptEvent:
    """What is kept of one event. Changed in place, and read, only under opened's lock."""

    count: int = 0
    latest: datetime | None = None
    #: Registration id -> (name, organisation, address), each folded; its traits (see
    #: ``TRAITS``), its creation time (see ``CREATED``).
    rows: Rows = field(default_factory=Rows)
    #: What ``containing`` scans, once made.
    scan: Scan | None = None
    #: Position in KEPT -> every id in that order (then by id), in blocks, once sorted; a new
    #: version of the rows moves only the rows that changed (blocks.KeptOrder.move).
    orders: dict[int, KeptOrder] = field(default_factory=dict)
    #: What walks of an order learnt (rsvp.registrations.ordering.walk): for a column and a
    #: filter, how many ids of each block of the order the filter selects. Kept with this
    #: version of the rows: any change starts it again.
    walked: dict[Any, dict[int, int]] = field(default_factory=dict)

    def value(self, position: int, i: int) -> str:
        """What the row ``i`` sorts by in the order at ``position`` of KEPT."""
        return self.rows.created[i] if position == CREATED else self.rows.texts[i][position]

    def kept(self, position: int) -> KeptOrder:
        """The order at ``position`` of KEPT, in blocks: sorted once, then moved in place."""
        order = self.orders.get(position)
        if order is None:
            values = self.rows.created if position == CREATED else {
                i: texts[position] for i, texts in self.rows.texts.items()}
            order = self.orders[position] = KeptOrder.build(values, self.rows.traits)
        return order

    def update(self, count: int, latest: datetime | None, read: Rows) -> None:
        """Take the rows ``read`` again (new or changed): each order moves only those of them
        whose key or traits changed, in place; what the search scans notes their new texts."""
        moves: dict[int, list[Move]] = {position: [] for position in self.orders}
        changed = False
        for i, texts in read.texts.items():
            old_trait, new_trait = self.rows.traits.get(i), read.traits[i]
            known = i in self.rows.texts
            if known and texts == self.rows.texts[i] and old_trait == new_trait:
                continue
            changed = True
            for position, found in moves.items():
                new = (read.created[i] if position == CREATED else texts[position], i)
                found.append(((self.value(position, i), i) if known else None, old_trait,
                              new, new_trait))
            if self.scan is not None and (not known or texts != self.rows.texts[i]):
                self.scan.later[i] = FIELD.join(texts)
        self.rows.texts.update(read.texts)
        self.rows.traits.update(read.traits)
        self.rows.created.update(read.created)
        for position, found in moves.items():
            if found:
                self.orders[position].move(found, self.rows.traits)
        if self.scan is not None and len(self.scan.later) * 20 > max(len(self.scan.ids), 20_000):
            self.scan = None  # made again whole at the next search: the changes grew many
        self.count, self.latest = count, latest
        if changed:
            self.walked = {}

    def ordered(self, position: int, ids: list[int]) -> list[int]:
        """``ids`` in the order of the column at ``position`` (then id); ids not kept yet first."""
        texts = self.rows.texts
        if len(ids) * 20 < len(texts):  # a few: sorted alone
            return sorted(ids, key=lambda i: (texts[i][position], i) if i in texts else ("", i))
        wanted = set(ids)
        return sorted(wanted.difference(texts)) + [i for i in self.kept(position).ids if i in wanted]

    def containing(self, needle: str) -> list[int]:
        """Ids of the rows whose name, organisation or address contains ``needle``."""
        if self.scan is None:
            self.scan = Scan.of(self.rows.texts)
        return self.scan.containing(needle)
