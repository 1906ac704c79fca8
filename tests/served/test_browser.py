"""Chromium against the real servers: what a browser sends (and leaves out) is what the server gets.

Through nginx this is HTTPS, where the forms' CSRF check also wants the browser's
Referer: a header policy that withholds it broke every form there.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rsvp.events.models import EventFormat
from rsvp.extensions import db
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.sealing import digest
from tests.auth.conftest import PASSWORD
from tests.factories import make_event, make_organiser
from tests.served.conftest import setting_up

pytestmark = pytest.mark.browser


@pytest.fixture
def open_browser(browser, served):
    contexts = []

    def open_one():
        context = browser.new_context(base_url=served.base_url, ignore_https_errors=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_one
    for context in contexts:
        context.close()


def test_a_person_registers_and_an_organiser_logs_in_and_out(served, open_browser):
    with setting_up():
        slug = make_event(title="Defenders at the Council", format=EventFormat.ONLINE).slug
        email = make_organiser().email

    person = open_browser()
    person.goto(f"/events/{slug}/register")
    person.get_by_label("Name to use").fill("Ilham Tohti Jr")
    person.get_by_label("Email address").fill("ilham@example.org")
    person.get_by_label("You are attending for").select_option("ngo")
    person.get_by_label("I agree").check()
    person.get_by_role("button", name="Register").click()
    person.wait_for_url(f"**/events/{slug}/registered")
    assert person.get_by_role("heading", level=1).inner_text() == "Check your email"
    db.session.rollback()
    registration = db.session.scalar(sa.select(Registration).where(
        Registration.email_hash == digest("ilham@example.org")))
    assert registration is not None and registration.status is RegistrationStatus.CONFIRMED
    served.wait_for_email("ilham@example.org")

    organiser = open_browser()
    organiser.goto("/manage/login")
    organiser.get_by_label("Email address").fill(email)
    organiser.get_by_label("Password").fill(PASSWORD)
    organiser.get_by_role("button", name="Log in").click()
    organiser.wait_for_url("**/manage")
    organiser.get_by_role("button", name="Log out").click()
    organiser.wait_for_url("**/manage/login")
    assert "You are logged out." in organiser.content()
    organiser.goto("/manage")
    assert "/manage/login" in organiser.url
