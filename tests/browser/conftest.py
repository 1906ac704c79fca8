"""Headless Debian Chromium driven by Playwright against the live server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.auth.conftest import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@contextmanager
def open_page(browser, base_url: str, viewport: dict[str, int], locale: str | None = None
              ) -> Iterator[object]:
    """A page in a browser context of its own: another person, on another device (whose browser asks
    for pages in ``locale``, Accept-Language, when given)."""
    context = browser.new_context(viewport=viewport, base_url=base_url,
                                  **({"locale": locale} if locale else {}))
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[object]:
    with open_page(browser, live_server, getattr(request, "param", {"width": 1280, "height": 900})) as page:
        yield page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def log_in(page, email: str) -> None:
    """An organiser logs in through the form, with the test password."""
    page.goto("/manage/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/manage")
