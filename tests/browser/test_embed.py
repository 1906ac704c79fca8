"""The registration form framed on another site: a page served from an allowed origin (another
local port) embeds it, sizes it from its messages and registers through it (CSRF checked as on
the site); the same page from an origin not allowed is refused by the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from rsvp.embed.views.frames import snippet
from rsvp.events.models import EventFormat
from rsvp.extensions import db
from rsvp.registrations.models import Registration
from tests.browser.conftest import open_page, screenshot
from tests.factories import make_event


class HostSite:
    """The organisation's own site: one page holding the snippet, on a port of its own."""

    def __init__(self, html: str) -> None:
        body = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _page(slug: str, title: str) -> str:
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>NGO site</title></head>"
            f"<body><h1>Our side event</h1>{snippet(slug, title)}</body></html>")


@pytest.fixture
def framed(app, live_server) -> Iterator[tuple[object, HostSite, HostSite]]:
    app.config["PUBLIC_BASE_URL"] = live_server
    event = make_event(title="Framed side event", format=EventFormat.HYBRID)
    html = _page(event.slug, "Register: Framed side event")
    allowed, other = HostSite(html), HostSite(html)
    app.config["EMBED_ORIGINS"] = [allowed.origin]
    try:
        yield event, allowed, other
    finally:
        allowed.close()
        other.close()
        app.config["EMBED_ORIGINS"] = []
        app.config["PUBLIC_BASE_URL"] = "http://localhost"


def test_an_allowed_site_frames_the_form_and_registers_through_it(browser, framed):
    event, allowed, _other = framed
    with open_page(browser, allowed.origin, {"width": 1000, "height": 900}) as page:
        page.goto("/")
        frame = page.frame_locator(f"#rsvp-{event.slug}")
        frame.get_by_label("Name to use").fill("Framed Person")
        frame.get_by_label("Email address").fill("framed@example.org")
        frame.get_by_label("You are attending for").select_option("ngo")
        frame.get_by_label("Online").check()
        frame.get_by_label("I agree").check()
        # Sized by the frame's own message to this page's few lines of script.
        page.wait_for_function(f"document.getElementById('rsvp-{event.slug}').style.height.endsWith('px')")
        frame.get_by_role("button", name="Register").click()
        frame.get_by_role("heading", name="Check your email").wait_for()
        assert page.url == allowed.origin + "/"  # the visitor never left the organisation's page
        screenshot(page, "embed-registered")
    db.session.rollback()
    stored = db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id)).all()
    assert [r.name for r in stored] == ["Framed Person"]


def test_a_site_not_allowed_is_refused_by_the_browser(browser, framed):
    event, _allowed, other = framed
    refusals: list[str] = []
    with open_page(browser, other.origin, {"width": 1000, "height": 900}) as page:
        page.on("console", lambda message: refusals.append(message.text))
        page.goto("/")
        page.wait_for_function("document.readyState === 'complete'")
        frame = page.frame_locator(f"#rsvp-{event.slug}")
        assert frame.get_by_label("Email address").count() == 0
        child = next(f for f in page.frames if f != page.main_frame)
        child.wait_for_load_state()
        assert "Register" not in (child.content() or "")
    assert any("frame-ancestors" in text for text in refusals), refusals
