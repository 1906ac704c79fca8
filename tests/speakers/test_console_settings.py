"""The speakers-list settings page: creating a list, times in the event's zone, clear errors,
new times for those still waiting, the audit entry, and who may change them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.privacy.models import AuditAction, AuditEntry
from rsvp.speakers import lists
from rsvp.speakers.models import SpeakerCategory
from tests.auth.conftest import post_form
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers.test_console import signed_in

ZURICH = ZoneInfo("Europe/Zurich")


def settings_path(event) -> str:
    return f"/manage/events/{event.public_id}/speakers/settings"


def local_day(event) -> datetime:
    """Midnight before the event, on the event's wall clock."""
    return event.starts_at.astimezone(ZURICH).replace(hour=0, minute=0, second=0, microsecond=0,
                                                      tzinfo=None)


def form_for(event, **changes: str) -> dict[str, str]:
    day = local_day(event)
    values = {
        "enabled": "y",
        "opens_at": (day - timedelta(days=2) + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (day + timedelta(hours=8, minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "floor_starts_at": "",
        "floor_minutes": "25",
        "individual_seconds": "90",
        "group_seconds": "150",
        "reply_seconds": "180",
        "one_per_delegation": "y",
        "ngo_individual": "75",
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def entries(event) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.event_id == event.id)))


def test_a_manager_creates_the_list_with_times_in_the_events_zone(client, db_session):
    event = make_event(timezone="Europe/Zurich")
    signed_in(client, event, Role.MANAGER)
    page = client.get(settings_path(event)).get_data(as_text=True)
    assert "This event has no speakers list yet" in page and "Create the speakers list" in page
    assert "In the event's time zone, Europe/Zurich (CE" in page  # CET or CEST, as on the event's day
    assert re.search(r'<input [^>]*name="individual_seconds"[^>]* type="number" value="60">', page)

    response = client.post(settings_path(event), data=form_for(event))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/manage/events/{event.public_id}/speakers"
    assert "The speakers list is set up." in client.get(response.headers["Location"]).get_data(as_text=True)
    stored = lists.speakers_list_of(event)
    day = local_day(event)
    assert stored.opens_at == (day - timedelta(days=2) + timedelta(hours=9)).replace(
        tzinfo=ZURICH).astimezone(UTC)
    assert stored.closes_at == (day + timedelta(hours=8, minutes=30)).replace(tzinfo=ZURICH).astimezone(UTC)
    assert stored.floor_starts_at is None and stored.floor_start() == event.starts_at
    assert (stored.enabled, stored.floor_minutes, stored.individual_seconds, stored.group_seconds) == (
        True, 25, 90, 150)
    assert stored.category_seconds == {"ngo": {"individual": 75}}
    assert (stored.one_per_delegation, stored.public_shows_names) == (True, False)
    assert stored.seconds_for(SpeakerCategory.NGO, False) == 75
    assert stored.seconds_for(SpeakerCategory.NGO, True) == 150
    (entry,) = entries(event)
    assert (entry.action, entry.detail) == (AuditAction.CHANGED_EVENT, "speakers list 1: created")


def test_the_page_shows_the_settings_in_the_events_zone_and_saves_changes(client, db_session):
    event = make_event(timezone="America/New_York")
    opens = event.starts_at - timedelta(days=3)
    make_speakers_list(event, opens_at=opens, category_seconds={"member_state": {"group": 180}})
    waiting = make_speaker(event, category=SpeakerCategory.NGO)
    manager = signed_in(client, event, Role.MANAGER)
    page = client.get(settings_path(event)).get_data(as_text=True)
    shown = opens.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{shown}"' in page
    assert re.search(r'<input [^>]*name="member_state_group"[^>]* value="180">', page)
    assert "Save the settings" in page

    response = post_form(client, settings_path(event), form_for(
        event, opens_at=shown, closes_at="", ngo_individual="45", public_shows_names="y", enabled=None))
    assert response.status_code == 303
    db.session.expire_all()
    stored = lists.speakers_list_of(event)
    assert stored.opens_at == opens and stored.closes_at is None
    assert stored.enabled is False and stored.public_shows_names is True
    assert stored.category_seconds == {"ngo": {"individual": 45}}
    assert waiting.seconds_allowed == 45  # those still waiting get the new time
    (entry,) = entries(event)
    assert entry.actor == manager.email
    assert entry.detail == ("speakers list 1: enabled, floor_minutes, individual_seconds, group_seconds, "
                            "public_shows_names, category_seconds")
    assert waiting.name not in entry.detail and waiting.delegation not in entry.detail


def test_saving_without_a_change_records_nothing(client, db_session):
    event = make_event()
    make_speakers_list(event)
    signed_in(client, event, Role.MANAGER)
    page = client.get(settings_path(event)).get_data(as_text=True)
    values = dict(re.findall(
        r'<input [^>]*name="(\w+)"[^>]* type="(?:number|datetime-local)" value="([^"]*)">', page))
    values.update({"enabled": "y", "one_per_delegation": "y"})
    assert client.post(settings_path(event), data=values).status_code == 303
    assert entries(event) == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"floor_minutes": "half an hour"}, "floor_minutes",
     "Enter the floor time in whole minutes, from 1 to 600."),
    ({"floor_minutes": ""}, "floor_minutes", "Enter the floor time in whole minutes, from 1 to 600."),
    ({"individual_seconds": "0"}, "individual_seconds", "Enter a whole number of seconds from 5 to 3600."),
    ({"group_seconds": "1.5"}, "group_seconds", "Enter a whole number of seconds from 5 to 3600."),
    ({"nhri_group": "99999"}, "nhri_group", "Enter a whole number of seconds from 5 to 3600."),
    ({"opens_at": "tomorrow"}, "opens_at", "Enter a date and a time, for example 2025-10-24 14:30."),
    ({"closes_at": "2020-01-01T10:00", "opens_at": "2020-01-01T10:00"}, "closes_at",
     "Inscription must close after it opens."),
])
def test_bad_settings_are_explained_once_and_nothing_is_saved(client, db_session, changes, field, message):
    event = make_event()
    make_speakers_list(event, floor_minutes=30)
    signed_in(client, event, Role.MANAGER)
    response = client.post(settings_path(event), data=form_for(event, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in page and f'href="#{field}"' in page
    assert page.count(message) == 2  # in the summary and by the field, once each
    assert re.search(rf'<input aria-describedby="[^"]*{field}-error" aria-invalid="true"[^>]* id="{field}"',
                     page)
    assert re.search(r'name="ngo_individual"[^>]* value="75"', page)  # what was typed is kept
    db.session.expire_all()
    assert lists.speakers_list_of(event).floor_minutes == 30
    assert entries(event) == []


def test_a_viewer_can_neither_see_nor_change_the_settings(client, db_session):
    event = make_event()
    make_speakers_list(event, floor_minutes=30)
    signed_in(client, event, Role.VIEWER)
    assert client.get(settings_path(event)).status_code == 404
    assert client.post(settings_path(event), data=form_for(event)).status_code == 404
    assert lists.speakers_list_of(event).floor_minutes == 30


def test_the_settings_form_needs_its_token(csrf_client, db_session):
    event = make_event()
    make_speakers_list(event, floor_minutes=30)
    signed_in(csrf_client, event, Role.OWNER)
    assert csrf_client.post(settings_path(event), data=form_for(event)).status_code == 400
    db.session.expire_all()
    assert lists.speakers_list_of(event).floor_minutes == 30
    assert post_form(csrf_client, settings_path(event), form_for(event)).status_code == 303
    db.session.expire_all()
    assert lists.speakers_list_of(event).floor_minutes == 25
