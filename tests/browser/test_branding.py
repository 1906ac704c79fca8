"""A site admin gives the site the organisation's look; a visitor sees it on the event's form."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import make_event, make_organiser

pytestmark = pytest.mark.browser


def logo_file(path):
    image = Image.new("RGB", (240, 80), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 72, 72), fill="#7a1f5c")
    draw.text((88, 30), "ISHR", fill="#7a1f5c")
    image.save(path, format="PNG")
    return path


def test_an_admin_brands_the_site_and_a_visitor_sees_it(browser, live_server, page, live_db, tmp_path):
    make_organiser(email="admin@example.org", is_admin=True)
    event = make_event(title="Rights at Risk: Time for Action", slug="rights-at-risk")
    log_in(page, "admin@example.org")
    page.get_by_role("link", name="Site settings").click()
    page.get_by_label("Colour").fill("#ffdd00")  # too pale: refused, the rest kept
    page.get_by_label("Site name").fill("ISHR Events")
    page.get_by_role("button", name="Save the settings").click()
    assert "needs at least 4.5:1" in page.locator("#error-summary").inner_text()
    assert page.get_by_label("Site name").input_value() == "ISHR Events"
    assert_accessible(page)

    page.get_by_label("Colour").fill("#7a1f5c")
    page.get_by_label("Postal address").fill("Rue de Varembé 1\n1202 Geneva, Switzerland")
    page.get_by_label("Logo", exact=True).set_input_files(str(logo_file(tmp_path / "logo.png")))
    page.get_by_label("Logo description").fill("ISHR")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("status").filter(has_text="settings are saved")).to_be_visible()
    screenshot(page, "site-settings")

    with browser.new_context(base_url=live_server, locale="ar") as context:
        visitor = context.new_page()
        visitor.goto(f"/events/{event.slug}/register")
        header = visitor.locator(".site-header")
        assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(122, 31, 92)"
        logo = header.get_by_role("img", name="ISHR")
        assert logo.evaluate("img => img.complete && img.naturalWidth") == 240
        footer = visitor.locator(".site-footer")
        assert "Rue de Varembé 1" in footer.inner_text()
        assert_accessible(visitor)
        screenshot(visitor, "branded-form-ar")
