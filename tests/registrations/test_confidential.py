"""Confidential participation: left out of exports unless a manager includes them (and the audit
log says so); below managers, a code instead of the name, and no search by name finds them."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from rsvp.registrations import codes
from rsvp.registrations.models import Registration
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration


def client_as(app, organiser):
    client = app.test_client()
    assert log_in(client, organiser.email).status_code == 303
    return client


def names_in(csv_text: str) -> list[str]:
    return [row["Name"] for row in csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))]


def test_a_confidential_person_stays_out_of_sight_below_managers(app, client, db_session):
    event = make_event(format=EventFormat.HYBRID, capacity_in_person=10)
    response = client.post(f"/events/{event.slug}/register", data={
        "name": "Rahima Mahmut", "email": "rahima@example.org", "organisation": "Uyghur Congress",
        "organisation_type": "ngo", "attendance_mode": "in_person", "consent": "y",
        "confidential": "y"})
    assert response.status_code == 303
    make_registration(event, name="Open Person", attendance_mode=AttendanceMode.IN_PERSON)
    (hidden,) = [r for r in db.session.scalars(sa.select(Registration)) if r.confidential]
    code = codes.code_for(hidden)
    people = {role: make_organiser() for role in (Role.VIEWER, Role.CHECK_IN, Role.MANAGER)}
    for role, organiser in people.items():
        grant_role(event, organiser, role)
    db.session.commit()
    base = f"/manage/events/{event.public_id}"

    viewer = client_as(app, people[Role.VIEWER])
    listed = viewer.get(f"{base}/registrations").get_data(as_text=True)
    assert "Confidential participant" in listed and code in listed
    assert "Rahima" not in listed and "rahima@" not in listed and "Uyghur" not in listed
    assert "Confidential participant" not in viewer.get(
        f"{base}/registrations?q=rahima").get_data(as_text=True)  # no name search finds them
    page = viewer.get(f"{base}/registrations/{hidden.public_id}").get_data(as_text=True)
    assert "Rahima" not in page and "rahima@" not in page

    door = client_as(app, people[Role.CHECK_IN])
    assert "Confidential participant" not in door.get(f"{base}/check-in?q=rahima").get_data(as_text=True)
    by_code = door.get(f"{base}/check-in?q={code}").get_data(as_text=True)
    assert "Confidential participant" in by_code and "Rahima" not in by_code
    door.post(f"{base}/check-in/{hidden.public_id}", data={"action": "check_in"})
    assert "Rahima" not in door.get(f"{base}/check-in").get_data(as_text=True)  # the flash too
    sheet = door.get(f"{base}/check-in/sheet").get_data(as_text=True)
    assert "Rahima" not in sheet and code in sheet and "Open Person" in sheet

    manager = client_as(app, people[Role.MANAGER])
    assert "Rahima Mahmut" in manager.get(f"{base}/registrations").get_data(as_text=True)
    assert names_in(manager.get(f"{base}/exports/attendees.csv").get_data(as_text=True)) == [
        "Open Person"]
    included = manager.get(f"{base}/exports/attendees.csv?include_confidential=1")
    assert names_in(included.get_data(as_text=True)) == ["Open Person", "Rahima Mahmut"]
    details = db.session.scalars(sa.select(AuditEntry.detail)).all()
    assert any("including those who asked for confidentiality" in d for d in details)
