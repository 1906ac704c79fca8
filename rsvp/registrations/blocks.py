"""An event's registrations in the order of one opened column, in blocks that outlive writes.

The organiser's list sorted by name (or organisation) with filters needs, for a
page deep in the list, how many registrations the filters select before it. The
database cannot say (the names are sealed: it does not know their order), and
asking it of every id before the page costs what the event's size does. So the
order kept opened (rsvp.registrations.opened) is cut into blocks of about BLOCK
ids, and each block keeps a tally of its registrations' plain traits (status,
mode, interpretation language, kind of organisation, checked in, confidential,
erased: a few hundred combinations at most): how many ids of a block a filter
selects is a sum over its tally, kept per block and filter once summed.

A write changes a few rows. The next use of the order moves only those rows
(``changed``: out of their old place and block, into their new ones) and every
other block keeps its tallies and its sums: a page after a write costs the blocks
it touched, not the event. A block grown past twice BLOCK is split in two.

A block is bounded by keys, not by positions: the first key of each block stays
its bound while rows come and go, so a row's block is found by its key alone.
Blocks and orders are never changed in place once built (threads read them): a
change makes new ones, sharing the blocks it did not touch.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, field

#: Ids per block when an order is built; a block is split once it holds twice as many.
BLOCK = 1000
#: (status, attendance mode, interpretation language or "" for the floor, organisation type,
#: checked in, confidential, erased): what the list's filters select by, as stored.
Trait = tuple[str, str, str, str, bool, bool, bool]
Key = tuple[str, int]
#: Below every key: the bound of the first block of an order that had none.
LOWEST: Key = ("", -1)


@dataclass
class Block:
    """Consecutive ids of an order, from the key ``first`` on: how many, and their traits."""

    first: Key
    size: int
    tally: Counter[Trait]
    #: Filter -> how many of the block's ids it selects; added to by readers, never changed.
    counted: dict[Hashable, int] = field(default_factory=dict)

    def count(self, key: Hashable, admits: Callable[[Trait], bool]) -> int:
        """How many of the block's ids the filter ``key`` selects (``admits`` its test)."""
        found = self.counted.get(key)
        if found is None:
            found = self.counted[key] = sum(n for trait, n in self.tally.items() if admits(trait))
        return found

    def moved(self, out: Trait | None = None, into: Trait | None = None) -> Block:
        """This block with one row of trait ``out`` gone and one of trait ``into`` come."""
        tally = self.tally.copy()
        size = self.size
        if out is not None:
            tally[out] -= 1
            if not tally[out]:
                del tally[out]
            size -= 1
        if into is not None:
            tally[into] += 1
            size += 1
        return Block(self.first, size, tally)


@dataclass(frozen=True)
class KeptOrder:
    """Every id of an event in one column's order (then id), with its keys and its blocks."""

    ids: list[int]
    keys: list[Key]
    blocks: list[Block]

    @classmethod
    def build(cls, texts: Mapping[int, tuple[str, ...]], traits: Mapping[int, Trait],
              position: int) -> KeptOrder:
        keys = sorted((row[position], i) for i, row in texts.items())
        ids = [i for _text, i in keys]
        return cls(ids, keys, _blocks(ids, keys, traits, 0, len(ids)))

    def starts(self) -> list[int]:
        """Where each block starts in ``ids``."""
        starts, at = [], 0
        for block in self.blocks:
            starts.append(at)
            at += block.size
        return starts

    def changed(self, texts: tuple[Mapping[int, tuple[str, ...]], Mapping[int, tuple[str, ...]]],
                traits: tuple[Mapping[int, Trait], Mapping[int, Trait]], ids: Collection[int],
                position: int) -> KeptOrder:
        """The order once the rows ``ids`` changed from ``texts[0]``/``traits[0]`` (absent
        there: new) to ``texts[1]``/``traits[1]``; this one if none moved or changed trait."""
        (old_texts, new_texts), (old_traits, new_traits) = texts, traits
        moves = []
        for i in ids:
            old = (old_texts[i][position], i) if i in old_texts else None
            new = (new_texts[i][position], i)
            if old != new or old_traits.get(i) != new_traits[i]:
                moves.append((old, old_traits.get(i), new, new_traits[i]))
        if not moves:
            return self
        order, keys, blocks = self.ids[:], self.keys[:], self.blocks[:] or [Block(LOWEST, 0, Counter())]
        firsts = [block.first for block in blocks]
        for old, old_trait, new, new_trait in moves:
            if old is not None:
                at = bisect_left(keys, old)
                del keys[at], order[at]
                b = max(0, bisect_right(firsts, old) - 1)
                blocks[b] = blocks[b].moved(out=old_trait)
            at = bisect_left(keys, new)
            keys.insert(at, new)
            order.insert(at, new[1])
            b = max(0, bisect_right(firsts, new) - 1)
            blocks[b] = blocks[b].moved(into=new_trait)
        return KeptOrder(order, keys, _rebalanced(order, keys, blocks, new_traits))


def _blocks(ids: list[int], keys: list[Key], traits: Mapping[int, Trait], start: int, end: int,
            ) -> list[Block]:
    """Blocks of BLOCK ids (the last one shorter) over ``ids[start:end]``."""
    return [Block(keys[at], min(BLOCK, end - at), Counter(traits[i] for i in ids[at:min(end, at + BLOCK)]))
            for at in range(start, end, BLOCK)]


def _rebalanced(ids: list[int], keys: list[Key], blocks: list[Block],
                traits: Mapping[int, Trait]) -> list[Block]:
    """``blocks`` without empty ones, each grown past twice BLOCK cut again. A block left out
    leaves its keys to the one before it (or, the first, to the one after: the first block
    takes every key below it), which is where they would sort."""
    kept: list[Block] = []
    at = 0
    for block in blocks:
        if block.size > 2 * BLOCK:
            kept.extend(_blocks(ids, keys, traits, at, at + block.size))
        elif block.size:
            kept.append(block)
        at += block.size
    return kept
