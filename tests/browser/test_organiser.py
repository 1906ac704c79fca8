"""What an organiser does in a browser: log in, see their events, add a co-organiser to a team."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from rsvp.auth.models import EventRole, Role
from rsvp.extensions import db
from tests.auth.conftest import PASSWORD
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_registration

pytestmark = pytest.mark.browser


def test_owner_logs_in_and_adds_a_co_organiser_as_manager(page, live_db):
    event = make_event(title="Rights at Risk: Time for Action", session="HRC47")
    make_event(title="Another NGO's webinar")
    owner = make_organiser(name="Phil Lynch", email="phil@example.org")
    colleague = make_organiser(name="Sarah Brooks", email="sarah@example.org")
    grant_role(event, owner, Role.OWNER)
    for _ in range(3):
        make_registration(event)
    team_path, colleague_id = f"/manage/events/{event.public_id}/team", colleague.id
    requested_hosts: set[str] = set()
    page.on("request", lambda r: requested_hosts.add(urlsplit(r.url).hostname or ""))

    page.goto("/")
    page.get_by_role("link", name="Organiser login").click()
    page.wait_for_url("**/manage/login")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    assert page.locator("#error-summary").inner_text().count("email address or the password is wrong")
    assert_accessible(page)
    screenshot(page, "organiser-login-error")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/manage")
    assert page.get_by_role("heading", level=1).inner_text() == "My events"
    table = page.get_by_role("table", name="Coming up")
    assert "Rights at Risk" in table.inner_text() and "Another NGO" not in table.inner_text()
    assert table.get_by_role("row").nth(1).get_by_role("cell").nth(3).inner_text() == "3"
    assert_accessible(page)
    screenshot(page, "organiser-my-events")

    table.get_by_role("link", name="Team").click()
    page.wait_for_url(f"**{team_path}")
    page.get_by_label("Organiser's email address").fill("Sarah@Example.org")
    page.get_by_label("Role", exact=True).select_option("manager")
    page.get_by_role("button", name="Add to the team").click()
    page.wait_for_url(f"**{team_path}")
    assert "Sarah Brooks is now Manager of this event." in page.get_by_role("status").inner_text()
    assert page.get_by_label("Role of Sarah Brooks").input_value() == "manager"
    assert_accessible(page)
    screenshot(page, "organiser-team")

    db.session.remove()
    role = db.session.scalar(sa.select(EventRole.role).where(EventRole.organiser_id == colleague_id))
    assert role is Role.MANAGER

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/manage/login")
    assert "You are logged out." in page.get_by_role("status").inner_text()
    page.goto(team_path)
    page.wait_for_url("**/manage/login?next=*")
    assert requested_hosts == {"127.0.0.1"}  # no third-party request from any page
