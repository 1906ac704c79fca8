"""Small protections that add up: the honeypot, the attendee's own data download, logs
without addresses or links."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

import sqlalchemy as sa
from flask import url_for

from rsvp import tokens
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.privacy import logs
from rsvp.registrations.models import Registration
from rsvp.registrations.notify import manage_url
from rsvp.serve import ACCESS_LOG_FORMAT
from rsvp.speakers.models import Speaker
from tests.auth.conftest import log_in
from tests.factories import make_event, make_organiser, make_registration, make_speakers_list
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


def test_each_event_shows_its_own_privacy_notice(client, db_session):
    event = make_event(privacy_notice="ISHR processes your data to run this event.\n\n"
                                      "Write to privacy@example.org to see or erase it.")
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "<p>ISHR processes your data to run this event.</p>" in page
    assert "Write to privacy@example.org" in page
    assert "No attendee list is published." in page  # the standard notice stays


def test_a_bot_filling_the_inscription_honeypot_stores_nothing(client, db_session):
    event = make_event(slug="with-speakers")
    make_speakers_list(event)
    response = client.post("/events/with-speakers/speakers", data={
        "name": "Bot", "delegation": "Spam NGO", "category": "ngo", "capacity": "individual",
        "language": "en", "email": "bot@example.org", "consent": "y",
        "website": "http://spam.example"})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Speaker.id))) == 0


def test_public_forms_are_rate_limited_with_a_clear_page(app, db_session):
    from rsvp import create_app
    from rsvp.extensions import limiter

    limited = create_app({"ENV": "testing", "SERVER_NAME": None, "RATELIMIT_ENABLED": True,
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "RATELIMIT_PUBLIC_FORMS": "2 per minute", "WTF_CSRF_ENABLED": False})
    limiter.reset()
    try:
        client = limited.test_client()
        answers = [client.post("/my-registrations", data={"email": "a@example.org"}).status_code
                   for _ in range(3)]
        assert answers == [200, 200, 429]
        page = client.post("/my-registrations", data={"email": "a@example.org"})
        assert "Too many requests" in page.get_data(as_text=True)
    finally:
        limiter.reset()
        limiter.enabled = False


def test_no_link_token_reaches_the_access_logs(app, live_server, caplog):
    """Every rule with a token in its URL, requested for real: the access lines of the development
    server and of gunicorn keep the path without the token, and so does the login page's ``next``
    where a check-in link leads someone not logged in."""
    event = make_event()
    token = tokens.sign("check-in", ["a-registration-id", 0])
    rules = [rule for rule in app.url_map.iter_rules()
             if any(name == "token" or name.endswith("_token") for name in rule.arguments)]
    assert {rule.endpoint for rule in rules} >= {
        "registrations.confirm", "registrations.manage", "speakers.own", "auth.reset_password",
        "checkin.scan"}
    with app.test_request_context():
        paths = [url_for(rule.endpoint, **{name: token if name.endswith("token") else event.public_id
                                           for name in rule.arguments}) for rule in rules]
    with caplog.at_level(logging.INFO):
        for path in paths:
            try:
                urllib.request.urlopen(live_server + path, timeout=10).close()  # noqa: S310
            except urllib.error.HTTPError:
                pass  # a refusal (a POST-only link, an expired one) is logged all the same
            logging.getLogger("gunicorn.access").info(ACCESS_LOG_FORMAT, {
                "t": "[01/Dec/2026:10:00:00 +0000]", "m": "GET", "U": path, "s": "200", "B": "0", "D": "1"})
        # A next= that a proxy or another page percent-encoded: the token has no path around it.
        logging.getLogger("werkzeug").info('"GET /manage/login?next=%s HTTP/1.1" 200 -',
                                           urllib.parse.quote(paths[-1], safe=""))
    text = caplog.text
    assert "check-in/t/<token>" in text and "next=" in text  # the requests were logged
    assert text.count("<token>") >= 2 * len(paths)
    assert token.rsplit(".", 1)[-1] not in text  # not even the signature


def test_a_long_log_line_is_redacted():
    """A long line (a blob, a long query string) is redacted whole (its pattern runs in linear time:
    no timing is asserted here, these machines are noisy)."""
    line = "GET /?q=" + "a" * 30_000 + " from ana@example.org"
    assert logs.redact(line) == "GET /?q=" + "a" * 30_000 + " from <email>"


def test_pages_with_personal_data_are_never_stored_by_a_browser_or_proxy(app, client, db_session):
    """Cache-Control: no-store on links that open someone's data (found or not, redirects too),
    on the organisers' pages, on answers to forms and on any page of a visitor with a session;
    public pages, their files and the static files keep their own caching."""
    event = make_event(slug="public-event")
    registration = make_registration(event, email="ana@example.org")
    manage = manage_url(registration).removeprefix("http://localhost")
    token = manage.removeprefix("/r/")
    private = {
        "GET": [manage, f"{manage}/data.json", "/r/not-a-valid-token-at-all", "/r/", "/r/a/b/c",
                f"/confirm/{token}", f"/s/{token}", "/manage", "/manage/login", "/manage/password-reset",
                f"/manage/password-reset/{token}", "/manage/no-such-page",
                f"/manage/events/{event.public_id}/check-in/t/{token}",  # to the login page: a redirect
                f"/manage/events/{event.public_id}/registrations"],
        "POST": [f"{manage}/cancel", f"/events/{event.slug}/register", "/my-registrations", "/language"],
    }
    for method, paths in private.items():
        for path in paths:
            response = client.open(path, method=method)
            assert response.headers.get("Cache-Control") == "no-store", (method, path, response.status_code)
    statuses = {client.get(path).status_code for path in private["GET"]}
    assert {200, 302, 404} <= statuses

    public = ["/", "/past", f"/events/{event.slug}", f"/events/{event.slug}/event.ics",
              f"/events/{event.slug}/register", "/events/no-such-event", "/static/css/app.css"]
    fresh = app.test_client()
    for path in public:
        assert "no-store" not in fresh.get(path).headers.get("Cache-Control", ""), path

    organiser = make_organiser()
    log_in(fresh, organiser.email)  # a session: the organiser bar and flashed messages show on every page
    assert fresh.get(f"/events/{event.slug}").headers.get("Cache-Control") == "no-store"
    static = fresh.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
