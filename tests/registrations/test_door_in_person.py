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


def test_the_desk_shows_what_a_code_finds_in_place(app, setup):  # noqa: F811
    event, people, staff = setup
    people["ana"].status = RegistrationStatus.CONFIRMED
    db.session.commit()
    desk = client_for(app, staff["check_in"])
    found = f"/manage/events/{event.public_id}/check-in/found"
    part = desk.get(found, query_string={"q": codes.code_for(people["ana"]).lower()})
    text = part.get_data(as_text=True)
    # Only what was found, with its check-in button: the desk's script puts it in the page.
    assert part.status_code == 200 and "<html" not in text and "Ana" in text
    assert f"/check-in/{people['ana'].public_id}" in text and "Check in" in text
    assert part.headers["Cache-Control"] == "no-store"
    assert "Nobody found for “Zed”." in desk.get(found, query_string={"q": "Zed"}).get_data(as_text=True)
    page = desk.get(f"/manage/events/{event.public_id}/check-in").get_data(as_text=True)
    assert f'data-found-url="{found}"' in page  # where the desk's script asks
    viewer = client_for(app, staff["viewer"])  # viewers do not check people in
    assert viewer.get(found, query_string={"q": codes.code_for(people["ana"])}).status_code == 404
