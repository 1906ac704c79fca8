"""A second list opens and delegations inscribe at once while the moderator reorders it: real
concurrent requests and commits, on SQLite or PostgreSQL (whichever the suite runs on). Every
inscription is stored once, on its own list, and the published draw holds."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers import lists, live, records, services
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakerState
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list

INSCRIPTIONS = 200
STATES = 12


def test_inscriptions_at_a_lists_opening_while_the_console_reorders_are_stored_once(app, live_db):
    event = make_event()
    make_speakers_list(event)
    second = make_speakers_list(event, number=2, title="Segment II")
    states = [make_speaker(event, speakers_list=second, delegation=f"State {n}",
                           category=SpeakerCategory.MEMBER_STATE, state=SpeakerState.CONFIRMED)
              for n in range(STATES)]
    draw = live.draw(second, 1, 8, "segment-two")
    drawn_order = list(draw.public["after"])
    opens_at = now_utc() + timedelta(seconds=3)
    second.opens_at = opens_at
    db.session.commit()
    moderator = make_organiser()
    grant_role(event, moderator, Role.MANAGER)
    slug, event_id, list_id, email = event.slug, event.id, second.id, moderator.email
    ninth, tenth = states[8].public_id, states[9].public_id  # outside the drawn part
    console = f"/manage/events/{event.public_id}/speakers"

    forms = [{"name": f"Speaker {n}", "delegation": f"NGO {n}", "category": "ngo", "capacity": "individual",
              "language": "en", "email": f"ngo{n}@example.org", "consent": "y"} for n in range(INSCRIPTIONS)]
    again = [dict(form, name="Again", email=f"again{n}@example.org") for n, form in enumerate(forms[:20])]
    inscribing = threading.Event()

    def inscribe(form: dict[str, str]) -> int:
        time.sleep(max((opens_at - now_utc()).total_seconds(), 0))
        inscribing.set()
        with app.test_client() as client:
            return client.post(f"/events/{slug}/speakers?list=2", data=form).status_code

    def reorder() -> list[int]:
        codes = []
        with app.test_client() as client:
            assert log_in(client, email).status_code == 303
            inscribing.wait(30)
            for _ in range(10):  # an even number of swaps: the two end where they began
                codes.append(client.post(f"{console}/swap?list=2", data={"first": ninth, "second": tenth},
                                         headers={"Accept": "application/json"}).status_code)
        return codes

    with ThreadPoolExecutor(max_workers=24) as pool:
        moderator_screen = pool.submit(reorder)
        racing = itertools.chain.from_iterable(itertools.zip_longest(forms, again))
        ordered = [form for form in racing if form]
        statuses = list(pool.map(inscribe, ordered))
        swaps = moderator_screen.result()

    assert Counter(statuses) == {303: INSCRIPTIONS, 409: 20}  # nobody sees an error page
    assert set(swaps) <= {200, 409} and 200 in swaps  # a swap the list outran is refused, said why
    db.session.remove()
    stored = db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event_id)).all()
    assert len(stored) == STATES + INSCRIPTIONS and {s.list_id for s in stored} == {list_id}
    assert len({s.delegation_key for s in stored}) == len(stored)  # none twice
    speakers_list = lists.speakers_list_of(db.session.get(type(second), list_id).event, 2)
    queue = services.lineup(speakers_list).queue
    assert [s.id for s in queue[:8]] == drawn_order  # the draw holds
    assert [records.draws_of(speakers_list)[0].public["seed"]] == ["segment-two"]
    assert len(queue) == STATES + INSCRIPTIONS
