"""The session cookie: written and read without Flask's tagging walk when it holds plain JSON,
and still the same cookie as Flask's (a deploy between the two keeps everyone's session)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup

from rsvp.session_cookie import SessionInterface, SessionJSON

SESSIONS = [
    {},
    {"csrf_token": "abc", "just_registered": ["event-slug", "ana@example.org"]},
    {"_user_id": "x1", "_fresh": True, "n": 3, "ratio": 0.5, "nothing": None},
    {"nested": {"a": ["b", {"c": "d"}]}},
    {"quote": 'a {" t": "x"} inside a string', "brace": '{" ', "unicode": "Genève 日内瓦 جنيف"},
    {"_flashes": [("message", "Saved.")]},  # tuples: Flask tags them
    {"markup": Markup("<b>bold</b>")},
    {"bytes": b"\x00\x01"},
    {"when": datetime(2026, 12, 1, 12, 30, tzinfo=UTC)},
    {"id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"looks_like_a_tag": {" t": ["not", "a", "tuple"]}},  # a one-key object Flask must tag itself
    {" t": "a key with a space"},
]


@pytest.mark.parametrize("value", SESSIONS)
def test_the_same_text_and_the_same_values_as_flasks_serializer(app, value):
    ours, flasks = SessionJSON(), TaggedJSONSerializer()
    with app.app_context():
        text = ours.dumps(value)
        assert text == flasks.dumps(value)
        assert ours.loads(text) == flasks.loads(text) == value
        if "_flashes" in value:  # a flashed message stays a (category, message) tuple
            assert type(ours.loads(text)["_flashes"][0]) is tuple


@pytest.mark.parametrize("value", SESSIONS[1:7])
def test_a_cookie_of_either_is_read_by_the_other(app, value):
    """A cookie Flask's own session wrote before a deploy is read after it, and back."""
    with app.test_request_context():
        ours = SessionInterface().get_signing_serializer(app)
        flasks = SecureCookieSessionInterface().get_signing_serializer(app)
        assert ours is not None and flasks is not None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        assert ours.loads(flasks.dumps(value), max_age=max_age) == value
        assert flasks.loads(ours.dumps(value), max_age=max_age) == value


def test_a_cookie_signed_with_another_key_is_refused(app):
    from itsdangerous import BadSignature

    with app.test_request_context():
        ours = SessionInterface().get_signing_serializer(app)
        assert ours is not None
        app.secret_key, kept = "another-secret-key-for-this-test", app.secret_key
        try:
            other = SessionInterface().get_signing_serializer(app)
            assert other is not None
            cookie = other.dumps({"_user_id": "someone"})
        finally:
            app.secret_key = kept
        with pytest.raises(BadSignature):
            ours.loads(cookie)


def test_a_flashed_message_reaches_the_next_page(client):
    """Through the cookie, as a browser carries it: a message flashed (a tuple in the session)
    is shown on the next page, once."""
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Kept across the redirect.")]
    assert "Kept across the redirect." in client.get("/manage/login").get_data(as_text=True)
    assert "Kept across the redirect." not in client.get("/manage/login").get_data(as_text=True)


def _written(app, interface, session, *, url="https://example.org/", framed=False, vary=None):
    """The Set-Cookie and Vary headers ``interface`` writes for ``session`` in a request."""
    from flask import Response, g

    with app.test_request_context(url):
        g.embedded = framed
        response = Response("page")
        if vary:
            response.headers["Vary"] = vary
        interface.save_session(app, session, response)
        return response.headers.getlist("Set-Cookie"), response.headers.getlist("Vary")


def _attributes(set_cookie):
    """A Set-Cookie header's attributes and the session it carries (its signature's time aside)."""
    value, *attributes = [part.strip() for part in set_cookie.split(";")]
    return value.split("=", 1)[0], sorted(attributes)


def _flasks_own(third_party: bool) -> SecureCookieSessionInterface:
    """Flask's own session interface, told what a cookie must be for a form framed on another
    site over HTTPS (SameSite=None; Secure; Partitioned), as its settings would."""

    class FlasksOwn(SecureCookieSessionInterface):
        def get_cookie_samesite(self, app):
            return "None" if third_party else super().get_cookie_samesite(app)

        def get_cookie_secure(self, app):
            return third_party or super().get_cookie_secure(app)

        def get_cookie_partitioned(self, app):
            return third_party or super().get_cookie_partitioned(app)

    return FlasksOwn()


@pytest.mark.parametrize(("url", "framed", "vary", "permanent"), [
    ("https://example.org/", False, None, False),
    ("https://example.org/", False, "Accept-Language", True),
    ("https://example.org/", False, "Accept-Language, Cookie", False),
    ("https://example.org/", True, None, False),  # a framed form: SameSite=None; Partitioned
    ("http://example.org/", True, None, False),  # framed over plain http: Lax, as Flask's
])
def test_the_cookie_and_vary_written_are_flasks(app, url, framed, vary, permanent):
    from flask.sessions import SecureCookieSession

    def session():
        made = SecureCookieSession({"csrf_token": "abc", "just_registered": ["s", "a@example.org"]})
        made.permanent = permanent
        return made

    ours, ours_vary = _written(app, SessionInterface(), session(), url=url, framed=framed, vary=vary)
    flasks, flasks_vary = _written(app, _flasks_own(framed and url.startswith("https")), session(),
                                   url=url, framed=framed, vary=vary)
    assert len(ours) == len(flasks) == 1
    assert _attributes(ours[0]) == _attributes(flasks[0])
    assert ours_vary == flasks_vary
    assert ("Partitioned" in ours[0]) is (framed and url.startswith("https"))
    with app.test_request_context():
        signing = SessionInterface().get_signing_serializer(app)
        value = ours[0].split(";")[0].split("=", 1)[1]
        assert signing.loads(value) == dict(session())


def test_an_emptied_session_deletes_its_cookie_as_flask_does(app):
    from flask.sessions import SecureCookieSession

    emptied = SecureCookieSession({"csrf_token": "abc"})
    emptied.clear()
    cookies, vary = _written(app, SessionInterface(), emptied)
    assert len(cookies) == 1 and "Expires=Thu, 01 Jan 1970" in cookies[0]
    assert vary == ["Cookie"]
    untouched = SecureCookieSession()
    assert _written(app, SessionInterface(), untouched) == ([], [])


@pytest.mark.parametrize("framed", [False, True])
@pytest.mark.parametrize("how", ["emptied", "read only", "untouched"])
def test_an_empty_session_writes_what_flasks_writes(app, framed, how):
    """A session emptied deletes its cookie (a framed one with the attributes it was set with),
    one only read says Vary: Cookie, one untouched writes nothing: as Flask's own."""
    from flask.sessions import SecureCookieSession

    def session():
        made = SecureCookieSession({"csrf_token": "abc"} if how == "emptied" else {})
        if how == "emptied":
            made.clear()
        elif how == "read only":
            made.accessed = True  # as the request context marks a session a page read
        return made

    ours = _written(app, SessionInterface(), session(), framed=framed)
    flasks = _written(app, _flasks_own(framed), session(), framed=framed)
    assert ours == flasks
    assert (len(ours[0]) == 1) is (how == "emptied")
    assert ours[1] == ([] if how == "untouched" else ["Cookie"])
    if how == "emptied" and framed:
        assert "SameSite=None" in ours[0][0] and "Partitioned" in ours[0][0]
