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
(``move``: out of their old place and block, into their new ones), in place, and
every other block keeps its tallies and its sums: a page after a write costs the
rows it changed, not the event. A block grown past twice BLOCK is split in two.

A block is bounded by keys, not by positions: the first key of each block stays
its bound while rows come and go, so a row's block is found by its key alone.
An order is changed in place: whoever keeps it (rsvp.registrations.opened) moves
rows and reads pages under one lock, so no reader sees half a write.

A page is chosen here, from the kept traits (``pick``): the blocks before it are
passed by their counts, and the ids of the block holding it tested by their
traits, so the database is asked only about the page's own ids.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
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
    #: Filter -> how many of the block's ids it selects; forgotten when a row moves in or out.
    counted: dict[Hashable, int] = field(default_factory=dict)

    def count(self, key: Hashable, admits: Callable[[Trait], bool]) -> int:
        """How many of the block's ids the filter ``key`` selects (``admits`` its test)."""
        found = self.counted.get(key)
        if found is None:
            found = self.counted[key] = sum(n for trait, n in self.tally.items() if admits(trait))
        return found

    def admitted(self, admits: Callable[[Trait], bool]) -> set[Trait]:
        """The traits of the block's rows that ``admits`` selects: a few hundred at most."""
        return {trait for trait in self.tally if admits(trait)}

    def move(self, out: Trait | None = None, into: Trait | None = None) -> None:
        """One row of trait ``out`` gone from the block and one of trait ``into`` come."""
        if out is not None:
            self.tally[out] -= 1
            if not self.tally[out]:
                del self.tally[out]
            self.size -= 1
        if into is not None:
            self.tally[into] += 1
            self.size += 1
        self.counted.clear()


#: A row's move in an order: (old key, old trait) or (None, None) for a new row, new key and trait.
Move = tuple[Key | None, Trait | None, Key, Trait]


@dataclass
class KeptOrder:
    """Every id of an event in one column's order (then id), with its keys and its blocks;
    changed in place (``move``) by whoever keeps it, under its lock."""

    ids: list[int]
    keys: list[Key]
    blocks: list[Block]

    @classmethod
    def build(cls, values: Mapping[int, str], traits: Mapping[int, Trait]) -> KeptOrder:
        """The order of ``values`` (id -> the text it sorts by), then id."""
        keys = sorted((value, i) for i, value in values.items())
        ids = [i for _text, i in keys]
        return cls(ids, keys, _blocks(ids, keys, traits, 0, len(ids)))

    def copy(self) -> KeptOrder:
        """An order of its own, equal to this one now (to read outside the keeper's lock)."""
        return KeptOrder(self.ids[:], self.keys[:], [
            Block(block.first, block.size, block.tally.copy()) for block in self.blocks])

    def starts(self) -> list[int]:
        """Where each block starts in ``ids``."""
        starts, at = [], 0
        for block in self.blocks:
            starts.append(at)
            at += block.size
        return starts

    def move(self, moves: Iterable[Move], traits: Mapping[int, Trait]) -> None:
        """Move each row out of its old place (if any) into its new one, in place; ``traits``
        the rows' traits once moved (for a block split in two)."""
        if not self.blocks:
            self.blocks.append(Block(LOWEST, 0, Counter()))
        firsts = [block.first for block in self.blocks]
        for old, old_trait, new, new_trait in moves:
            if old is not None:
                at = bisect_left(self.keys, old)
                del self.keys[at], self.ids[at]
                self.blocks[max(0, bisect_right(firsts, old) - 1)].move(out=old_trait)
            at = bisect_left(self.keys, new)
            self.keys.insert(at, new)
            self.ids.insert(at, new[1])
            self.blocks[max(0, bisect_right(firsts, new) - 1)].move(into=new_trait)
        self.blocks[:] = _rebalanced(self.ids, self.keys, self.blocks, traits)

    def total(self, key: Hashable, admits: Callable[[Trait], bool]) -> int:
        """How many ids of the order the filter ``key`` (``admits`` its test) selects."""
        return sum(block.count(key, admits) for block in self.blocks)

    def before(self, key: Key, selection: Hashable, admits: Callable[[Trait], bool],
               traits: Mapping[int, Trait]) -> int:
        """How many ids that sort before ``key`` the filter ``selection`` selects: the blocks
        before its block by their counts, its block's ids by their traits."""
        at = bisect_left(self.keys, key)
        passed, start = 0, 0
        for block in self.blocks:
            if start + block.size > at:
                wanted = block.admitted(admits)
                return passed + sum(1 for i in self.ids[start:at] if traits[i] in wanted)
            passed += block.count(selection, admits)
            start += block.size
        return passed

    def pick(self, selection: Hashable, admits: Callable[[Trait], bool],
             traits: Mapping[int, Trait], skip: int, size: int) -> list[int]:
        """The ``size`` ids that follow the first ``skip`` the filter ``selection`` selects, in
        order, as the kept traits say: the blocks before the page are passed by their counts,
        and only the ids of the blocks holding it are tested, by their traits."""
        page: list[int] = []
        if size <= 0:
            return page
        passed, start = 0, 0
        for block in self.blocks:
            count = block.count(selection, admits)
            if passed + count <= skip or not count:
                passed += count
                start += block.size
                continue
            wanted = block.admitted(admits)
            for i in self.ids[start:start + block.size]:
                if traits[i] in wanted:
                    if passed >= skip:
                        page.append(i)
                        if len(page) == size:
                            return page
                    passed += 1
            start += block.size
        return page


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
