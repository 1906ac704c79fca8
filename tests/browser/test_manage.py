"""What a registrant does after registering: open the link from the email, change, cancel;
and the person waiting next gets the seat and the email that says so."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from rsvp.events.models import EventFormat
from rsvp.extensions import db
from rsvp.mail.worker import send_pending
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.notify import manage_url
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import make_event, make_registration
from tests.mail.conftest import smtp  # noqa: F401  (a real SMTP server)

pytestmark = pytest.mark.browser


def manage_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/r/\S+)", text).group(1)


def test_register_change_language_cancel_and_the_next_person_moves_up(page, smtp):  # noqa: F811
    event = make_event(title="Reprisals: what the UN does", slug="reprisals",
                       format=EventFormat.ONLINE, capacity_online=1,
                       interpretation_languages=["fr", "es"])
    page.goto(f"/events/{event.slug}/register")
    page.get_by_label("Name to use").fill("Nathalie Prouvez")
    page.get_by_label("Email address").fill("nathalie@example.org")
    page.get_by_label("You are attending for").select_option("ngo")
    page.get_by_label("Interpretation").select_option("fr")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registered")
    db.session.rollback()  # end this thread's read snapshot before writing (SQLite)
    waiting = make_registration(event, email="next@example.org", name="Next In Line",
                                status=RegistrationStatus.WAITLISTED)

    send_pending()
    (confirmation,) = smtp.inbox.to("nathalie@example.org")
    assert confirmation["Subject"].startswith("Registration confirmed")
    page.goto(manage_path(confirmation))
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()
    expect(page.get_by_text("https://meet.example.org/secret-join-link").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "manage-confirmed")

    page.get_by_label("Interpretation").select_option("es")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Your changes are saved.")).to_be_visible()
    expect(page.locator(".summary-list").get_by_text("Spanish")).to_be_visible()

    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.get_by_role("status").filter(has_text="Your registration is cancelled")).to_be_visible()
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()
    assert page.get_by_text("secret-join-link").count() == 0
    assert_accessible(page)
    screenshot(page, "manage-cancelled")

    send_pending()
    (promoted,) = smtp.inbox.to("next@example.org")
    assert promoted["Subject"].startswith("A place opened up")
    assert "https://meet.example.org/secret-join-link" in promoted.get_body(("plain",)).get_content()
    db.session.rollback()  # a fresh snapshot sees the server's commits
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.CONFIRMED


def test_erase_from_the_manage_page(page, smtp):  # noqa: F811
    registration = make_registration(make_event(slug="erase-me"), email="defender@example.org",
                                     name="Human Rights Defender")
    page.goto(manage_url(registration).removeprefix("http://localhost"))
    page.get_by_role("button", name="Erase my details").click()
    expect(page.locator("#error-summary")).to_be_visible()  # the box was not ticked
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase my details").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your details are erased"
    assert_accessible(page)
    db.session.rollback()
    assert db.session.get(Registration, registration.id).name == ""
