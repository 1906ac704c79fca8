"""Once the organisers sent the grounds-pass requests to the UN, the passport details go: the list
shows a manager the legal name until then, and afterwards no table holds it."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from rsvp.registrations.models import Registration, RegistrationStatus
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration
from tests.privacy.test_retention import every_text_in_the_database

LEGAL = "ZQ8LEGAL NAME"


def test_marking_passes_requested_erases_the_passport_details(app, db_session):
    event = make_event(format=EventFormat.HYBRID, grounds_pass_required=True)
    person = make_registration(event, name="Chosen Name", attendance_mode=AttendanceMode.IN_PERSON,
                               has_grounds_pass=False, passport_name=LEGAL, nationality="CO",
                               status=RegistrationStatus.CONFIRMED)
    manager = make_organiser()
    grant_role(event, manager, Role.MANAGER)
    db.session.commit()
    client = app.test_client()
    log_in(client, manager.email)
    base = f"/manage/events/{event.public_id}/exports"
    assert LEGAL in client.get(f"{base}/grounds-passes.csv").get_data(as_text=True)
    assert "I sent this request to the UN" in client.get(base).get_data(as_text=True)

    unconfirmed = client.post(f"{base}/grounds-passes/requested", data={})
    assert unconfirmed.status_code == 303 and LEGAL in every_text_in_the_database()  # not ticked
    client.post(f"{base}/grounds-passes/requested", data={"confirm": "yes"})
    page = client.get(base).get_data(as_text=True)
    assert "1 pass marked as requested" in page
    assert LEGAL not in client.get(f"{base}/grounds-passes.csv").get_data(as_text=True)
    db.session.expire_all()
    assert LEGAL not in every_text_in_the_database()
    kept = db.session.get(Registration, person.id)
    assert kept.pass_requested_at is not None and kept.name == "Chosen Name"
    assert kept.has_grounds_pass is False  # the door still sees "requested"
    assert db.session.scalar(sa.select(sa.func.count()).where(
        AuditEntry.detail.like("grounds passes marked requested for 1 registration(s)%"))) == 1
