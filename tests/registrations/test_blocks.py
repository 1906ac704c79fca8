"""An order kept in blocks (rsvp.registrations.blocks): after any run of changes, moving only
the rows that changed, in place, gives the order, the blocks and the tallies that sorting
afresh gives; a page chosen from the kept traits is the page of the rows the filter selects."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from rsvp.registrations import blocks
from rsvp.registrations.blocks import KeptOrder

NAMES = st.sampled_from(["", "ana", "bea", "carl", "dora", "émile", "zoë", "ngọc"])
TRAITS = st.tuples(st.sampled_from(["confirmed", "waitlisted", "cancelled"]),
                   st.sampled_from(["in_person", "online"]), st.sampled_from(["", "fr"]),
                   st.just("ngo"), st.booleans(), st.booleans(), st.booleans())
ROW = st.tuples(NAMES, TRAITS)
#: A run of changes: (id, new row) for ids below 60, some new, some changed again.
CHANGES = st.lists(st.lists(st.tuples(st.integers(0, 59), ROW), max_size=12), max_size=6)


def _consistent(kept: KeptOrder, texts: dict, traits: dict) -> None:
    fresh = KeptOrder.build({i: row[0] for i, row in texts.items()}, traits)
    assert kept.ids == fresh.ids and kept.keys == fresh.keys
    assert sum(block.size for block in kept.blocks) == len(kept.ids)
    for start, block in zip(kept.starts(), kept.blocks, strict=True):
        span = kept.ids[start:start + block.size]
        assert block.tally == Counter(traits[i] for i in span)  # each block's traits, exactly
        assert 0 < block.size <= 2 * blocks.BLOCK
    firsts = [block.first for block in kept.blocks]
    assert firsts == sorted(firsts)
    for start, block in list(zip(kept.starts(), kept.blocks, strict=True))[1:]:
        assert kept.keys[start] >= block.first  # a block's keys lie from its bound on
        assert kept.keys[start - 1] < block.first


@settings(max_examples=150, deadline=None)
@given(first=st.dictionaries(st.integers(0, 59), ROW, max_size=40), runs=CHANGES)
def test_moving_the_changed_rows_equals_sorting_afresh(first, runs):
    before, blocks.BLOCK = blocks.BLOCK, 3  # every run of changes crosses, fills, splits blocks
    try:
        _changes_checked(first, runs)
    finally:
        blocks.BLOCK = before


def _changes_checked(first: dict, runs: list) -> None:
    texts = {i: (name,) for i, (name, _trait) in first.items()}
    traits = {i: trait for i, (_name, trait) in first.items()}
    kept = KeptOrder.build({i: row[0] for i, row in texts.items()}, traits)
    admits = (lambda trait: trait[0] == "confirmed" and not trait[6])  # noqa: E731
    for changes in runs:
        kept.blocks and [block.count("confirmed", admits) for block in kept.blocks]  # sums kept
        new_texts, new_traits = dict(texts), dict(traits)
        for i, (name, trait) in changes:
            new_texts[i], new_traits[i] = (name,), trait
        moves = [((texts[i][0], i) if i in texts else None, traits.get(i), (new_texts[i][0], i),
                  new_traits[i])
                 for i in {i for i, _row in changes}
                 if i not in texts or (texts[i], traits[i]) != (new_texts[i], new_traits[i])]
        kept.move(moves, new_traits)
        texts, traits = new_texts, new_traits
        _consistent(kept, texts, traits)
        _pages_right(kept, traits, admits)
        assert [block.count("confirmed", admits) for block in kept.blocks] == [
            sum(n for trait, n in block.tally.items() if admits(trait)) for block in kept.blocks]



def _pages_right(kept: KeptOrder, traits: dict, admits) -> None:
    """Every page ``pick`` chooses, and every page after or before a row (``before``), is the
    slice of the ids the filter selects in the order's order."""
    selected = [i for i in kept.ids if admits(traits[i])]
    assert kept.total("confirmed", admits) == len(selected)
    for skip in range(len(selected) + 2):
        for size in (1, 3):
            assert kept.pick("confirmed", admits, traits, skip, size) == selected[skip:skip + size]
    for at, key in enumerate(kept.keys):
        assert kept.before(key, "confirmed", admits, traits) == sum(
            1 for i in kept.ids[:at] if admits(traits[i]))
