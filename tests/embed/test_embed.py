"""The framed forms: framable by EMBED_ORIGINS only, the pages' own forms and checks (CSRF
included), kept inside the frame from the form to the page after it; every other page stays
unframeable."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.registrations.models import Registration
from tests.auth.conftest import csrf_in, log_in
from tests.factories import grant_role, make_event, make_organiser, make_speakers_list
from tests.registrations.test_views import VALID

ORIGIN = "https://www.ngo.example"


@pytest.fixture
def origins(app):
    app.config["EMBED_ORIGINS"] = f"{ORIGIN}, http://127.0.0.1:8123"
    yield
    app.config["EMBED_ORIGINS"] = []


def _frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]+)", response.headers["Content-Security-Policy"]).group(1)


def test_the_framed_form_registers_and_stays_in_the_frame(csrf_client, origins):
    client = csrf_client
    event = make_event(title="Framed event")
    page = client.get(f"/events/{event.slug}/embed")
    assert page.status_code == 200
    assert _frame_ancestors(page) == f"{ORIGIN} http://127.0.0.1:8123"
    assert "X-Frame-Options" not in page.headers
    text = page.get_data(as_text=True)
    assert f'action="/events/{event.slug}/embed"' in text and 'class="site-header"' not in text
    assert "embed-resize.js" in text and f'data-embed-origins="{ORIGIN} http://127.0.0.1:8123"' in text

    refused = client.post(f"/events/{event.slug}/embed", data=VALID)  # no CSRF token
    assert refused.status_code == 400
    sent = client.post(f"/events/{event.slug}/embed", data={**VALID, "csrf_token": csrf_in(text)})
    assert sent.status_code == 303 and sent.headers["Location"] == f"/events/{event.slug}/embed/registered"
    after = client.get(sent.headers["Location"])
    assert after.status_code == 200 and "Check your email" in after.get_data(as_text=True)
    assert _frame_ancestors(after).startswith(ORIGIN) and "X-Frame-Options" not in after.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event.id)) == 1


def test_errors_come_back_in_the_frame_with_what_was_typed(client, origins):
    event = make_event()
    answer = client.post(f"/events/{event.slug}/embed", data={**VALID, "email": "not-an-address"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and VALID["name"] in text and 'class="site-header"' not in text
    assert _frame_ancestors(answer).startswith(ORIGIN)


def test_every_other_page_stays_unframeable(client, origins):
    event = make_event()
    for path in (f"/events/{event.slug}", f"/events/{event.slug}/register", "/", "/manage/login"):
        response = client.get(path)
        assert _frame_ancestors(response) == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert 'class="site-header"' in page and f'action="/events/{event.slug}/register"' in page


def test_without_origins_no_site_may_frame_it(client):
    event = make_event()
    assert _frame_ancestors(client.get(f"/events/{event.slug}/embed")) == "'none'"


def test_the_speakers_inscription_is_framed_too(client, origins):
    event = make_event()
    make_speakers_list(event)
    page = client.get(f"/events/{event.slug}/speakers/embed")
    assert page.status_code == 200 and _frame_ancestors(page).startswith(ORIGIN)
    assert f'action="/events/{event.slug}/speakers/embed"' in page.get_data(as_text=True)


def test_over_https_the_csrf_cookie_reaches_a_third_party_frame(csrf_client, origins):
    event = make_event()
    client = csrf_client
    page = client.get(f"/events/{event.slug}/embed", base_url="https://localhost")
    cookie = next(c for c in page.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie
    assert "SameSite=Lax" not in cookie
    normal = client.get(f"/events/{event.slug}/register", base_url="https://localhost")
    assert all("SameSite=None" not in c for c in normal.headers.getlist("Set-Cookie"))


def test_the_snippet_on_the_organisers_page(client, origins):
    event = make_event(title="Snippet event")
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    text = client.get(f"/manage/events/{event.public_id}").get_data(as_text=True)
    assert f"src=&#34;http://localhost/events/{event.slug}/embed&#34;" in text
    assert "rsvp:resize" in text and "event.origin !== &#34;http://localhost&#34;" in text
    assert f"/events/{event.slug}/speakers/embed" in text
