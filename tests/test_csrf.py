"""The CSRF check (rsvp.csrf): Flask-WTF's tokens accepted, and every bad one refused with
Flask-WTF's own words, by the check each form's post goes through."""

from __future__ import annotations

import re

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from rsvp import csrf
from rsvp.extensions import csrf as installed
from rsvp.registrations.models import Registration
from tests.factories import make_event


def _refusal(check, data):
    """What ``check`` says of ``data``: None when it accepts it, else its message."""
    try:
        check(data)
    except ValidationError as error:
        return error.args[0]
    return None


def test_the_app_checks_posts_with_this_check():
    assert isinstance(installed, csrf.CSRFProtect)


def test_a_token_of_flask_wtf_is_accepted_and_a_bad_one_refused_as_flask_wtf_refuses_it(app):
    with app.test_request_context():
        token = generate_csrf()
        assert _refusal(csrf.validate, token) is None
        assert _refusal(validate_csrf, token) is None

        signature = token.rsplit(".", 1)[1]
        other_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
        tampered = token.rsplit(".", 1)[0] + "." + other_signature
        cases = {
            "": "The CSRF token is missing.",
            None: "The CSRF token is missing.",
            "forged": "The CSRF token is invalid.",
            tampered: "The CSRF token is invalid.",
        }
        for data, message in cases.items():
            assert _refusal(csrf.validate, data) == _refusal(validate_csrf, data) == message

        # A token of another session, rightly signed: not this visitor's.
        real = session.pop("csrf_token")
        session["csrf_token"] = "0" * 40
        assert _refusal(csrf.validate, token) == _refusal(validate_csrf, token) \
            == "The CSRF tokens do not match."
        del session["csrf_token"]
        assert _refusal(csrf.validate, token) == _refusal(validate_csrf, token) \
            == "The CSRF session token is missing."
        session["csrf_token"] = real


def test_an_old_token_has_expired_and_a_token_of_another_secret_is_invalid(app):
    with app.test_request_context():
        token = generate_csrf()
        limit = app.config["WTF_CSRF_TIME_LIMIT"]
        app.config["WTF_CSRF_TIME_LIMIT"] = -1  # any token is older than that
        try:
            assert _refusal(csrf.validate, token) == _refusal(validate_csrf, token) \
                == "The CSRF token has expired."
        finally:
            app.config["WTF_CSRF_TIME_LIMIT"] = limit
        secret = app.secret_key
        app.secret_key = "another secret"
        try:
            assert _refusal(csrf.validate, token) == _refusal(validate_csrf, token) \
                == "The CSRF token is invalid."
        finally:
            app.secret_key = secret
        assert _refusal(csrf.validate, token) is None


@pytest.mark.parametrize("token", ["good", "forged", None])
def test_a_post_is_let_through_only_with_its_own_token(csrf_client, db_session, token):
    event = make_event()
    page = csrf_client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    own = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"name": "Ana Lima", "email": "ana@example.org", "organisation_type": "ngo",
            "attendance_mode": "online", "consent": "y"}
    if token:
        data["csrf_token"] = own if token == "good" else token
    response = csrf_client.post(f"/events/{event.slug}/register", data=data)
    kept = db_session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
    if token == "good":
        assert response.status_code == 303
        assert [row.name for row in kept] == ["Ana Lima"]
    else:
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)
        assert kept == []


def test_over_https_a_post_needs_a_referer_of_this_host(csrf_client, db_session):
    event = make_event()
    https = "https://localhost"
    page = csrf_client.get(f"/events/{event.slug}/register", base_url=https).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"name": "Ana Lima", "email": "ana@example.org", "organisation_type": "ngo",
            "attendance_mode": "online", "consent": "y", "csrf_token": token}
    path = f"/events/{event.slug}/register"
    assert csrf_client.post(path, data=data, base_url=https).status_code == 400
    assert csrf_client.post(path, data=data, base_url=https,
                            headers={"Referer": "https://elsewhere.example/"}).status_code == 400
    assert csrf_client.post(path, data=data, base_url=https,
                            headers={"Referer": f"{https}{path}"}).status_code == 303
