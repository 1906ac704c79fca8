"""Several lists per event (one per panel segment): each its own window, times, order and floor,
each on its own tab of the public live page and the console, each its own live.json."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers import errors, lists, live, services
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakersList, SpeakerState
from rsvp.timeutil import now_utc
from tests.auth.conftest import post_form
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers.test_console import signed_in
from tests.speakers.test_console_settings import form_for
from tests.speakers.test_services import data
from tests.speakers.test_views import VALID


@pytest.fixture
def event(db_session):
    event = make_event(title="Dialogue on civic space", interpretation_languages=["fr"])
    make_speakers_list(event, title="Questions after segment I", individual_seconds=90)
    make_speakers_list(event, number=2, title="Questions after segment II", individual_seconds=60,
                       opens_at=now_utc() + timedelta(hours=1))
    return event


def second(event) -> SpeakersList:
    return lists.speakers_list_of(event, 2)


def test_each_list_has_its_own_window_times_and_one_inscription_per_delegation(event):
    first = lists.speakers_list_of(event)
    assert [s.number for s in lists.lists_of(event)] == [1, 2]
    lithuania = services.inscribe(event, data())
    assert lithuania.list_id == first.id and lithuania.seconds_allowed == 90
    with pytest.raises(services.InscriptionClosed):  # segment II opens in an hour
        services.inscribe(event, data(), speakers_list=second(event))
    later = now_utc() + timedelta(hours=2)
    again = services.inscribe(event, data(), later, speakers_list=second(event))
    assert again.list_id == second(event).id and again.seconds_allowed == 60  # the same delegation, again
    with pytest.raises(services.AlreadyInscribed):
        services.inscribe(event, data(), later, speakers_list=second(event))
    other_event = make_event()
    with pytest.raises(errors.NoSpeakersList):
        services.inscribe(other_event, data(), speakers_list=first)


def test_each_floor_runs_apart_and_changing_one_lists_times_leaves_the_other(event):
    one = make_speaker(event, state=SpeakerState.CONFIRMED)
    two = make_speaker(event, speakers_list=second(event), state=SpeakerState.CONFIRMED)
    also_two = make_speaker(event, speakers_list=second(event))
    assert one.list_id == lists.speakers_list_of(event).id  # no list named: the first
    live.start(one)
    live.start(two)  # another floor: not taken by list 1's speaker
    db.session.commit()
    assert services.lineup(lists.speakers_list_of(event)).current == one
    lineup = services.lineup(second(event))
    assert lineup.current == two and lineup.queue == [also_two]
    lists.configure(event, number=2, individual_seconds=45)
    assert also_two.seconds_allowed == 45 and one.seconds_allowed == 60
    with pytest.raises(services.TransitionRefused):
        live.swap(one, also_two)  # on different lists


def test_the_public_pages_show_each_list_on_its_own_tab_and_feed(client, event):
    make_speaker(event, delegation="CIVICUS")
    ishr = make_speaker(event, speakers_list=second(event), delegation="ISHR")
    page = client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
    assert "Questions after segment I" in page and "Questions after segment II" in page
    assert "CIVICUS" in page and "ISHR" not in page
    page = client.get(f"/events/{event.slug}/speakers/live?list=2").get_data(as_text=True)
    assert "ISHR" in page and "CIVICUS" not in page
    assert f"/events/{event.slug}/speakers/live.json?list=2" in page
    one = client.get(f"/events/{event.slug}/speakers/live.json")
    two = client.get(f"/events/{event.slug}/speakers/live.json?list=2")
    assert [e["delegation"] for e in one.get_json()["queue"]] == ["CIVICUS"]
    assert [e["delegation"] for e in two.get_json()["queue"]] == ["ISHR"]
    assert client.get(f"/events/{event.slug}/speakers/live.json?list=2",
                      headers={"If-None-Match": two.headers["ETag"]}).status_code == 304
    live.confirm(ishr)  # the version bumps
    db.session.commit()
    changed = client.get(f"/events/{event.slug}/speakers/live.json?list=2",
                         headers={"If-None-Match": two.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["queue"][0]["state"] == "confirmed"
    assert client.get(f"/events/{event.slug}/speakers/live.json?list=3").status_code == 404
    assert client.get(f"/events/{event.slug}/speakers/live?list=3").status_code == 404
    event_page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/speakers/live?list=2" in event_page


def test_inscription_through_the_second_lists_page_lands_on_it(client, event):
    second(event).opens_at = None
    db.session.commit()
    form = client.get(f"/events/{event.slug}/speakers?list=2").get_data(as_text=True)
    assert "Questions after segment II" in form and "Individual interventions: 60 seconds" in form
    response = client.post(f"/events/{event.slug}/speakers?list=2", data=VALID)
    assert response.status_code == 303
    (speaker,) = db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event.id)).all()
    assert speaker.list_id == second(event).id and speaker.seconds_allowed == 60


def test_the_console_has_a_tab_per_list_and_a_manager_adds_one(client, event):
    waiting = make_speaker(event, speakers_list=second(event), delegation="ISHR",
                           category=SpeakerCategory.NGO, state=SpeakerState.CONFIRMED)
    signed_in(client, event, Role.MANAGER)
    base = f"/manage/events/{event.public_id}/speakers"
    page = client.get(base + "?list=2").get_data(as_text=True)
    assert "ISHR" in page and "Questions after segment I" in page and "Add a list" in page
    assert f"{base}/console.json?list=2" in page
    assert "ISHR" not in client.get(base).get_data(as_text=True)
    answer = client.post(f"{base}/{waiting.public_id}/act", data={"action": "start"})
    assert answer.status_code == 303 and answer.headers["Location"] == f"{base}?list=2"
    assert client.get(base + "?list=9").status_code == 404

    response = post_form(client, f"{base}/settings?list=new", form_for(event, title="Right of reply"))
    assert response.status_code == 303 and response.headers["Location"] == f"{base}?list=3"
    assert lists.speakers_list_of(event, 3).title == "Right of reply"
    assert "Right of reply" in client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
