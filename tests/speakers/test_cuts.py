"""Time cuts: the chair cuts speaking time from now on for everyone still waiting; the projected
times follow, whoever spoke or speaks keeps their time, and the report shows each one's."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from rsvp.speakers import lists, live, services
from rsvp.speakers.models import SpeakerCategory, SpeakerState
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers.test_console import signed_in


@pytest.fixture
def event(db_session):
    event = make_event(title="Interactive dialogue")
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=5), floor_minutes=20,
                       individual_seconds=180, group_seconds=120,
                       category_seconds={"ngo": {"individual": 90}})
    return event


def speakers(event):
    done = make_speaker(event, state=SpeakerState.DELIVERED, seconds_allowed=180, seconds_used=170,
                        category=SpeakerCategory.MEMBER_STATE, delegation="Lithuania")
    speaking = make_speaker(event, state=SpeakerState.CONFIRMED, seconds_allowed=180,
                            category=SpeakerCategory.MEMBER_STATE, delegation="Estonia")
    waiting = [make_speaker(event, seconds_allowed=180, category=SpeakerCategory.MEMBER_STATE,
                            delegation="Latvia"),
               make_speaker(event, seconds_allowed=90, delegation="CIVICUS"),
               make_speaker(event, seconds_allowed=120, on_behalf_of_group=True, group_name="12 NGOs",
                            delegation="ISHR")]
    live.start(speaking)
    db.session.commit()
    return done, speaking, waiting


def test_a_cut_applies_to_everyone_still_waiting_and_the_projection_follows(event):
    done, speaking, waiting = speakers(event)
    speakers_list = lists.speakers_list_of(event)
    version = speakers_list.version
    now = speaking.started_at + timedelta(seconds=30)
    assert live.cut_time(speakers_list, 150, 90, now) == 3
    db.session.commit()
    assert (done.seconds_allowed, speaking.seconds_allowed) == (180, 180)  # spoke, or speaking: kept
    lineup = services.lineup(speakers_list, now)
    assert [(s.delegation, s.seconds_allowed) for s in lineup.queue] == [
        ("ISHR", 90), ("Latvia", 150), ("CIVICUS", 150)]  # the NGO exception goes with the cut
    starts = [lineup.slot_of(s).starts_at for s in lineup.queue]
    assert starts[0] == speaking.started_at + timedelta(seconds=180)
    assert starts[1] - starts[0] == timedelta(seconds=90) and starts[2] - starts[1] == timedelta(seconds=150)
    assert speakers_list.version > version  # live.json is rebuilt
    assert speakers_list.seconds_for(SpeakerCategory.NGO, False) == 150  # later inscriptions too


def test_the_console_cuts_time_records_it_and_the_report_shows_each_allotment(client, event):
    done, speaking, waiting = speakers(event)
    signed_in(client, event, Role.MANAGER)
    base = f"/manage/events/{event.public_id}/speakers"
    page = client.get(base).get_data(as_text=True)
    assert f'action="{base}/cut"' in page and 'name="individual_seconds" value="180"' in page
    refused = client.post(f"{base}/cut", data={"individual_seconds": "two", "group_seconds": "90"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 409 and "Enter a whole number of seconds" in refused.get_json()["message"]
    answer = client.post(f"{base}/cut", data={"individual_seconds": "150", "group_seconds": "90"},
                         follow_redirects=True).get_data(as_text=True)
    assert ("Speaking time is cut to 150 s, 90 s on behalf of a group, for the 3 speakers still waiting"
            in answer)
    detail = db.session.scalar(sa.select(AuditEntry.detail).where(AuditEntry.event_id == event.id))
    assert detail == "speakers list 1: time cut from 180/120 s to 150/90 s for 3 waiting"
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"{base}/report/speakers.csv").data.decode("utf-8-sig"))))
    assert {r["Delegation or organisation"]: r["Seconds allowed"] for r in rows} == {
        "Lithuania": "180", "Estonia": "180", "ISHR": "90", "Latvia": "150", "CIVICUS": "150"}


def test_only_managers_cut(client, event):
    signed_in(client, event, Role.VIEWER)
    response = client.post(f"/manage/events/{event.public_id}/speakers/cut",
                           data={"individual_seconds": "60", "group_seconds": "60"})
    assert response.status_code == 404  # as for any page a role does not reach
    assert lists.speakers_list_of(event).individual_seconds == 180
