"""A co-sponsor sees the counts and the interpretation demand, never who: every /manage page and
file a co-sponsor can open is scanned for the attendees' names, addresses and organisations."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.extensions import db
from tests.auth.conftest import log_in
from tests.auth.test_access_matrix import exports_dir, manage_rules, url_of  # noqa: F401
from tests.factories import grant_role, make_event, make_organiser, make_registration

MARKER = "zq9cosp"


def test_a_co_sponsor_reaches_counts_and_demand_and_no_one(app, db_session, exports_dir):  # noqa: F811
    event = make_event(title="Co-sponsored event", format=EventFormat.HYBRID,
                       interpretation_languages=["fr"])
    for n in range(6):
        make_registration(event, name=f"{MARKER} Name {n}", email=f"{MARKER}{n}@example.org",
                          organisation=f"{MARKER} Org {n}", country="CH" if n < 5 else "ER",
                          attendance_mode=AttendanceMode.IN_PERSON,
                          interpretation_language="fr" if n % 2 else None,
                          accessibility_needs=f"{MARKER} needs {n}" if n == 3 else "")
    state = make_organiser(name="Permanent Mission")
    grant_role(event, state, Role.CO_SPONSOR)
    db.session.commit()
    client = app.test_client()
    assert log_in(client, state.email).status_code == 303

    reached = {}
    for rule in manage_rules(app):
        if "GET" not in (rule.methods or ()) or rule.arguments - {"event_id", "fmt"}:
            continue
        with app.test_request_context():
            path = url_of(rule, event, {})
        response = client.get(path)
        if response.status_code == 200:
            reached[rule.endpoint] = response.get_data()
    assert {"attendees.overview", "exports.interpretation", "manage.home"} <= set(reached)
    assert not {"attendees.index", "exports.index", "checkin.desk", "console.console"} & set(reached)
    for endpoint, body in reached.items():
        assert MARKER.encode() not in body, endpoint
    brief = client.get(f"/manage/events/{event.public_id}/exports/interpretation.xlsx")
    cells = [c.value for row in load_workbook(io.BytesIO(brief.get_data())).active.iter_rows()
             for c in row]
    assert not any(MARKER in str(cell) for cell in cells)
    assert cells[cells.index("Interpretation into French") + 3] == 3  # counted, unnamed
    assert client.get(f"/manage/events/{event.public_id}/exports/interpretation.xlsx?names=1"
                      ).status_code == 404

    overview = reached["attendees.overview"].decode()
    assert "Switzerland: 5" in overview and "Eritrea" not in overview  # one person: not shown
    assert "Countries with fewer than 5 people are not shown." in overview
    assert f"/manage/events/{event.public_id}/registrations" not in overview  # no way to the list
