"""Delegations inscribe while the moderator draws lots, cuts the time, gives the floor, adds a
right of reply and records a substitution: real concurrent requests and commits, on SQLite or
PostgreSQL (whichever the suite runs on). Every console write takes the event's lists first, as
inscriptions do, so none deadlocks with an inscription: every inscription is stored once, nobody
is told to try again, and the cut reaches everyone still waiting, however the two interleave."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers import records, services
from rsvp.speakers.models import WAITING_STATES, Speaker, SpeakerCategory, SpeakersList, SpeakerState
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list

INSCRIPTIONS = 120
STATES = 10
JSON = {"Accept": "application/json"}


def test_inscriptions_racing_draws_and_a_cut_are_stored_once_and_all_get_the_cut(app, live_db):
    event = make_event()
    speakers_list = make_speakers_list(event, individual_seconds=180, group_seconds=240)
    states = [make_speaker(event, delegation=f"State {n}", category=SpeakerCategory.MEMBER_STATE,
                           country=f"A{chr(65 + n)}", state=SpeakerState.CONFIRMED, seconds_allowed=180)
              for n in range(STATES)]
    db.session.commit()
    moderator = make_organiser()
    grant_role(event, moderator, Role.MANAGER)
    slug, event_id, list_id, email = event.slug, event.id, speakers_list.id, moderator.email
    first, substituted = states[0].public_id, states[1].public_id
    console = f"/manage/events/{event.public_id}/speakers"
    forms = [{"name": f"Speaker {n}", "delegation": f"NGO {n}", "category": "ngo", "capacity": "individual",
              "language": "en", "email": f"ngo{n}@example.org", "consent": "y"} for n in range(INSCRIPTIONS)]
    together = threading.Barrier(2)
    inscribing = threading.Event()

    def inscribe(form: dict[str, str]) -> int:
        inscribing.set()
        with app.test_client() as client:
            return client.post(f"/events/{slug}/speakers", data=form).status_code

    def moderate() -> list[tuple[str, int]]:
        answers = []
        with app.test_client() as client:
            assert log_in(client, email).status_code == 303
            together.wait()
            inscribing.wait(30)
            for name, path, data in [
                ("draw", "/draw", {"first_place": "1", "last_place": "10", "seed": "first"}),
                ("start", f"/{first}/act", {"action": "start"}),
                ("cut", "/cut", {"individual_seconds": "90", "group_seconds": "120"}),
                ("draw again", "/draw", {"first_place": "1", "last_place": "8", "seed": "second",
                                         "again": "y"}),
                ("stop", f"/{first}/act", {"action": "stop"}),
                ("delivered", f"/{first}/act", {"action": "delivered"}),
                ("reply", "/reply", {"category": "member_state", "country": "LT",
                                     "delegation": "Permanent Mission of Lithuania"}),
                ("substitute", "/substitute", {"speaker": substituted, "name": "Ona",
                                               "authorisation": "Note verbale, 6 July"}),
            ]:
                answers.append((name, client.post(console + path, data=data, headers=JSON).status_code))
        return answers

    with ThreadPoolExecutor(max_workers=16) as pool:
        moderating = pool.submit(moderate)
        together.wait()
        statuses = list(pool.map(inscribe, forms))
        answers = moderating.result()

    assert Counter(statuses) == {303: INSCRIPTIONS}  # no "try again", no error page
    assert all(code == 200 for _name, code in answers), answers
    db.session.remove()
    stored = db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event_id)).all()
    assert len(stored) == STATES + INSCRIPTIONS + 1  # and the right of reply
    assert len({s.delegation_key for s in stored}) == len(stored)  # none twice
    assert Counter(s.delegation for s in stored if s.category is SpeakerCategory.NGO) == {
        f"NGO {n}": 1 for n in range(INSCRIPTIONS)}
    # The cut reached everyone waiting, whether they inscribed before it or after.
    waiting = [s for s in stored if s.state in WAITING_STATES and not s.right_of_reply]
    assert {s.seconds_allowed for s in waiting} == {90}
    the_list = db.session.get(SpeakersList, list_id)
    assert [d.public["seed"] for d in records.draws_of(the_list)] == ["first", "second"]
    assert len(services.lineup(the_list).queue) == len(stored) - 1  # all but the one delivered
