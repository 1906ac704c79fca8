"""Behind nginx (deploy/nginx/rsvp.conf): each visitor is their own address, and HTTPS is known.

The login form allows 10 attempts a minute per address (production's setting), counted
in Redis across both gunicorn workers. Clients connect from distinct loopback addresses
(127.0.0.2, 127.0.0.3, …), as distinct visitors reach nginx.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.factories import make_organiser
from tests.served.conftest import Served, launch, setting_up, stop

LIMIT = "10 per minute"
#: A new address each attempt: no account lockout (per address typed) mixes with the rate limit.
_typed = itertools.count()


@pytest.fixture(scope="module")
def limits(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    """The site behind nginx, and rsvp serve on its own with no proxy, with production's limits."""
    folder = tmp_path_factory.mktemp("limits")
    settings = {"RSVP_AUTH_LOGIN_RATE_LIMIT": LIMIT}
    proxied = launch(app, folder / "nginx", "nginx", **settings)
    try:
        # Its limits on the embedded default, without Redis: the file its two workers share
        # (rsvp.ratelimits); two workers counting each on their own would let 2 x 10 through.
        direct = launch(app, folder / "serve", "serve", RSVP_RATELIMIT_STORAGE_URI="instance",
                        **settings)
    except BaseException:
        stop(proxied.processes)
        raise
    try:
        yield {"nginx": proxied, "serve": direct}
    finally:
        stop(proxied.processes + direct.processes)


def attempt(served: Served, source: str | None = None, forged: str | None = None) -> int:
    """One wrong password from ``source``, claiming to be ``forged`` in X-Forwarded-For."""
    visitor = served.visitor(source=source, headers={"X-Forwarded-For": forged} if forged else None)
    try:
        page = visitor.get("/manage/login")
        return visitor.submit(page, "/manage/login", {"email": f"nobody{next(_typed)}@example.org",
                                                      "password": "not the password"}).status_code
    finally:
        visitor.close()


def test_fifteen_visitors_are_not_limited_but_one_visitor_fifteen_times_is(limits, live_db):
    proxied = limits["nginx"]
    many = [attempt(proxied, source=f"127.0.0.{n}") for n in range(2, 17)]
    assert 429 not in many and set(many) == {401}
    one = [attempt(proxied, source="127.0.1.1") for _ in range(15)]
    assert one[:10] == [401] * 10 and one[10:] == [429] * 5


def test_a_forged_forwarded_address_changes_nothing(limits, live_db):
    # Through nginx: the visitor's own X-Forwarded-For is replaced by their real address.
    proxied = [attempt(limits["nginx"], source="127.0.2.1", forged=f"203.0.113.{n}") for n in range(15)]
    assert proxied[10:] == [429] * 5
    # Straight to rsvp serve (RSVP_PROXIES=0): the header is not read at all.
    direct = [attempt(limits["serve"], source="127.0.2.2", forged=f"203.0.113.{n}") for n in range(15)]
    assert direct[:10] == [401] * 10 and direct[10:] == [429] * 5


def test_https_is_recognised_behind_the_proxy(limits, live_db):
    proxied = limits["nginx"]
    with setting_up():
        email = make_organiser().email
    visitor = proxied.visitor(source="127.0.3.1")
    page = visitor.get("/")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    login = visitor.get("/manage/login")
    response = visitor.submit(login, "/manage/login", {"email": email,
                                                       "password": "a long enough password"})
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert visitor.get("/manage").status_code == 200
    # Straight to the app over plain http, production does not call it secure.
    assert "Strict-Transport-Security" not in limits["serve"].visitor().get("/").headers
