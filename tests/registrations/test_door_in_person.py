"""The check-in desk of a hybrid event counts, finds and checks in only those who come to the room."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

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


@pytest.mark.parametrize("case", ["confirmed", "checked in", "not confirmed", "pass requested",
                                  "confidential", "confidential, to a manager"])
def test_what_a_code_finds_shows_each_state_from_the_columns_read(app, setup, case):  # noqa: F811
    """The desk reads only the columns it shows for a code: each state it shows, with nothing of
    the person loaded before the request (an attribute left unread fails the page, not the door)."""
    from datetime import UTC, datetime

    event, people, staff = setup
    ana = people["ana"]
    ana.status = RegistrationStatus.PENDING_APPROVAL if case == "not confirmed" else \
        RegistrationStatus.CONFIRMED
    ana.checked_in_at = datetime(2026, 12, 2, 9, 5, tzinfo=UTC) if case == "checked in" else None
    ana.has_grounds_pass = False if case == "pass requested" else None
    ana.confidential = case.startswith("confidential")
    ana.organisation = "Free Press Unlimited"
    db.session.commit()
    code, public_id, event_id = codes.code_for(ana), ana.public_id, event.public_id
    desk = client_for(app, staff["manager" if case.endswith("manager") else "check_in"])
    db.session.expunge_all()  # nothing of Ana in the session: the request reads her afresh
    read: list[str] = []

    def reading(_connection, _cursor, statement, *_args) -> None:
        if "FROM registrations" in statement:
            read.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", reading)
    try:
        text = desk.get(f"/manage/events/{event_id}/check-in/found",
                        query_string={"q": code}).get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", reading)
    assert len(read) == 1, read  # the columns shown, read at once: none left for a query of its own
    assert f"/check-in/{public_id}" in text and "In person" in text and code in text
    shown = case != "confidential"
    assert ("Ana" in text) is shown and ("Free Press Unlimited" in text) is shown
    assert ("Confidential participant" in text) is not shown
    assert ("Undo" in text) is (case == "checked in")
    assert ("Checked in" in text) is (case == "checked in")
    assert ("Not confirmed: cannot be checked in" in text) is (case == "not confirmed")
    assert ("grounds pass requested" in text) is (case == "pass requested")
