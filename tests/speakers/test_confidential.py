"""Confidential participation on the speakers list (issue 22): the name never reaches the public
live list, its JSON feed or the screen in the room; below manager the console shows no name; the
choice itself is sealed at rest; the report's CSV leaves the name out unless a manager asks."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from rsvp.speakers import lists, screens
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakerState
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.speakers.test_views import VALID

SECRET = "Ilham Secretname"


@pytest.fixture
def event(db_session):
    event = make_event(title="Reprisals against defenders", interpretation_languages=["fr"])
    make_speakers_list(event, public_shows_names=True)
    return event


def signed_in(client, event, role: Role) -> None:
    organiser = make_organiser()
    grant_role(event, organiser, role)
    assert log_in(client, organiser.email).status_code == 303


def test_the_choice_is_offered_stored_sealed_and_the_public_never_sees_the_name(client, event):
    page = client.get(f"/events/{event.slug}/speakers").get_data(as_text=True)
    assert "Keep my participation confidential" in page
    answer = client.post(f"/events/{event.slug}/speakers", data=VALID | {
        "name": SECRET, "delegation": "Uyghur Human Rights Project", "category": "ngo", "country": "",
        "confidential": "y"})
    assert answer.status_code == 303
    make_speaker(event, name="Open Speaker", delegation="CIVICUS", state=SpeakerState.CONFIRMED)
    speaker = db.session.scalar(sa.select(Speaker).where(Speaker.delegation == "Uyghur Human Rights Project"))
    assert speaker.confidential is True
    raw = db.session.execute(sa.text("SELECT confidential FROM speakers WHERE id = :id"),
                             {"id": speaker.id}).scalar_one()
    assert raw and "true" not in raw.lower()  # sealed: the choice itself says who is at risk

    for path in ("/speakers/live", "/speakers/live.json"):
        body = client.get(f"/events/{event.slug}{path}").get_data(as_text=True)
        assert "Uyghur Human Rights Project" in body and SECRET not in body
        assert "Open Speaker" in body  # the list shows names; only the confidential one is left out


def test_a_confidential_individual_speaking_for_no_institution_is_a_participant(client, event):
    make_speaker(event, name=SECRET, delegation=SECRET, category=SpeakerCategory.OTHER, confidential=True)
    state = screens.live_state(lists.speakers_list_of(event))
    assert state["queue"][0]["delegation"] == "A participant" and "name" not in state["queue"][0]
    body = client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
    assert SECRET not in body and "A participant" in body


@pytest.mark.parametrize(("role", "sees"), [(Role.VIEWER, False), (Role.MANAGER, True)])
def test_the_console_shows_the_name_to_managers_only(client, event, role, sees):
    make_speaker(event, name=SECRET, delegation="Hong Kong Watch", confidential=True)
    signed_in(client, event, role)
    for path in ("", "/console.json", "/report"):
        body = client.get(f"/manage/events/{event.public_id}/speakers{path}").get_data(as_text=True)
        assert "Hong Kong Watch" in body
        assert (SECRET in body) is sees, path
        assert ("Confidential speaker" in body) is not sees, path


def test_the_report_csv_names_a_confidential_speaker_only_when_a_manager_asks(client, event):
    make_speaker(event, name=SECRET, delegation="Hong Kong Watch", confidential=True)
    signed_in(client, event, Role.MANAGER)
    base = f"/manage/events/{event.public_id}/speakers/report/speakers.csv"
    rows = list(csv.reader(io.StringIO(client.get(base).get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][1:3] == ["Hong Kong Watch", "Confidential speaker"]
    assert SECRET in client.get(base + "?include_confidential=1").get_data(as_text=True)
    details = db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.event_id == event.id)).all()
    assert any("including the names of confidential speakers" in d for d in details)
