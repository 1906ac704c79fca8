"""Rights of reply after the main list, in their own queue and time; NGOs' priority requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers import lists, live, services
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakerState
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers.test_console import signed_in
from tests.speakers.test_views import VALID


@pytest.fixture
def event(db_session):
    event = make_event(title="General debate")
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=1), reply_seconds=120)
    return event


def test_a_reply_waits_after_everyone_with_its_own_time_and_a_cut_leaves_it(client, event):
    speakers_list = lists.speakers_list_of(event)
    lithuania = make_speaker(event, delegation="Permanent Mission of Lithuania", country="LT",
                             category=SpeakerCategory.MEMBER_STATE, state=SpeakerState.CONFIRMED)
    signed_in(client, event, Role.MANAGER)
    base = f"/manage/events/{event.public_id}/speakers"
    assert f'action="{base}/reply"' in client.get(base).get_data(as_text=True)
    answer = client.post(f"{base}/reply", data={"category": "member_state", "country": "CN",
                                                "delegation": "Permanent Mission of China"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Permanent Mission of China is in the right-of-reply queue, after the list." in answer
    refused = client.post(f"{base}/reply", data={"category": "ngo", "country": "CN", "delegation": "x"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 409
    later = make_speaker(event, delegation="CIVICUS", moved_to_end_at=now_utc())
    # A second reply by the same State, and Lithuania's own reply besides its statement.
    live.add_reply(speakers_list, SpeakerCategory.MEMBER_STATE, "CN", "Permanent Mission of China")
    live.add_reply(speakers_list, SpeakerCategory.MEMBER_STATE, "LT", "Permanent Mission of Lithuania")
    db.session.commit()
    queue = services.lineup(speakers_list).queue
    assert [s.delegation for s in queue] == [
        lithuania.delegation, later.delegation, "Permanent Mission of China", "Permanent Mission of China",
        "Permanent Mission of Lithuania"]
    assert [s.seconds_allowed for s in queue[2:]] == [120, 120, 120]
    live.cut_time(speakers_list, 45, 90)
    assert [s.seconds_allowed for s in services.lineup(speakers_list).queue] == [45, 45, 120, 120, 120]
    state = client.get(f"/events/{event.slug}/speakers/live.json").get_json()
    assert [e["right_of_reply"] for e in state["queue"]] == [False, False, True, True, True]
    assert "right of reply" in client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)


def test_an_ngo_asking_for_priority_speaks_first_among_ngos(client, event):
    form = VALID | {"category": "ngo", "country": ""}
    for delegation, priority in (("CIVICUS", False), ("Uyghur Human Rights Project", True)):
        data = form | {"delegation": delegation, "email": f"{delegation[:4].lower()}@example.org"}
        if priority:
            data["priority_requested"] = "y"
        assert client.post(f"/events/{event.slug}/speakers", data=data).status_code == 303
    assert client.post(f"/events/{event.slug}/speakers", data=VALID).status_code == 303  # a State
    asked = db.session.scalar(sa.select(Speaker).where(Speaker.delegation == "Uyghur Human Rights Project"))
    assert asked.priority_requested is True
    queue = services.lineup(lists.speakers_list_of(event)).queue
    assert [s.delegation for s in queue] == ["Permanent Mission of Lithuania", "Uyghur Human Rights Project",
                                             "CIVICUS"]
