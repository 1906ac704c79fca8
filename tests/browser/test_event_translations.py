"""An organiser translates a real seed event into Spanish in the editor; a visitor whose browser reads
Spanish sees it, and one whose browser reads French sees the English text with a note. axe passes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rsvp.auth.models import Role
from rsvp.events.demo import seed_records
from rsvp.events.models import EventFormat, QuestionKind
from tests.browser.conftest import assert_accessible, open_page, screenshot
from tests.browser.test_editor import log_in
from tests.factories import add_question, grant_role, make_event, make_organiser

pytestmark = pytest.mark.browser

RECORD = next(r for r in seed_records() if r["slug"] == "rights-at-risk-time-for-action")
SPANISH = RECORD["translations"]["es"]


def visitor(browser, base_url: str, locale: str):
    """A visitor on another device whose browser asks for pages in ``locale``."""
    return open_page(browser, base_url, {"width": 1280, "height": 900}, locale=locale)


@pytest.fixture
def event(live_db):
    event = make_event(title=RECORD["title"], slug=RECORD["slug"], summary=RECORD["summary"],
                       description=RECORD["description"], format=EventFormat.ONLINE)
    add_question(event, "Which segment interests you most?", QuestionKind.SINGLE_CHOICE,
                 options=["The Trends Report", "Strategies at the UN"])
    return event


def test_a_spanish_description_reaches_spanish_visitors_and_french_ones_are_told(page, browser, live_server,
                                                                                 event):
    organiser = make_organiser(name="Marianne Bertrand", email="marianne@example.org")
    grant_role(event, organiser, Role.MANAGER)

    log_in(page, organiser.email)
    page.goto(f"/manage/events/{event.public_id}/edit")
    page.get_by_role("navigation", name="Parts of the event").get_by_role("link", name="Translations").click()
    page.wait_for_url("**/edit/translations")
    expect(page.get_by_role("row", name="Spanish").get_by_text("Not translated")).to_be_visible()
    page.get_by_role("row", name="Spanish").get_by_role("link", name="Add").click()
    page.wait_for_url("**/edit/translations/es")
    expect(page.get_by_text("Original (English):").first).to_be_visible()
    page.get_by_label("Title").fill(SPANISH["title"])
    page.get_by_label("Summary").fill(SPANISH["summary"])
    page.get_by_label("Description", exact=True).fill(SPANISH["description"])
    page.get_by_role("button", name="Preview the description").click()
    preview = page.locator("#description-preview")
    preview.get_by_text("interpretación simultánea al español").wait_for()
    question = page.get_by_role("group", name="Question 1")
    question.get_by_label("Question", exact=True).fill("¿Qué parte le interesa más?")
    question.get_by_label("The Trends Report").fill("El Informe de Tendencias")
    question.get_by_label("Strategies at the UN").fill("Estrategias en la ONU")
    screenshot(page, "translations-editor-es")
    assert_accessible(page)
    page.get_by_role("button", name="Save the translation").first.click()
    page.get_by_text("Your changes are saved.").wait_for()
    page.get_by_role("navigation", name="Parts of the event").get_by_role("link", name="Translations").click()
    expect(page.get_by_role("row", name="Spanish").get_by_text("Complete")).to_be_visible()
    screenshot(page, "translations-overview")
    assert_accessible(page)

    with visitor(browser, live_server, "es-ES") as spanish:
        spanish.goto(f"/events/{event.slug}")
        assert spanish.locator("html").get_attribute("lang") == "es"
        assert spanish.get_by_role("heading", level=1).inner_text() == SPANISH["title"]
        expect(spanish.get_by_text("Presentaremos el nuevo Informe de Tendencias")).to_be_visible()
        assert spanish.locator(".content-note").count() == 0
        screenshot(spanish, "translations-event-es")
        assert_accessible(spanish)
        spanish.get_by_role("link", name="Inscribirse").first.click()
        spanish.get_by_role("group", name="¿Qué parte le interesa más?").get_by_label(
            "Estrategias en la ONU").wait_for()
        screenshot(spanish, "translations-register-es")
        assert_accessible(spanish)

    with visitor(browser, live_server, "fr-FR") as french:
        french.goto(f"/events/{event.slug}")
        assert french.locator("html").get_attribute("lang") == "fr"
        heading = french.get_by_role("heading", level=1)
        assert heading.inner_text() == RECORD["title"] and heading.get_attribute("lang") == "en"
        assert french.locator(".content-note").inner_text() == (
            "Les organisateurs n'ont pas traduit cet événement en français : son texte est affiché en "
            "anglais.")
        screenshot(french, "translations-event-fr")
        assert_accessible(french)
