"""The public live list's JSON as thousands of viewers poll it: built once per change, answered
304 while nothing changes, gzipped for those who take it, and a change shown at once."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from rsvp.events.models import Event, EventStatus
from rsvp.extensions import db
from rsvp.speakers import feed, lists, live, screens, services
from rsvp.speakers.models import SpeakerCategory
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_speaker, make_speakers_list


@pytest.fixture
def event(db_session):
    """A list whose floor opens tomorrow: nothing in it changes with the clock until then."""
    event = make_event()
    make_speakers_list(event, floor_starts_at=event.starts_at, floor_minutes=30)
    return event


def url(event) -> str:
    return f"/events/{event.slug}/speakers/live.json"


def poll(client, event, etag: str | None = None, **headers: str):
    if etag:
        headers["If-None-Match"] = etag
    return client.get(url(event), headers=headers)


def test_an_unchanged_list_answers_304_with_the_server_clock(client, event):
    make_speaker(event, delegation="Human Rights Watch")
    first = poll(client, event)
    assert first.status_code == 200 and first.mimetype == "application/json"
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert "Accept-Encoding" in first.headers["Vary"] and "Accept-Language" in first.headers["Vary"]
    again = poll(client, event, etag)
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    # The clock the countdown is corrected by comes with every answer, 304 included.
    for response in (first, again):
        sent = response.headers["Server-Now"]
        assert sent.endswith("Z") and abs(
            (now_utc() - datetime.fromisoformat(sent)).total_seconds()) < 60
    assert poll(client, event, '"something else"').status_code == 200


def test_the_document_holds_nothing_that_changes_every_second(client, event):
    speaker = make_speaker(event)
    live.start(speaker)
    db.session.commit()
    state = poll(client, event).get_json()
    assert state["current"]["started_at"] and state["current"]["seconds_allowed"] == 60
    assert "seconds_left" not in state["current"] and "server_now" not in state
    assert "remaining_seconds" not in state["floor"]


def test_gzip_only_for_clients_that_accept_it(client, event):
    for n in range(20):
        make_speaker(event, delegation=f"Organisation for rights number {n}")
    plain = poll(client, event, **{"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    zipped = poll(client, event, **{"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert len(zipped.get_data()) < len(plain.get_data()) / 3
    assert zipped.headers["ETag"] == plain.headers["ETag"]
    assert len(json.loads(plain.get_data())["queue"]) == 20


def test_built_once_per_change_not_per_request(client, event, monkeypatch):
    first = make_speaker(event)
    make_speaker(event)
    builds = []
    real = screens.public_state
    monkeypatch.setattr(screens, "public_state", lambda *a, **k: builds.append(1) or real(*a, **k))
    for _ in range(10):
        poll(client, event)
    assert len(builds) == 1
    live.start(first)
    db.session.commit()
    for _ in range(10):
        poll(client, event)
    assert len(builds) == 2
    poll(client, event, **{"Accept-Language": "fr"})
    assert len(builds) == 3  # one per language


CHANGES = {
    "start": lambda first, second: live.start(first),
    "confirm": lambda first, second: live.confirm(first),
    "move to the end": lambda first, second: live.move_to_end(first),
    "swap": lambda first, second: live.swap(first, second),
    "withdraw": lambda first, second: services.withdraw(first),
    "change of language": lambda first, second: services.change(first, language="fr"),
    "settings": lambda first, second: lists.configure(first.event, floor_minutes=45),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_shows_at_once(client, change):
    event = make_event(interpretation_languages=["fr"])
    make_speakers_list(event, floor_starts_at=event.starts_at)
    first = make_speaker(event, delegation="Permanent Mission of Lithuania",
                         category=SpeakerCategory.MEMBER_STATE, country="LT")
    second = make_speaker(event, delegation="Human Rights Watch")
    before = poll(client, event)
    CHANGES[change](first, second)
    db.session.commit()
    after = poll(client, event, before.headers["ETag"])
    assert after.status_code == 200, change
    assert after.get_json() != before.get_json()
    assert after.get_json() == screens.public_state(lists.public_list(event))[0]


def test_seats_taken_on_the_event_do_not_rebuild_it_a_new_time_zone_does(client, event, monkeypatch):
    make_speaker(event)
    builds = []
    real = screens.public_state
    monkeypatch.setattr(screens, "public_state", lambda *a, **k: builds.append(1) or real(*a, **k))
    etag = poll(client, event).headers["ETag"]
    for _ in range(3):  # as registrations do: a conditional UPDATE of the event's seat count
        db.session.execute(sa.update(Event).where(Event.id == event.id)
                           .values(taken_online=Event.taken_online + 1))
        db.session.commit()
        assert poll(client, event, etag).status_code == 304
    assert len(builds) == 1
    event.timezone = "America/New_York"
    db.session.commit()
    changed = poll(client, event, etag)
    assert changed.status_code == 200 and len(builds) == 2


def test_a_change_committed_elsewhere_shows_at_once(client, event):
    """Another process changed the list: only the version in the database says so."""
    speaker = make_speaker(event)
    before = poll(client, event)
    speakers_list = lists.public_list(event)
    version = speakers_list.version
    live.start(speaker)  # as another web process would: the version goes up with the change
    db.session.commit()
    assert lists.public_list(event).version > version
    after = poll(client, event, before.headers["ETag"])
    assert after.status_code == 200 and after.get_json()["current"]["delegation"] == speaker.delegation


def test_the_same_list_gives_the_same_etag_in_every_process(client, event):
    make_speaker(event)
    etag = poll(client, event).headers["ETag"]
    feed.forget()  # another worker, which has built nothing yet
    assert poll(client, event, etag).status_code == 304


@pytest.mark.parametrize("hide", ["draft", "list off"])
def test_a_list_taken_down_is_gone_at_once_whatever_was_kept(client, event, hide):
    make_speaker(event)
    etag = poll(client, event).headers["ETag"]
    if hide == "draft":
        event.status = EventStatus.DRAFT
    else:
        lists.configure(event, enabled=False)
    db.session.commit()
    assert poll(client, event).status_code == 404
    assert poll(client, event, etag).status_code == 404


def test_until_when_a_public_state_holds(db_session):
    event = make_event()
    speakers_list = make_speakers_list(event, floor_starts_at=event.starts_at, floor_minutes=30,
                                       opens_at=None)
    first, second = make_speaker(event), make_speaker(event)
    before_floor = event.starts_at - timedelta(hours=1)
    _state, until = screens.public_state(speakers_list, before_floor)
    assert until == before_floor + screens.LONGEST  # nothing moves by itself for a minute
    _state, until = screens.public_state(speakers_list, event.starts_at - timedelta(seconds=20))
    assert until == event.starts_at  # the floor opens: projections follow the clock from then

    started = event.starts_at + timedelta(minutes=1)
    live.start(first, started)
    db.session.commit()
    during = started + timedelta(seconds=50)
    _state, until = screens.public_state(speakers_list, during)
    assert until == started + timedelta(seconds=60)  # the speaker's time runs out
    over = started + timedelta(seconds=75)
    state, until = screens.public_state(speakers_list, over)
    assert until == over + screens.CLOCK_STEP  # over time: the queue's times move every second
    assert state["queue"][0]["projected_start"] == screens.iso(over)
    assert second.public_id not in json.dumps(state)
