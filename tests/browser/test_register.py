"""What a person does: find an event, register by mouse, by keyboard, on a phone."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from rsvp.events.models import EventFormat
from rsvp.extensions import db
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.sealing import digest
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import make_event

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def event(live_db):
    return make_event(
        title="Rights at Risk: Time for Action", slug="rights-at-risk",
        format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations",
        interpretation_languages=["es", "fr"], caption_languages=["en"],
        capacity_in_person=80)


def stored(email: str) -> Registration:
    db.session.remove()
    return db.session.scalar(sa.select(Registration).where(Registration.email_hash == digest(email)))


def test_register_with_the_mouse_every_page_accessible(page, event):
    requested_hosts: set[str] = set()
    page.on("request", lambda r: requested_hosts.add(urlsplit(r.url).hostname or ""))

    page.goto("/")
    assert_accessible(page)
    screenshot(page, "events-desktop")
    page.get_by_role("link", name=event.title, exact=True).click()
    page.wait_for_url(f"**/events/{event.slug}")
    assert page.get_by_role("heading", level=1).inner_text() == event.title
    expect(page.locator("[data-local-span]")).to_be_visible()  # the visitor's own zone
    assert_accessible(page)
    screenshot(page, "event-desktop")

    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_role("button", name="Register").click()  # empty form: errors
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()  # once the script has run
    assert_accessible(page)
    screenshot(page, "form-errors-desktop")

    page.get_by_label("Name to use").fill("Mary Lawlor")
    page.get_by_label("Email address").fill("mary@example.org")
    page.get_by_label("You are attending for").select_option("un")
    page.get_by_label("In person").check()
    page.get_by_label("Interpretation").select_option("fr")
    page.get_by_label("I would like closed captions").check()
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Register").click()

    page.wait_for_url(f"**/events/{event.slug}/registered")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    assert_accessible(page)
    screenshot(page, "registered-desktop")

    registration = stored("mary@example.org")
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.attendance_mode.value == "in_person"
    assert registration.interpretation_language == "fr" and registration.captions
    assert requested_hosts == {"127.0.0.1"}  # no third-party request from any page


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_register_on_a_phone(page, event):
    page.goto(f"/events/{event.slug}")
    screenshot(page, "event-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing overflows sideways
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_label("Name to use").fill("Nathan Law")
    page.get_by_label("Email address").fill("nathan@example.org")
    page.get_by_label("You are attending for").select_option("other")
    page.get_by_label("Online").check()
    page.get_by_label("I agree").check()
    screenshot(page, "form-phone")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(f"**/events/{event.slug}/registered")
    screenshot(page, "registered-phone")
    assert stored("nathan@example.org").attendance_mode.value == "online"


def test_register_with_the_keyboard_alone(page, event):
    page.goto(f"/events/{event.slug}/register")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")  # skip to main content

    def tab_to(selector: str) -> None:
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#name")
    page.keyboard.type("Clément Voule")
    page.keyboard.press("Tab")
    page.keyboard.type("clement@example.org")
    tab_to("#organisation_type")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the second type: NGO
    tab_to("input[name=attendance_mode]")
    page.keyboard.press("ArrowDown")  # move to "Online" and select it
    tab_to("#consent")
    page.keyboard.press("Space")
    tab_to("button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/events/{event.slug}/registered")
    registration = stored("clement@example.org")
    assert registration.name == "Clément Voule"
    assert registration.organisation_type.value == "ngo"
    assert registration.attendance_mode.value == "online"


def test_an_error_summary_link_focuses_the_first_radio_of_its_question(page, event):
    page.goto(f"/events/{event.slug}/register")
    page.get_by_label("Name to use").fill("Mary Lawlor")
    page.get_by_role("button", name="Register").click()  # no attendance mode chosen, among others
    summary = page.locator("#error-summary")
    links = summary.get_by_role("link")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets[0] == "#email" and targets[-1] == "#consent"  # the form's order
    summary.get_by_role("link", name="Choose how you will attend.").click()
    expect(page.locator("#attendance_mode-0")).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Email address")).to_be_focused()
