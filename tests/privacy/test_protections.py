"""Small protections that add up: the honeypot, the attendee's own data download, logs
without addresses or links."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations.models import Registration
from rsvp.registrations.notify import manage_url
from tests.factories import make_event, make_registration
from tests.registrations.test_views import VALID


def test_a_bot_filling_the_honeypot_sees_success_and_nothing_is_stored(client, db_session):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register",
                           data={**VALID, "website": "http://spam.example"}, follow_redirects=True)
    assert "Check your email" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_the_honeypot_is_out_of_sight_and_out_of_the_tab_order(client, db_session):
    page = client.get(f"/events/{make_event().slug}/register").get_data(as_text=True)
    assert '<div class="hp" aria-hidden="true">' in page and 'tabindex="-1"' in page


def test_registrants_download_everything_kept_about_them(client, db_session):
    registration = make_registration(make_event(), name="Ana", email="ana@example.org",
                                     accessibility_needs="Step-free access")
    response = client.get(manage_url(registration).removeprefix("http://localhost") + "/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data())
    assert data["registration"]["name"] == "Ana"
    assert data["registration"]["accessibility_needs"] == "Step-free access"
    assert data["event"]["title"] == registration.event.title


def test_logs_carry_no_address_and_no_link_token(client, db_session, caplog):
    registration = make_registration(make_event(), email="ana@example.org")
    path = manage_url(registration).removeprefix("http://localhost")
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET %s HTTP/1.1" 200 -', path)
        logging.getLogger("rsvp.mail").warning("could not send to %s", "ana@example.org")
    text = caplog.text
    assert "ana@example.org" not in text and path.removeprefix("/r/") not in text
    assert "/r/<token>" in text and "<email>" in text
