"""The check-in desk of a hybrid event counts, finds and checks in only those who come to the room."""

from __future__ import annotations

import pytest

from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from rsvp.registrations import checkin, codes, tracking
from rsvp.registrations.models import RegistrationStatus
from tests.factories import make_event, make_registration
from tests.registrations.test_back_office import client_for, setup  # noqa: F401 - a fixture


@pytest.fixture
def hybrid(db_session):
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV")
    in_room = make_registration(event, name="Ana Room", attendance_mode=AttendanceMode.IN_PERSON)
    online = make_registration(event, name="Ana Online", attendance_mode=AttendanceMode.ONLINE)
    return event, in_room, online


def test_the_desk_expects_only_those_in_the_room(hybrid):
    event, in_room, _online = hybrid
    assert tracking.door_counts(event) == {"checked_in": 0, "expected": 1}
    checkin.check_in(in_room, "door@example.org")
    assert tracking.door_counts(event) == {"checked_in": 1, "expected": 1}


def test_the_desk_never_finds_or_checks_in_an_online_participant(hybrid):
    event, in_room, online = hybrid
    assert [r.name for r in checkin.search(event, "Ana")] == ["Ana Room"]
    assert checkin.find_by_code(event, codes.code_for(online)) is None
    assert checkin.find_by_code(event, codes.code_for(in_room)) == in_room
    with pytest.raises(checkin.NotInTheRoom):
        checkin.check_in(online, "door@example.org")
    assert online.checked_in_at is None


def test_the_door_pages_leave_online_participants_out(app, setup):  # noqa: F811
    event, people, staff = setup
    for registration in people.values():
        registration.status = RegistrationStatus.CONFIRMED
    db.session.commit()
    client = client_for(app, staff["check_in"])
    desk = client.get(f"/manage/events/{event.public_id}/check-in?q=Cleo").get_data(as_text=True)
    assert "Nobody found for “Cleo”." in desk and "checkin-results" not in desk  # online
    assert client.get(f"/manage/events/{event.public_id}/check-in/counts").get_json() == {
        "checked_in": 0, "expected": 1}
    sheet = client.get(f"/manage/events/{event.public_id}/check-in/sheet").get_data(as_text=True)
    assert "Ana" in sheet and "Cleo" not in sheet and "Ben" not in sheet
    response = client.post(f"/manage/events/{event.public_id}/check-in/{people['cleo'].public_id}",
                           data={"action": "check_in"}, follow_redirects=True)
    assert "Cleo attends online: there is nothing to check in at the door." in response.get_data(as_text=True)
    db.session.expire_all()
    assert people["cleo"].checked_in_at is None
