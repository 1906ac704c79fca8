"""Organiser pages over HTTP: login, lockout, rate limit, logout, passwords, reset by email, teams."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from rsvp.auth import services
from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.timeutil import format_clock
from tests.auth.conftest import PASSWORD, csrf_in, log_in, post_form
from tests.factories import grant_role, make_event, make_organiser

WRONG = "The email address or the password is wrong."
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def path_in(message) -> str:
    return re.search(r"http://localhost(/manage/password-reset/\S+)", text_of(message)).group(1)


def test_login_leads_to_my_events_with_the_organiser_header(client, db_session):
    event = make_event(title="Rights at Risk")
    organiser = make_organiser(name="Mary Lawlor")
    grant_role(event, organiser, Role.VIEWER)
    assert "Organiser login" in client.get("/").get_data(as_text=True)

    response = log_in(client, organiser.email)
    assert response.status_code == 303 and response.headers["Location"] == "/manage"
    page = client.get("/manage").get_data(as_text=True)
    assert "Rights at Risk" in page and "Viewer" in page
    assert "Organiser: Mary Lawlor" in page and "Log out" in page
    assert "Organiser login" not in page
    assert organiser.last_login_at is not None


def test_anonymous_visitor_is_sent_to_login_and_back(client, db_session):
    event = make_event()
    owner = make_organiser()
    grant_role(event, owner, Role.OWNER)
    team = f"/manage/events/{event.public_id}/team"
    response = client.get(team)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/login?next={quote(team, safe='')}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please log in to see this page." in page and f'value="{team}"' in page
    response = client.post("/manage/login", data={"email": owner.email, "password": PASSWORD,
                                                  "next": team})
    assert response.headers["Location"] == team


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/manage", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/\t/evil.example", "manage", "",
])
def test_login_never_redirects_off_the_site(client, db_session, target):
    organiser = make_organiser()
    response = client.post("/manage/login", data={"email": organiser.email, "password": PASSWORD,
                                                  "next": target})
    assert response.headers["Location"] == "/manage"


def test_login_keeps_a_local_next_with_its_query(client, db_session):
    organiser = make_organiser()
    response = client.post("/manage/login", data={"email": organiser.email, "password": PASSWORD,
                                                  "next": "/manage/account/password?tab=1"})
    assert response.headers["Location"] == "/manage/account/password?tab=1"


def test_wrong_password_and_unknown_email_get_the_same_answer(client, db_session):
    organiser = make_organiser()
    unknown = client.post("/manage/login", data={"email": "nobody@example.org", "password": PASSWORD})
    wrong = client.post("/manage/login", data={"email": organiser.email, "password": "wrong password"})
    assert unknown.status_code == wrong.status_code == 401
    for response in (unknown, wrong):
        page = response.get_data(as_text=True)
        assert WRONG in page and 'id="error-summary"' in page
    assert client.get("/manage").status_code == 302


def test_empty_login_form_says_what_is_missing(client, db_session):
    response = client.post("/manage/login", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your email address." in page and "Enter your password." in page


def test_locked_account_says_when_to_try_again(client, db_session, monkeypatch):
    monkeypatch.setattr(services, "now_utc", lambda: NOW)
    organiser = make_organiser()
    for _ in range(4):
        assert client.post("/manage/login", data={"email": organiser.email,
                                                  "password": "wrong password"}).status_code == 401
    response = client.post("/manage/login", data={"email": organiser.email, "password": "wrong again"})
    until = format_clock(NOW + timedelta(minutes=15), "UTC")  # in the locale's style, "11:02 AM"
    assert response.status_code == 429
    assert f"Too many attempts. Try again at {until} UTC." in response.get_data(as_text=True)
    # The right password waits for the lock too.
    response = log_in(client, organiser.email)
    assert response.status_code == 429 and client.get("/manage").status_code == 302


def test_an_unknown_address_is_locked_with_the_same_answer(client, db_session, monkeypatch):
    monkeypatch.setattr(services, "now_utc", lambda: NOW)
    organiser = make_organiser(email="known@example.org")
    answers = {}
    for email in (organiser.email, "unknown@example.org"):
        statuses = [client.post("/manage/login", data={"email": email, "password": "wrong"}).status_code
                    for _ in range(4)]
        locked = client.post("/manage/login", data={"email": email, "password": "wrong"})
        assert statuses == [401] * 4 and locked.status_code == 429
        answers[email] = locked.get_data(as_text=True).replace(email, "ADDRESS")
    assert answers[organiser.email] == answers["unknown@example.org"]
    assert "Too many attempts. Try again at" in answers[organiser.email]


def test_deactivated_account_is_told_so_only_with_the_right_password(client, db_session):
    organiser = make_organiser(is_active=False)
    response = log_in(client, organiser.email)
    assert response.status_code == 403
    assert "This account is deactivated" in response.get_data(as_text=True)
    response = log_in(client, organiser.email, "wrong password")
    assert response.status_code == 401 and WRONG in response.get_data(as_text=True)


def test_login_attempts_are_rate_limited_per_address(rate_limited_app):
    client = rate_limited_app.test_client()
    for _ in range(3):
        assert log_in(client, "nobody@example.org").status_code == 401
    response = log_in(client, "nobody@example.org")
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert client.get("/manage/login").status_code == 200  # reading the page is not limited
    elsewhere = rate_limited_app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert log_in(elsewhere, "nobody@example.org").status_code == 401


def test_logout_needs_a_post_with_a_csrf_token(csrf_client, db_session):
    organiser = make_organiser()
    log_in(csrf_client, organiser.email)
    assert csrf_client.get("/manage/logout").status_code == 405
    response = csrf_client.post("/manage/logout")
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert csrf_client.get("/manage").status_code == 200  # still logged in

    response = post_form(csrf_client, "/manage/logout", {}, page_path="/manage")
    assert response.status_code == 303 and response.headers["Location"] == "/manage/login"
    assert "You are logged out." in csrf_client.get("/manage/login").get_data(as_text=True)
    assert csrf_client.get("/manage").status_code == 302


def test_logout_ends_the_session_its_cookie_carried(app, client, db_session):
    organiser = make_organiser()
    log_in(client, organiser.email)
    kept = client.get_cookie("session").value  # a copy, as on a shared or stolen computer
    assert client.post("/manage/logout").status_code == 303

    other = app.test_client()
    other.set_cookie("session", kept)
    response = other.get("/manage")
    assert response.status_code == 302 and response.headers["Location"].startswith("/manage/login")
    assert other.get("/manage/account/password").status_code == 302
    assert log_in(client, organiser.email).status_code == 303  # logging in again still works


def test_login_form_needs_a_csrf_token(csrf_client, db_session):
    organiser = make_organiser()
    response = csrf_client.post("/manage/login", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 400
    assert log_in(csrf_client, organiser.email).status_code == 303


def test_password_change_checks_everything_and_logs_out_other_sessions(app, client, db_session):
    organiser = make_organiser()
    elsewhere = app.test_client()
    log_in(client, organiser.email)
    log_in(elsewhere, organiser.email)
    form = {"current_password": PASSWORD, "new_password": "a brand new password",
            "confirm": "a brand new password"}
    cases = [({"current_password": "not my password"}, "This is not your current password."),
             ({"new_password": "too short", "confirm": "too short"}, "Use at least 12 characters."),
             ({"confirm": "something else entirely"}, "The two passwords are not the same.")]
    for change, message in cases:
        response = client.post("/manage/account/password", data={**form, **change})
        assert response.status_code == 422 and message in response.get_data(as_text=True)

    response = client.post("/manage/account/password", data=form)
    assert response.status_code == 303
    assert "Your password is changed" in client.get("/manage").get_data(as_text=True)
    assert elsewhere.get("/manage").status_code == 302  # the other session has ended
    assert log_in(elsewhere, organiser.email, "a brand new password").status_code == 303


def test_password_reset_by_email_works_once(client, db_session, smtp):
    organiser = make_organiser(name="Raphael Viana David")
    answers = {client.post("/manage/password-reset", data={"email": email}).get_data(as_text=True)
               .replace(email, "ADDRESS")
               for email in (organiser.email, organiser.email, organiser.email, "nobody@example.org")}
    (page,) = answers  # the same answer, asked once or again, with an account or without
    assert "a link to choose a new password is on its way" in page
    assert worker.send_pending().sent == 1  # one email, written by the worker; none for nobody

    (message,) = smtp.inbox.to(organiser.email)
    assert message["Subject"] == "Choose a new password for RSVP"
    assert "Dear Raphael Viana David" in text_of(message) and "30 minutes" in text_of(message)
    link = path_in(message)
    assert link in message.get_body(("html",)).get_content()

    page = client.get(link)
    assert page.status_code == 200 and organiser.email in page.get_data(as_text=True)
    response = client.post(link, data={"new_password": "a brand new password", "confirm": "oops"})
    assert response.status_code == 422
    response = client.post(link, data={"new_password": "a brand new password",
                                       "confirm": "a brand new password"})
    assert response.status_code == 303 and response.headers["Location"] == "/manage/login"
    assert log_in(client, organiser.email, "a brand new password").status_code == 303

    used = client.get(link)
    assert used.status_code == 410
    page = used.get_data(as_text=True)
    assert "This link has been used already" in page and 'href="/manage/password-reset"' in page
    assert client.post(link, data={"new_password": "another new password",
                                   "confirm": "another new password"}).status_code == 410


def test_bad_and_expired_reset_links_get_a_clear_page(client, db_session, monkeypatch):
    from rsvp import tokens

    organiser = make_organiser()
    link = services.password_link(organiser).removeprefix("http://localhost")
    response = client.get(link[:-4] + "AAAA")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)
    monkeypatch.setitem(tokens.PURPOSES, "password-reset", -1)
    response = client.get(link)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link has expired" in page and "Ask for a new link" in page


def test_admin_creates_an_organiser_who_chooses_a_password(app, client, db_session, smtp):
    admin = make_organiser(is_admin=True, name="Site Admin")
    log_in(client, admin.email)
    response = client.post("/manage/organisers", data={"name": "Sarah Brooks",
                                                       "email": "Sarah@Example.org"})
    assert response.status_code == 303
    page = client.get("/manage/organisers").get_data(as_text=True)
    assert "we have emailed sarah@example.org a link" in page
    assert "Invited: no password chosen yet" in page

    response = client.post("/manage/organisers", data={"name": "Again", "email": "sarah@example.org"})
    assert response.status_code == 409
    assert "uses this email address already" in response.get_data(as_text=True)
    response = client.post("/manage/organisers", data={"name": "", "email": "not-an-address"})
    assert response.status_code == 422
    assert "Enter a name." in response.get_data(as_text=True)

    worker.send_pending()
    (message,) = smtp.inbox.to("sarah@example.org")
    assert "Site Admin has created an organiser account for you" in text_of(message)
    newcomer = app.test_client()
    newcomer.post(path_in(message), data={"new_password": "sarah's own password",
                                          "confirm": "sarah's own password"})
    assert log_in(newcomer, "sarah@example.org", "sarah's own password").status_code == 303
    page = newcomer.get("/manage").get_data(as_text=True)
    assert "You are not on the team of any event yet" in page
    assert "/manage/organisers" not in page  # not an admin


def test_deactivation_ends_the_session_at_once(app, client, db_session):
    admin = make_organiser(is_admin=True)
    organiser = make_organiser(name="Leaving Colleague")
    log_in(client, admin.email)
    colleague = app.test_client()
    log_in(colleague, organiser.email)
    assert colleague.get("/manage").status_code == 200

    client.post(f"/manage/organisers/{organiser.public_id}/deactivate")
    assert colleague.get("/manage").status_code == 302
    assert "is deactivated" in client.get("/manage/organisers").get_data(as_text=True)
    client.post(f"/manage/organisers/{organiser.public_id}/reactivate")
    assert colleague.get("/manage").status_code == 302  # the old session stays dead
    assert log_in(colleague, organiser.email).status_code == 303

    client.post(f"/manage/organisers/{admin.public_id}/deactivate")
    assert "You cannot deactivate your own account." in client.get("/manage").get_data(as_text=True)


def test_each_organiser_sees_only_their_events(client, db_session):
    mine, theirs = make_event(title="Our side event"), make_event(title="Another NGO's webinar")
    organiser = make_organiser()
    grant_role(mine, organiser, Role.OWNER)
    log_in(client, organiser.email)
    page = client.get("/manage").get_data(as_text=True)
    assert "Our side event" in page and "Another NGO" not in page
    assert client.get(f"/manage/events/{theirs.public_id}/team").status_code == 404
    assert client.get("/manage/events/no-such-event/team").status_code == 404


def test_owner_manages_the_team(client, db_session):
    event = make_event()
    owner = make_organiser(name="Owner Person")
    colleague = make_organiser(name="Co Organiser", email="co@example.org")
    grant_role(event, owner, Role.OWNER)
    log_in(client, owner.email)
    team = f"/manage/events/{event.public_id}/team"

    response = client.post(team, data={"email": "CO@example.org", "role": "manager"})
    assert response.status_code == 303
    page = client.get(team).get_data(as_text=True)
    assert "Co Organiser is now Manager of this event." in page
    assert page.index("Owner Person") < page.index("Co Organiser")

    response = client.post(team, data={"email": "co@example.org", "role": "viewer"})
    assert response.status_code == 409 and "on the team already, as Manager" in response.get_data(
        as_text=True)
    response = client.post(team, data={"email": "stranger@example.org", "role": "viewer"})
    assert response.status_code == 422
    assert "No organiser account uses this email address" in response.get_data(as_text=True)
    response = client.post(team, data={"email": "co@example.org", "role": "emperor"})
    assert response.status_code == 422

    client.post(f"{team}/{owner.public_id}/role", data={"role": "viewer"})
    page = client.get(team).get_data(as_text=True)
    assert "An event needs at least one owner." in page
    client.post(f"{team}/{owner.public_id}/remove")
    assert "An event needs at least one owner." in client.get(team).get_data(as_text=True)

    client.post(f"{team}/{colleague.public_id}/role", data={"role": "check_in"})
    assert "Co Organiser is now Check-in of this event." in client.get(team).get_data(as_text=True)
    client.post(f"{team}/{colleague.public_id}/remove")
    page = client.get(team).get_data(as_text=True)
    assert "Co Organiser is no longer on the team." in page and "co@example.org" not in page


def test_login_page_tells_a_logged_in_organiser(client, db_session):
    organiser = make_organiser(name="Already Here")
    log_in(client, organiser.email)
    page = client.get("/manage/login").get_data(as_text=True)
    assert "You are logged in as Already Here." in page
    assert csrf_in(page) is not None  # the header's logout form


def test_a_page_looks_the_role_up_once_and_the_next_request_sees_a_new_one(app, client, db_session):
    event = make_event()
    staff = make_organiser(email="desk@example.org")
    member = grant_role(event, staff, Role.MANAGER)
    log_in(client, staff.email)
    desk = f"/manage/events/{event.public_id}/check-in"
    lookups: list[str] = []

    def count(_conn, _cursor, statement, *_rest) -> None:
        if re.search(r"\b(FROM|JOIN) event_roles\b", statement):
            lookups.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get(desk)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    # The access check, the tabs and whether they see who asked for confidentiality: one lookup.
    assert page.status_code == 200 and len(lookups) == 1, lookups
    assert ">Registrations<" in page.get_data(as_text=True)  # a tab managers have

    member.role = Role.VIEWER  # changed by an owner meanwhile
    db.session.commit()
    assert client.get(desk).status_code == 404  # viewers do not check people in
    member.role = Role.CHECK_IN
    db.session.commit()
    page = client.get(desk).get_data(as_text=True)
    assert "Check-in" in page and ">Registrations<" not in page
