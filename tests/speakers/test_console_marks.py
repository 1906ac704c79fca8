"""The console's rows say what kind of statement each is: a joint statement with its signatories
(a click away), a right of reply, an NGO's priority request; and "Draw again" once lots are drawn."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers import lists, live
from rsvp.speakers.models import SpeakerCategory, SpeakerState
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list


@pytest.fixture
def event(db_session):
    event = make_event(title="Interactive dialogue")
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=1), floor_minutes=30)
    return event


def row_of(page: str, delegation: str) -> str:
    """The queue row (its <tr>) that names ``delegation``."""
    body = page.split('<tbody id="console-queue">', 1)[1].split("</tbody>", 1)[0]
    return next(row for row in re.findall(r"<tr.*?</tr>", body, re.S) if delegation in row)


def test_rows_mark_joint_statements_replies_and_priority(client, event):
    for n, code in enumerate(["LT", "EE"]):
        make_speaker(event, delegation=f"Mission {n}", country=code, category=SpeakerCategory.MEMBER_STATE,
                     state=SpeakerState.CONFIRMED)
    make_speaker(event, delegation="Mission of Finland", country="FI", category=SpeakerCategory.MEMBER_STATE,
                 on_behalf_of_group=True, group_name="the Nordic-Baltic group",
                 signatories=[{"state": "FI"}, {"organisation": "CIVICUS"}])
    make_speaker(event, delegation="Defenders of the Delta", priority_requested=True)
    live.add_reply(lists.speakers_list_of(event), SpeakerCategory.MEMBER_STATE, "KE", "Mission of Kenya")
    db.session.commit()
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    page = client.get(f"/manage/events/{event.public_id}/speakers").get_data(as_text=True)

    joint = row_of(page, "Mission of Finland")
    assert re.search(r'<details class="console-signatories" data-field="mark-joint">', joint)
    assert "Joint statement (signatories: 2)" in joint
    assert "<li><bdi>Finland</bdi></li><li><bdi>CIVICUS</bdi></li>" in joint
    assert 'data-field="mark-priority" hidden' in joint and 'data-field="mark-reply" hidden' in joint
    ngo = row_of(page, "Defenders of the Delta")
    assert re.search(r'data-field="mark-priority">NGO priority requested<', ngo)
    assert 'data-field="mark-joint" hidden' in ngo
    reply = row_of(page, "Mission of Kenya")
    assert re.search(r'data-field="mark-reply">Right of reply<', reply)
    plain = row_of(page, "Mission 0")
    for mark in ("mark-reply", "mark-priority", "mark-joint"):
        assert f'data-field="{mark}" hidden' in plain
    # The script fills the same marks from the console's JSON.
    state = client.get(f"/manage/events/{event.public_id}/speakers/console.json").get_json()
    marks = {e["delegation"]: (e["right_of_reply"], e["priority"], e["signatories"]) for e in state["queue"]}
    assert marks["Mission of Kenya"] == (True, False, [])
    assert marks["Defenders of the Delta"] == (False, True, [])
    assert marks["Mission of Finland"] == (False, False, ["Finland", "CIVICUS"])

    arabic = client.get(f"/manage/events/{event.public_id}/speakers?lang=ar").get_data(as_text=True)
    assert "بيان مشترك (الموقّعون: 2)" in row_of(arabic, "Mission of Finland")
    assert "حق الرد" in row_of(arabic, "Mission of Kenya")


def test_draw_again_is_in_the_page_hidden_until_a_draw_exists(client, event):
    for n in range(3):
        make_speaker(event, delegation=f"NGO {n}")
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    path = f"/manage/events/{event.public_id}/speakers"
    assert '<div class="field" id="draw-again-field" hidden>' in client.get(path).get_data(as_text=True)
    assert client.get(path + "/console.json").get_json()["draws"] == []
    response = client.post(path + "/draw", data={"first_place": "1", "last_place": "3", "seed": "s"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert len(client.get(path + "/console.json").get_json()["draws"]) == 1  # what the script shows it by
    assert '<div class="field" id="draw-again-field">' in client.get(path).get_data(as_text=True)
