"""Running the list live: every transition allowed and refused, the floor, reordering, the live
state both screens poll, and the report afterwards."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from rsvp.extensions import db
from rsvp.speakers import live, reports, screens, services
from rsvp.speakers.models import SpeakerCategory, SpeakerState
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_speaker, make_speakers_list

INSCRIBED, CONFIRMED, SPEAKING, DELIVERED, ABSENT, WITHDRAWN = (
    SpeakerState.INSCRIBED, SpeakerState.CONFIRMED, SpeakerState.SPEAKING, SpeakerState.DELIVERED,
    SpeakerState.ABSENT, SpeakerState.WITHDRAWN)

#: Operation -> {state it applies to: state it leaves}; every other state is refused.
TRANSITIONS = {
    "confirm": (live.confirm, {INSCRIBED: CONFIRMED}),
    "start": (live.start, {INSCRIBED: SPEAKING, CONFIRMED: SPEAKING}),
    "stop": (live.stop, {SPEAKING: SPEAKING}),
    "mark_delivered": (live.mark_delivered, {SPEAKING: DELIVERED}),
    "mark_absent": (live.mark_absent, {INSCRIBED: ABSENT, CONFIRMED: ABSENT, SPEAKING: ABSENT}),
    "move_to_end": (live.move_to_end, {INSCRIBED: INSCRIBED, CONFIRMED: CONFIRMED, SPEAKING: CONFIRMED}),
    "withdraw": (services.withdraw, {INSCRIBED: WITHDRAWN, CONFIRMED: WITHDRAWN}),
}


@pytest.fixture
def floor(db_session):
    event = make_event()
    return event, make_speakers_list(event, floor_starts_at=event.starts_at, floor_minutes=10)


def ngos(event, names, now):
    """NGOs inscribed one second apart, in the order of ``names``."""
    return [make_speaker(event, delegation=name, inscribed_at=now + timedelta(seconds=n))
            for n, name in enumerate(names)]


def in_state(event, speakers_list, state, **fields):
    """A speaker already in ``state``, holding the floor when speaking."""
    now = now_utc()
    if state in (SPEAKING, DELIVERED):
        fields.setdefault("started_at", now - timedelta(seconds=30))
    if state is DELIVERED:
        fields |= {"ended_at": now - timedelta(seconds=5), "seconds_used": 25}
    speaker = make_speaker(event, state=state, **fields)
    if state is SPEAKING:
        speakers_list.current_speaker_id = speaker.id
        db.session.commit()
    return speaker


@pytest.mark.parametrize("state", list(SpeakerState))
@pytest.mark.parametrize("name", TRANSITIONS)
def test_each_transition_is_allowed_or_refused(floor, name, state):
    event, speakers_list = floor
    operation, allowed = TRANSITIONS[name]
    speaker = in_state(event, speakers_list, state)
    if state in allowed:
        operation(speaker)
        assert speaker.state is allowed[state]
    else:
        with pytest.raises(services.TransitionRefused):
            operation(speaker)
        assert speaker.state is state


def test_start_stores_the_servers_time_and_a_second_speaker_cannot_take_the_floor(floor):
    event, speakers_list = floor
    first, second = make_speaker(event), make_speaker(event)
    now = now_utc()
    live.start(first, now)
    assert (first.state, first.started_at, speakers_list.current_speaker_id) == (SPEAKING, now, first.id)
    with pytest.raises(live.FloorTaken):
        live.start(second, now)
    assert second.state is INSCRIBED and second.started_at is None
    assert speakers_list.current_speaker_id == first.id


def test_stopped_time_is_what_delivered_records_and_the_floor_is_freed(floor):
    event, speakers_list = floor
    speaker, other = make_speaker(event), make_speaker(event)
    started = now_utc()
    live.start(speaker, started)
    live.stop(speaker, started + timedelta(seconds=58))
    with pytest.raises(services.TransitionRefused):
        live.stop(speaker, started + timedelta(seconds=59))  # stopped once
    live.mark_delivered(speaker, started + timedelta(seconds=70))
    assert (speaker.seconds_used, speaker.ended_at) == (58, started + timedelta(seconds=58))
    assert speakers_list.current_speaker_id is None
    live.start(other, started + timedelta(seconds=80))
    live.mark_delivered(other, started + timedelta(seconds=80 + 75))  # never stopped: to now
    assert other.seconds_used == 75


def test_absent_or_moved_while_called_frees_the_floor_without_counting_time(floor):
    event, speakers_list = floor
    absent, moved, waiting = make_speaker(event), make_speaker(event), make_speaker(event)
    live.start(absent)
    live.mark_absent(absent)
    assert (absent.started_at, absent.seconds_used, speakers_list.current_speaker_id) == (None, None, None)
    live.start(moved)
    live.move_to_end(moved)
    assert moved.state is CONFIRMED and moved.started_at is None
    assert [s.id for s in services.lineup(speakers_list).queue] == [waiting.id, moved.id]
    assert live.next_up(speakers_list) is waiting


def test_swap_and_reorder_keep_the_organisers_order_as_new_inscriptions_arrive(floor):
    event, speakers_list = floor
    now = now_utc()
    a, b, c = ngos(event, "ABC", now)
    live.swap(a, c)
    assert [s.delegation for s in services.lineup(speakers_list).queue] == ["C", "B", "A"]
    live.reorder(speakers_list, [b.public_id, a.public_id, c.public_id])
    state = make_speaker(event, delegation="Brazil", category=SpeakerCategory.MEMBER_STATE, country="BR",
                         inscribed_at=now + timedelta(minutes=5))
    late_ngo = make_speaker(event, delegation="D", inscribed_at=now + timedelta(minutes=6))
    order = [s.delegation for s in services.lineup(speakers_list).queue]
    # A late State leads (States before NGOs); the late NGO follows C, the last NGO to arrive.
    assert order == ["Brazil", "B", "A", "C", "D"]
    with pytest.raises(live.InvalidOrder):
        live.reorder(speakers_list, [b.public_id, a.public_id])  # not everyone waiting
    with pytest.raises(live.InvalidOrder):
        live.reorder(speakers_list, [s.public_id for s in (a, b, c, state, late_ngo, a)])
    done = make_speaker(event, state=DELIVERED, delegation="E")
    with pytest.raises(services.TransitionRefused):
        live.swap(a, done)


def test_swapping_with_a_speaker_moved_to_the_end_exchanges_their_places(floor):
    event, speakers_list = floor
    now = now_utc()
    a, b, c = ngos(event, "ABC", now)
    live.move_to_end(a, now)
    live.swap(a, b)
    queue = services.lineup(speakers_list).queue
    assert [s.delegation for s in queue] == ["A", "C", "B"]
    assert b.moved_to_end_at is not None and a.moved_to_end_at is None


def test_live_state_counts_from_the_server_start_and_projects_the_queue(floor):
    event, speakers_list = floor
    speaker = make_speaker(event, delegation="Permanent Mission of Lithuania", name="Tomas",
                           category=SpeakerCategory.MEMBER_STATE, country="LT")
    nxt = make_speaker(event, delegation="HRW", on_behalf_of_group=True, group_name="12 NGOs")
    started = event.starts_at + timedelta(minutes=1)
    live.start(speaker, started)
    state = screens.live_state(speakers_list, started + timedelta(seconds=52))
    assert state["current"]["started_at"] == started.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert state["current"]["seconds_left"] == 8
    assert state["server_now"].endswith("Z")
    (queued,) = state["queue"]
    assert queued["delegation"] == "HRW" and queued["group_name"] == "12 NGOs"
    assert queued["projected_start"] == (started + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert queued["place"] == 1 and queued["fits"] is True
    assert state["floor"]["fits"] is True and state["floor"]["remaining_seconds"] == 600 - 112
    assert nxt.public_id not in json.dumps(state)


def test_public_state_holds_no_email_and_names_only_when_the_list_shows_them(floor):
    event, speakers_list = floor
    speaker = make_speaker(event, name="Glacier Kwong", email="glacier@example.org")
    live.start(speaker)
    make_speaker(event, name="Nathan Law", email="nathan@example.org")
    public = json.dumps(screens.live_state(speakers_list))
    for secret in ("Glacier", "Nathan", "@example.org", speaker.public_id):
        assert secret not in public
    speakers_list.public_shows_names = True
    public = json.dumps(screens.live_state(speakers_list))
    assert "Glacier Kwong" in public and "Nathan Law" in public and "@example.org" not in public
    console = screens.live_state(speakers_list, console=True)
    assert console["current"]["id"] == speaker.public_id and "@example.org" not in json.dumps(console)


def test_report_gives_time_allowed_and_used_per_speaker_and_per_category(floor):
    event, speakers_list = floor
    start = now_utc()
    state = make_speaker(event, category=SpeakerCategory.MEMBER_STATE, country="FR", delegation="France")
    ngo = make_speaker(event, delegation="HRW")
    group = make_speaker(event, delegation="ISHR", on_behalf_of_group=True, group_name="12 NGOs")
    absent = make_speaker(event, delegation="CIVICUS")
    for speaker, seconds in ((group, 130), (state, 55), (ngo, 64)):
        live.start(speaker, start)
        live.mark_delivered(speaker, start + timedelta(seconds=seconds))
        start += timedelta(minutes=3)
    live.mark_absent(absent)

    report = reports.report(speakers_list)
    assert [(s.delegation, s.seconds_allowed, s.seconds_used) for s in report.speakers] == [
        ("ISHR", 120, 130), ("France", 60, 55), ("HRW", 60, 64), ("CIVICUS", 60, None)]
    totals = {c.category: (c.delivered, c.absent, c.seconds_allowed, c.seconds_used, c.seconds_over)
              for c in report.categories}
    assert totals == {SpeakerCategory.MEMBER_STATE: (1, 0, 60, 55, -5),
                      SpeakerCategory.NGO: (2, 1, 180, 194, 14)}
    assert (report.seconds_allowed, report.seconds_used) == (240, 249)
