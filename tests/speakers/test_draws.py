"""Lot draws with a published seed, swaps between two delegations and substitutions with their
authorisation: recorded, recomputable, shown on the public list and in the report (CSV, XLSX)."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from rsvp.speakers import lists, live, records, services
from rsvp.speakers.models import SpeakerCategory, SpeakerState
from rsvp.speakers.ordering import drawn
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers.test_console import signed_in

STATES = ["Lithuania", "Estonia", "Latvia", "Finland", "Kenya", "Chile", "Fiji"]


@pytest.fixture
def event(db_session):
    event = make_event(title="UPR adoptions")
    make_speakers_list(event, floor_minutes=30)
    for name in STATES:
        make_speaker(event, delegation=name, category=SpeakerCategory.MEMBER_STATE,
                     state=SpeakerState.CONFIRMED)
    return event


def queue(event) -> list[str]:
    return [s.delegation for s in services.lineup(lists.speakers_list_of(event)).queue]


def test_a_draw_orders_the_chosen_part_by_its_seed_and_is_recorded(event):
    speakers_list = lists.speakers_list_of(event)
    done = live.draw(speakers_list, 2, 6, "upr-2026")
    db.session.commit()
    assert queue(event)[0] == "Lithuania" and queue(event)[6] == "Fiji"  # outside the part: unmoved
    assert queue(event)[1:6] == drawn(STATES[1:6], "upr-2026")
    assert done.public["seed"] == "upr-2026"
    assert (done.public["first_place"], done.public["last_place"]) == (2, 6)
    with pytest.raises(live.AlreadyDrawn):  # not redone silently
        live.draw(speakers_list, 1, 7)
    again = live.draw(speakers_list, 1, 7, again=True)
    assert re.fullmatch(r"[0-9a-f]{32}", again.public["seed"]) and again.public["again_after"] == done.id
    assert len(records.draws_of(speakers_list)) == 2
    for first, last in ((0, 3), (3, 3), (2, 8)):
        with pytest.raises(live.InvalidDraw):
            live.draw(speakers_list, first, last, again=True)


def test_anyone_recomputes_a_published_draw_from_the_seed_and_the_part_before(client, event):
    live.draw(lists.speakers_list_of(event), 1, 7)
    db.session.commit()
    published = client.get(f"/events/{event.slug}/speakers/live.json").get_json()
    (draw,) = published["draws"]
    assert draw["before"] == STATES
    assert drawn(draw["before"], draw["seed"]) == [e["delegation"] for e in published["queue"]]
    page = client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
    assert "were drawn by lot at" in page and draw["seed"] in page


def test_swaps_and_substitutions_are_recorded_and_the_report_shows_them(client, event):
    speakers_list = lists.speakers_list_of(event)
    lineup = services.lineup(speakers_list)
    estonia, kenya = lineup.queue[1], lineup.queue[4]
    signed_in(client, event, Role.MANAGER)
    base = f"/manage/events/{event.public_id}/speakers"
    page = client.get(base).get_data(as_text=True)
    assert f'action="{base}/draw"' in page and f'action="{base}/substitute"' in page
    answer = client.post(f"{base}/draw", data={"first_place": "1", "last_place": "7", "seed": "s33d"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Lots are drawn for places 1 to 7 with the seed s33d" in answer
    refused = client.post(f"{base}/draw", data={"first_place": "1", "last_place": "7"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 409 and "already drawn" in refused.get_json()["message"]
    assert client.post(f"{base}/swap", data={"first": estonia.public_id, "second": kenya.public_id}
                       ).status_code == 303
    missing = client.post(f"{base}/substitute", headers={"Accept": "application/json"}, data={
        "speaker": kenya.public_id, "name": "Amina Njoroge", "authorisation": ""})
    assert missing.status_code == 409 and "Say who authorised" in missing.get_json()["message"]
    name_before = kenya.name
    assert client.post(f"{base}/substitute", data={
        "speaker": kenya.public_id, "name": "Amina Njoroge",
        "authorisation": "Note verbale of the Permanent Mission, 6 July"}).status_code == 303
    db.session.expire_all()
    assert kenya.name == "Amina Njoroge"
    raw = db.session.execute(sa.text("SELECT private FROM speakers_records WHERE kind = 'substitution'")
                             ).scalar_one()
    assert "Amina" not in raw and "Note verbale" not in raw  # sealed at rest
    details = db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.event_id == event.id)).all()
    assert "speakers list 1: lots drawn for places 1-7, seed s33d" in details
    assert not any("Amina" in d for d in details)

    rows = list(csv.DictReader(io.StringIO(
        client.get(f"{base}/report/speakers.csv").data.decode("utf-8-sig"))))
    notes = {r["Delegation or organisation"]: r["Draws, swaps and substitutions"] for r in rows}
    assert notes["Estonia"].startswith("Drawn by lot (seed s33d): place 2 → ")
    assert "Swapped places with Kenya" in notes["Estonia"] and "Swapped places with Estonia" in notes["Kenya"]
    assert (f"Speaker substituted: {name_before} → Amina Njoroge (authorisation: Note verbale of the "
            "Permanent Mission, 6 July)") in notes["Kenya"]
    book = load_workbook(io.BytesIO(client.get(f"{base}/report/speakers.xlsx").data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    column = header.index("Draws, swaps and substitutions")
    kenya_row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "Kenya")
    assert "Amina Njoroge" in kenya_row[column] and kenya_row[header.index("Seconds allowed")] == 60
    assert client.get(f"{base}/report/speakers.pdf").status_code == 404
    report = client.get(f"{base}/report").get_data(as_text=True)
    assert "Swapped places with Kenya" in report and "Download per speaker (XLSX)" in report
