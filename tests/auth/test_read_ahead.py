"""An organiser page of an event reads its organiser, the event and their role in one statement
(rsvp.auth.roles.read_ahead), and every check made on them holds as before, at once."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.auth import roles
from rsvp.auth.models import Role
from rsvp.extensions import db
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser


def _statements_of(client, path: str) -> tuple[int, list[str]]:
    said: list[str] = []

    def heard(_conn, _cursor, statement, *_args) -> None:
        said.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", heard)
    try:
        status = client.get(path).status_code
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", heard)
    return status, said


def test_the_organiser_the_event_and_the_role_are_one_statement(client, db_session):
    event = make_event()
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    status, said = _statements_of(client, f"/manage/events/{event.public_id}/check-in/counts")
    assert status == 200
    access = [statement for statement in said if "FROM organisers" in statement
              or "FROM events" in statement or "event_roles" in statement]
    assert len(access) == 1, access


def test_a_role_taken_away_or_lowered_counts_on_the_next_page(client, db_session):
    event, other = make_event(), make_event()
    organiser = make_organiser()
    member = grant_role(event, organiser, Role.MANAGER)
    grant_role(other, organiser, Role.VIEWER)
    log_in(client, organiser.email)
    desk = f"/manage/events/{event.public_id}/check-in/counts"
    assert client.get(desk).status_code == 200
    assert client.get(f"/manage/events/{other.public_id}/check-in/counts").status_code == 404
    member.role = Role.VIEWER  # a viewer does not check people in
    db.session.commit()
    assert client.get(desk).status_code == 404
    db.session.delete(member)
    db.session.commit()
    assert client.get(f"/manage/events/{event.public_id}/registrations").status_code == 404
    assert client.get("/manage/events/no-such-event/registrations").status_code == 404


def test_a_deactivated_or_logged_out_organiser_is_sent_to_log_in(app, client, db_session):
    event = make_event()
    admin, organiser = make_organiser(is_admin=True), make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    page = f"/manage/events/{event.public_id}/registrations"
    assert client.get(page).status_code == 200
    organiser.is_active = False
    db.session.commit()
    response = client.get(page)
    assert response.status_code == 302 and "/manage/login" in response.headers["Location"]

    stranger = app.test_client()  # a session cookie naming the organiser, with a stale token
    with stranger.session_transaction() as session:
        session["_user_id"] = f"{admin.public_id}:not-the-session-token"
    response = stranger.get(page)
    assert response.status_code == 302 and "/manage/login" in response.headers["Location"]


def test_a_site_admin_passes_every_event_read_ahead_without_a_role(client, db_session):
    event = make_event(title="Nobody's team")
    admin = make_organiser(is_admin=True)
    log_in(client, admin.email)
    assert "Nobody" in client.get(f"/manage/events/{event.public_id}/registrations").get_data(
        as_text=True)
    assert roles.read_ahead_organiser(admin.public_id) is None  # outside a request: nothing kept
