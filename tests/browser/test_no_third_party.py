"""No page makes a request to any host but the site's own: every public page, then every
organiser page in the URL map, opened in Chromium while each request is recorded."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import url_for

from rsvp.auth.models import Role
from rsvp.events.models import EventFormat
from rsvp.extensions import db
from rsvp.registrations import codes, notify
from rsvp.registrations.notify import manage_url
from tests.browser.conftest import log_in
from tests.factories import (
    grant_role,
    make_event,
    make_organiser,
    make_registration,
    make_speaker,
    make_speakers_list,
)

pytestmark = pytest.mark.browser


def test_no_page_requests_another_host(app, page, live_server):
    event = make_event(slug="everything", format=EventFormat.HYBRID, venue="Room XXIV",
                       grounds_pass_required=True,
                       description="![tracker](https://tracker.example.com/pixel.png) text")
    make_speakers_list(event)
    speaker = make_speaker(event)
    registration = make_registration(event)
    message = notify.status_email(registration)
    db.session.commit()
    owner = make_organiser(email="owner@example.org", is_admin=True)
    grant_role(event, owner, Role.OWNER)
    samples = {"event_id": event.public_id, "registration_id": registration.public_id,
               "checkin_token": codes.checkin_token(registration), "fmt": "csv",
               "organiser_id": owner.public_id, "slug": event.slug,
               "speaker_id": speaker.public_id, "message_number": str(message.id)}
    public = ["/", "/past", f"/events/{event.slug}", f"/events/{event.slug}/register",
              f"/events/{event.slug}/speakers", f"/events/{event.slug}/speakers/live",
              manage_url(registration).removeprefix("http://localhost"), "/my-registrations",
              "/r/not-a-link", "/manage/login"]
    organiser_pages = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (not rule.rule.startswith("/manage/") or "GET" not in (rule.methods or ())
                    or rule.rule.endswith((".<fmt>", "/counts", ".json", ".csv", "/statement"))
                    or "password-reset/<" in rule.rule):
                continue
            if all(name in samples for name in rule.arguments):
                organiser_pages.append(url_for(rule.endpoint, **{
                    name: samples[name] for name in rule.arguments}))

    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    for path in public:
        page.goto(path)
    log_in(page, "owner@example.org")
    for path in organiser_pages:
        response = page.goto(path)
        assert response is not None and response.status < 500, path
    assert len(organiser_pages) > 10
    assert hosts == {"127.0.0.1"}
