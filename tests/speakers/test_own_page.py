"""A remote speaker's own page follows the floor: their place, their projected time, "you are
next", "you have the floor" with the time it started, and nothing about anyone else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rsvp.extensions import db
from rsvp.speakers import live, screens
from rsvp.speakers.models import SpeakerState
from rsvp.speakers.notify import speaker_url
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_speaker, make_speakers_list


@pytest.fixture
def event(db_session):
    event = make_event(title="Online interactive dialogue")
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=1), floor_minutes=20)
    return event


def status(client, speaker) -> dict:
    response = client.get(speaker_url(speaker).removeprefix("http://localhost") + "/status.json")
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_the_status_says_the_place_next_and_the_floor_as_the_list_moves(client, event):
    first = make_speaker(event, delegation="Amnesty International", name="Agnès",
                         state=SpeakerState.CONFIRMED)
    second = make_speaker(event, delegation="CIVICUS", name="Lysa", email="lysa@example.org",
                          state=SpeakerState.CONFIRMED)
    third = make_speaker(event, delegation="ISHR", state=SpeakerState.CONFIRMED)
    waiting = status(client, third)
    assert waiting["place"] == 3 and waiting["message"] == "You are number 3 in the queue."
    assert waiting["projected_start_local"] and not waiting["has_floor"]
    assert status(client, first)["message"] == "You are next: get ready to unmute."
    live.start(first)
    db.session.commit()
    speaking = status(client, first)
    assert speaking["has_floor"] and speaking["message"] == "You have the floor: unmute now."
    assert speaking["current"]["started_at"] == screens.iso(first.started_at)
    assert status(client, second)["message"] == (
        "You are next, after the speaker who has the floor: get ready to unmute.")
    body = client.get(speaker_url(second).removeprefix("http://localhost") + "/status.json"
                      ).get_data(as_text=True)
    for other in ("Amnesty", "Agnès", "ISHR", "lysa@example.org"):
        assert other not in body
    live.mark_delivered(first)
    db.session.commit()
    assert status(client, first)["message"] == "Delivered"
    assert status(client, second)["is_next"] is True


def test_the_own_page_shows_the_live_panel_and_a_bad_link_gets_no_status(client, event):
    speaker = make_speaker(event, state=SpeakerState.CONFIRMED)
    page = client.get(speaker_url(speaker).removeprefix("http://localhost")).get_data(as_text=True)
    assert 'id="own-live"' in page and "You are next: get ready to unmute." in page
    assert "js/speakers-own.js" in page
    assert client.get("/s/not-a-token/status.json").status_code == 404
