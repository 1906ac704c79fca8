"""People register under the name they choose; the passport name a grounds pass needs is kept
apart, and only managers see it."""

from __future__ import annotations

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration


def test_the_passport_name_is_shown_to_managers_only(app, db_session):
    event = make_event(format=EventFormat.HYBRID, grounds_pass_required=True)
    person = make_registration(event, name="Ana", attendance_mode=AttendanceMode.IN_PERSON,
                               has_grounds_pass=False, passport_name="ANA MARIA QUISPE LOPEZ")
    viewer, manager = make_organiser(), make_organiser()
    grant_role(event, viewer, Role.VIEWER)
    grant_role(event, manager, Role.MANAGER)
    db.session.commit()
    path = f"/manage/events/{event.public_id}/registrations/{person.public_id}"
    pages = {}
    for who in (viewer, manager):
        client = app.test_client()
        log_in(client, who.email)
        pages[who] = client.get(path).get_data(as_text=True)
    assert "QUISPE" not in pages[viewer] and "shown to managers only" in pages[viewer]
    assert "ANA MARIA QUISPE LOPEZ" in pages[manager] and "Ana" in pages[viewer]


def test_the_form_asks_for_the_name_to_use(client, db_session):
    page = client.get(f"/events/{make_event().slug}/register").get_data(as_text=True)
    assert "Name to use" in page and "it need not be your legal name" in page
