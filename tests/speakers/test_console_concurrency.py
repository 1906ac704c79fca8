"""Two moderators on two screens press at the same moment: real concurrent requests, real
commits, on SQLite or PostgreSQL (whichever the suite runs on). One wins; the others are told
why, never with an error page."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers.models import Speaker, SpeakersList, SpeakerState
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list

JSON = {"Accept": "application/json"}


def press_at_once(app, email: str, paths: list[str], action: str) -> list[tuple[int, str]]:
    """One logged-in screen per path, each in its own thread, pressing together."""
    together = threading.Barrier(len(paths))

    def press(path: str) -> tuple[int, str]:
        with app.test_client() as client:
            assert log_in(client, email).status_code == 303
            together.wait()
            response = client.post(path, data={"action": action}, headers=JSON)
            return response.status_code, response.get_json()["message"]

    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(press, paths))


def floor(event_id: int) -> tuple[list[str], str | None]:
    db.session.remove()
    speaking = db.session.scalars(sa.select(Speaker.delegation).where(
        Speaker.event_id == event_id, Speaker.state == SpeakerState.SPEAKING)).all()
    holder = db.session.scalar(sa.select(Speaker.delegation).join(
        SpeakersList, SpeakersList.current_speaker_id == Speaker.id).where(SpeakersList.event_id == event_id))
    return list(speaking), holder


def test_six_screens_start_six_speakers_at_once_and_one_gets_the_floor(app, live_db):
    event = make_event()
    make_speakers_list(event)
    speakers = [make_speaker(event, delegation=f"NGO {n}") for n in range(6)]
    moderator = make_organiser()
    grant_role(event, moderator, Role.MANAGER)
    paths = [f"/manage/events/{event.public_id}/speakers/{s.public_id}/act" for s in speakers]

    results = press_at_once(app, moderator.email, paths, "start")
    assert Counter(code for code, _ in results) == {200: 1, 409: 5}
    (winner,) = [message for code, message in results if code == 200]
    assert all(message.startswith("Someone else has the floor") for code, message in results if code == 409)
    speaking, holder = floor(event.id)
    assert speaking == [holder] and winner == f"{holder} has the floor."


def test_delivered_pressed_on_two_screens_is_recorded_once(app, live_db):
    event = make_event()
    make_speakers_list(event)
    speaker = make_speaker(event, delegation="CIVICUS")
    moderator = make_organiser()
    grant_role(event, moderator, Role.MANAGER)
    path = f"/manage/events/{event.public_id}/speakers/{speaker.public_id}/act"
    assert press_at_once(app, moderator.email, [path], "start")[0][0] == 200

    results = press_at_once(app, moderator.email, [path, path], "delivered")
    assert sorted(code for code, _ in results) == [200, 409]
    assert [message for code, message in results if code == 409] == [
        "Nothing was changed: CIVICUS is now marked “Delivered”. The list below is up to date."]
    assert floor(event.id) == ([], None)
