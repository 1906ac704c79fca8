"""The order of the floor and its timetable, as pure functions: no database, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rsvp.speakers.models import SpeakerCategory
from rsvp.speakers.ordering import (
    Turn,
    default_order,
    draw_key,
    drawn,
    list_order,
    positions,
    swapped,
    timetable,
)

MEMBER, OBSERVER, UN, NHRI, NGO, OTHER = (
    SpeakerCategory.MEMBER_STATE, SpeakerCategory.OBSERVER_STATE, SpeakerCategory.UN_IGO,
    SpeakerCategory.NHRI, SpeakerCategory.NGO, SpeakerCategory.OTHER)
T0 = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


@dataclass
class Entry:
    id: int
    category: SpeakerCategory
    on_behalf_of_group: bool = False
    country: str | None = None
    nhri_a_status: bool = False
    inscribed_at: datetime = T0
    position: int | None = None
    moved_to_end_at: datetime | None = None
    right_of_reply: bool = False
    priority_requested: bool = False

    def __repr__(self) -> str:  # readable assertion failures
        return f"#{self.id}"


def arrivals(*specs: tuple) -> list[Entry]:
    """Entries arriving one second apart, in the order given: (category, **fields)."""
    return [Entry(n, category, inscribed_at=T0 + timedelta(seconds=n), **fields)
            for n, (category, fields) in enumerate(specs, start=1)]


def ids(entries) -> list[int]:
    return [e.id for e in entries]


def test_groups_first_then_hrc_categories_each_by_arrival():
    entries = arrivals(
        (NGO, {}),                                       # 1
        (OTHER, {}),                                     # 2
        (NHRI, {"country": "KE"}),                       # 3
        (UN, {}),                                        # 4
        (OBSERVER, {"country": "CH"}),                   # 5
        (MEMBER, {"country": "FR"}),                     # 6
        (NGO, {"on_behalf_of_group": True}),             # 7: a coalition of NGOs
        (MEMBER, {"country": "BR"}),                     # 8
        (MEMBER, {"country": "EG", "on_behalf_of_group": True}),  # 9: for the African Group
        (NGO, {}),                                       # 10
    )
    assert ids(default_order(entries)) == [9, 7, 6, 8, 5, 4, 3, 1, 10, 2]


def test_server_arrival_decides_inside_a_category_even_within_the_same_second():
    same_second = [Entry(n, NGO, inscribed_at=T0 + timedelta(microseconds=1000 - n)) for n in range(1, 6)]
    assert ids(default_order(same_second)) == [5, 4, 3, 2, 1]  # earliest timestamp first
    tied = [Entry(n, NGO, inscribed_at=T0) for n in (3, 1, 2)]
    assert ids(default_order(tied)) == [1, 2, 3]  # then by the order rows were stored


def test_a_status_nhri_speaks_straight_after_its_own_state():
    entries = arrivals(
        (NHRI, {"country": "FR", "nhri_a_status": True}),   # 1: France's A-status NHRI
        (MEMBER, {"country": "BR"}),                        # 2
        (MEMBER, {"country": "FR"}),                        # 3
        (OBSERVER, {"country": "NZ"}),                      # 4
        (NHRI, {"country": "NZ", "nhri_a_status": True}),   # 5: follows an observer State too
        (NHRI, {"country": "BR"}),                          # 6: B status: stays with the NHRIs
        (NHRI, {"country": "JP", "nhri_a_status": True}),   # 7: Japan is not on the list
        (NHRI, {"country": "FR", "nhri_a_status": True}),   # 8: a second French institution
        (NGO, {}),                                          # 9
    )
    assert ids(default_order(entries)) == [2, 3, 1, 8, 4, 5, 6, 7, 9]


def test_nhri_does_not_follow_its_states_group_statement():
    entries = arrivals(
        (MEMBER, {"country": "EG", "on_behalf_of_group": True}),
        (NHRI, {"country": "EG", "nhri_a_status": True}),
        (MEMBER, {"country": "MX"}),
    )
    assert ids(default_order(entries)) == [1, 3, 2]


def test_late_inscriptions_take_their_place_by_the_rules():
    entries = arrivals((MEMBER, {"country": "FR"}), (OBSERVER, {"country": "CH"}), (NGO, {}),
                       (MEMBER, {"country": "EG", "on_behalf_of_group": True}),  # 4: late, for a group
                       (MEMBER, {"country": "BR"}))                              # 5: late State
    assert ids(list_order(entries)) == [4, 1, 5, 2, 3]


def test_manual_order_stays_stable_when_later_inscriptions_arrive():
    entries = arrivals((MEMBER, {"country": "FR"}), (MEMBER, {"country": "BR"}), (NGO, {}))
    # The organiser puts the NGO first and Brazil before France.
    for entry, position in zip(entries, (3, 2, 1), strict=True):
        entry.position = position
    assert ids(list_order(entries)) == [3, 2, 1]

    later = [Entry(4, MEMBER, country="MX", inscribed_at=T0 + timedelta(minutes=1)),
             Entry(5, NGO, inscribed_at=T0 + timedelta(minutes=2)),
             Entry(6, MEMBER, country="EG", on_behalf_of_group=True, inscribed_at=T0 + timedelta(minutes=3)),
             Entry(7, NHRI, country="BR", nhri_a_status=True, inscribed_at=T0 + timedelta(minutes=4))]
    # Each newcomer goes straight after whoever precedes it in the default order: the group
    # statement leads, the NGO follows the NGO, Brazil's NHRI follows Brazil, and Mexico,
    # inscribed after Brazil, follows Brazil's NHRI. The organiser's order is untouched.
    assert ids(list_order(entries + later)) == [6, 3, 5, 2, 7, 4, 1]


def test_moved_to_the_end_wait_behind_everyone_including_later_arrivals():
    entries = arrivals((MEMBER, {"country": "FR"}), (MEMBER, {"country": "BR"}), (NGO, {}))
    entries[0].moved_to_end_at = T0 + timedelta(minutes=10)
    later = Entry(4, MEMBER, country="MX", inscribed_at=T0 + timedelta(minutes=11))
    assert ids(list_order([*entries, later])) == [2, 4, 3, 1]
    entries[1].moved_to_end_at = T0 + timedelta(minutes=12)
    assert ids(list_order([*entries, later])) == [4, 3, 1, 2]  # in the order they were moved


def test_positions_and_swaps():
    assert positions(["a", "b", "c"]) == {"a": 1, "b": 2, "c": 3}
    assert swapped(["a", "b", "c"], "a", "c") == ["c", "b", "a"]
    with pytest.raises(ValueError):
        swapped(["a", "b"], "a", "z")


@given(st.lists(st.tuples(st.sampled_from(list(SpeakerCategory)), st.booleans()), min_size=1, max_size=12),
       st.lists(st.tuples(st.sampled_from(list(SpeakerCategory)), st.booleans()), max_size=8),
       st.randoms(use_true_random=False))
def test_any_manual_order_survives_any_later_inscriptions(first, second, rng):
    entries = [Entry(n, category, group, country="FR", inscribed_at=T0 + timedelta(seconds=n))
               for n, (category, group) in enumerate(first, start=1)]
    manual = ids(entries)
    rng.shuffle(manual)
    for entry in entries:
        entry.position = manual.index(entry.id) + 1
    later = [Entry(100 + n, category, group, country="FR", inscribed_at=T0 + timedelta(hours=1, seconds=n))
             for n, (category, group) in enumerate(second)]
    result = ids(list_order(entries + later))
    assert sorted(result) == sorted(ids(entries + later))  # everyone once
    assert [i for i in result if i < 100] == manual  # the organiser's order, untouched


# -- the timetable --------------------------------------------------------------------------------

def test_before_the_floor_opens_everyone_is_projected_from_the_floor_start():
    floor = T0 + timedelta(hours=1)
    table = timetable([("a", 120), ("b", 60), ("c", 60)], now=T0, floor_starts_at=floor, floor_minutes=3)
    assert [slot.starts_at for slot in table.slots] == [
        floor, floor + timedelta(seconds=120), floor + timedelta(seconds=180)]
    assert [slot.fits for slot in table.slots] == [True, True, False]
    assert (table.fits, table.overrun_seconds) == (False, 60)
    assert table.ends_at == floor + timedelta(seconds=240)
    assert table.remaining_seconds == 180


def test_the_current_speaker_keeps_the_floor_for_their_time_or_until_now_when_over():
    started = T0
    during = timetable([("b", 60)], now=started + timedelta(seconds=20), floor_starts_at=T0,
                       floor_minutes=10, current=Turn(started, 60))
    assert during.slots[0].starts_at == started + timedelta(seconds=60)
    assert during.remaining_seconds == 580

    overrun_now = started + timedelta(seconds=75)
    over = timetable([("b", 60)], now=overrun_now, floor_starts_at=T0, floor_minutes=10,
                     current=Turn(started, 60))
    assert over.slots[0].starts_at == overrun_now

    stopped = Turn(started, 60, ended_at=started + timedelta(seconds=30))
    assert timetable([("b", 60)], now=started + timedelta(seconds=40), floor_starts_at=T0,
                     floor_minutes=10, current=stopped).slots[0].starts_at == started + timedelta(seconds=40)
    assert stopped.seconds_left(started + timedelta(seconds=50)) == 30
    assert Turn(started, 60).seconds_left(started + timedelta(seconds=70.5)) == -10


def test_after_the_floor_time_nothing_remains_and_an_empty_queue_fits():
    table = timetable([], now=T0 + timedelta(hours=2), floor_starts_at=T0, floor_minutes=30)
    assert table.slots == [] and table.fits and table.remaining_seconds == 0


def test_a_floor_opened_early_runs_from_its_opening_not_from_the_scheduled_day():
    """Issue 16: the chair gave the floor a day early; the speakers after follow on at once."""
    scheduled = T0 + timedelta(days=1)
    opened = T0
    now = T0 + timedelta(seconds=90)  # the first speaker delivered; nobody holds the floor
    table = timetable([("b", 60), ("c", 60)], now=now, floor_starts_at=scheduled, floor_minutes=10,
                      opened_at=opened)
    assert [slot.starts_at for slot in table.slots] == [now, now + timedelta(seconds=60)]
    assert table.floor_starts_at == opened and table.floor_ends_at == opened + timedelta(minutes=10)
    assert table.remaining_seconds == 510 and table.fits
    # Opened on time or late: the scheduled start still holds.
    late = timetable([("b", 60)], now=now, floor_starts_at=T0, floor_minutes=10,
                     opened_at=T0 + timedelta(seconds=30))
    assert late.floor_starts_at == T0


# -- drawing lots ---------------------------------------------------------------------------------

def test_a_draw_is_a_permutation_fixed_by_its_seed():
    part = [f"delegation {n}" for n in range(1, 15)]  # UPR adoptions: more than 13 States
    first = drawn(part, "6f1d3c")
    assert sorted(first) == sorted(part) and first != part
    assert drawn(part, "6f1d3c") == first  # the same seed, the same order
    assert drawn(part, "another seed") != first
    assert drawn([], "6f1d3c") == [] and drawn(["alone"], "x") == ["alone"]


def test_a_published_draw_is_recomputed_from_its_seed_by_the_documented_rule():
    """What the README tells anyone to do, written independently: hash "<seed>:<place>" with
    SHA-256, sort the places by the hexadecimal digests."""
    import hashlib

    seed = "c0ffee1234567890c0ffee1234567890"
    before = ["Lithuania", "Estonia", "Latvia", "Finland", "Kenya", "Chile"]
    digests = {place: hashlib.sha256(f"{seed}:{place}".encode()).hexdigest()
               for place in range(1, len(before) + 1)}
    by_hand = [before[place - 1] for place in sorted(digests, key=digests.__getitem__)]
    assert drawn(before, seed) == by_hand
    assert draw_key(seed, 1) == digests[1]


# -- rights of reply and NGO priority -------------------------------------------------------------

def test_rights_of_reply_follow_the_whole_list_in_order_of_request_whatever_the_manual_order():
    entries = arrivals((MEMBER, {"country": "LT"}), (NGO, {}),
                       (MEMBER, {"country": "CN", "right_of_reply": True}),
                       (NGO, {"moved_to_end_at": T0 + timedelta(minutes=5)}),
                       (OBSERVER, {"country": "EE", "right_of_reply": True, "position": 1}),
                       (OBSERVER, {"country": "LV"}))
    assert ids(list_order(entries)) == [1, 6, 2, 4, 3, 5]


def test_ngo_priority_is_honoured_inside_the_ngo_category_only():
    entries = arrivals((NGO, {}), (NGO, {"priority_requested": True}), (MEMBER, {"country": "LT"}),
                       (NGO, {"priority_requested": True}),
                       (NHRI, {"country": "FR", "priority_requested": True}),
                       (OTHER, {"priority_requested": True}), (NGO, {"on_behalf_of_group": True}))
    # Groups first; States before NGOs whatever they asked; among NGOs, those who asked first.
    assert ids(default_order(entries)) == [7, 3, 5, 2, 4, 1, 6]
