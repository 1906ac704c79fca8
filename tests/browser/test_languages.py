"""Choosing a language with the footer switcher, without JavaScript's help, and reading the pages in it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from config.default import LANGUAGES
from rsvp.events.models import EventFormat
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import make_event

pytestmark = pytest.mark.browser


@pytest.fixture
def event(live_db):
    return make_event(
        title="Rights at Risk: Time for Action", slug="rights-at-risk",
        format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations",
        interpretation_languages=["es", "fr"], caption_languages=["en"], capacity_in_person=80)


def test_the_switcher_changes_the_language_of_every_page_after(page, event):
    page.goto(f"/events/{event.slug}")
    page.get_by_label("Language", exact=True).select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(f"**/events/{event.slug}")
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("link", name="Événements à venir")).to_be_visible()
    page.get_by_role("link", name="Événements passés").click()
    assert page.locator("html").get_attribute("lang") == "fr"  # remembered
    assert page.get_by_label("Langue", exact=True).input_value() == "fr"
    assert_accessible(page)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_event_page_and_register_form_in_each_language(page, live_server, event, lang):
    page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    page.goto(f"/events/{event.slug}")
    assert page.locator("html").get_attribute("lang") == lang
    screenshot(page, f"i18n-event-{lang}")
    assert_accessible(page)
    page.goto(f"/events/{event.slug}/register")
    screenshot(page, f"i18n-register-{lang}")
    assert_accessible(page)
