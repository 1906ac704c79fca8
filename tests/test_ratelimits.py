"""Rate limits on the embedded default count once for every process of the machine
(rsvp.ratelimits): two storages on one file, and forked processes, see each other's counts.
A view's own limit, on every storage: each post counted once, under the key Flask-Limiter
counts it under, the answers' headers saying what that count left, the post over the limit
refused with the 429 page."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from rsvp import create_app, ratelimits
from rsvp.extensions import limiter
from tests.factories import make_event
from tests.mail.conftest import free_port
from tests.registrations.test_views import VALID


def test_two_processes_worth_of_storages_share_one_count(tmp_path):
    uri = ratelimits.uri_for(str(tmp_path))
    first, second = storage_from_string(uri), storage_from_string(uri)
    assert isinstance(first, ratelimits.SharedFileStorage) and first.check()
    limit = RateLimitItemPerMinute(10)
    hits = [FixedWindowRateLimiter(storage).hit(limit, "login", "127.0.0.1")
            for storage in [first, second] * 8]
    assert hits == [True] * 10 + [False] * 6
    assert second.get(limit.key_for("login", "127.0.0.1")) == 16  # every attempt counted
    first.clear(limit.key_for("login", "127.0.0.1"))
    assert FixedWindowRateLimiter(second).hit(limit, "login", "127.0.0.1")


def _hit_five(uri: str, results: multiprocessing.Queue) -> None:
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    results.put([limiter.hit(RateLimitItemPerMinute(12), "register") for _ in range(5)])


def test_forked_workers_count_together(tmp_path):
    uri = ratelimits.uri_for(str(tmp_path))
    storage_from_string(uri)  # made before the fork, as in gunicorn's master
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue = context.Queue()
    workers = [context.Process(target=_hit_five, args=(uri, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    allowed = sum(sum(results.get(timeout=10)) for _ in workers)
    assert allowed == 12  # of 20 attempts from four processes, as one limit of 12


def test_a_window_that_ended_counts_again(tmp_path):
    storage = storage_from_string(ratelimits.uri_for(str(tmp_path)))
    assert storage.incr("k", expiry=0) == 1  # a window of no time: already over
    assert storage.incr("k", expiry=60) == 1 and storage.incr("k", expiry=60) == 2
    assert storage.get("k") == 2 and storage.get_expiry("k") > 0


def test_a_count_answers_when_its_window_ends(tmp_path):
    """What the headers are written from: the count and the window's end, as read back after."""
    storage = storage_from_string(ratelimits.uri_for(str(tmp_path)))
    before = time.time()
    count, ends_at = storage.incr_window("k", 60)
    assert count == 1 and before + 60 <= ends_at <= time.time() + 60
    assert storage.incr_window("k", 60) == (2, ends_at) == (storage.get("k"), storage.get_expiry("k"))


def test_the_default_counts_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("RSVP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("RSVP_SECRET_KEY", "x")
    monkeypatch.setenv("RSVP_PUBLIC_BASE_URL", "https://events.example.org")
    monkeypatch.setenv("RSVP_DATA_KEYS", "dGVzdGluZyBrZXk6IG5ldmVyIHVzZWQgYW55d2hlcmU=")
    app = create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["RATELIMIT_STORAGE_URI"] == f"rsvp-sqlite://{tmp_path}/ratelimits.sqlite"


@pytest.fixture
def limited(app: Flask, db_session, tmp_path) -> Iterator[Callable[..., Flask]]:
    """Apps with the limits on (the test config turns them off), counting on the shared file
    unless told otherwise; the one limiter's counts, and any limit for every page a setting gave
    it (Flask-Limiter keeps those from one app to the next), gone after the test."""

    def make(**settings: str) -> Flask:
        made = create_app({"ENV": "testing", "SERVER_NAME": None, "RATELIMIT_ENABLED": True,
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "RATELIMIT_STORAGE_URI": ratelimits.uri_for(str(tmp_path)),
                           "WTF_CSRF_ENABLED": False, **settings})
        limiter.reset()
        return made

    try:
        yield make
    finally:
        limiter.reset()
        limiter.limit_manager.set_default_limits([])
        limiter.limit_manager.set_application_limits([])
        limiter.enabled = False


def test_a_limit_for_every_page_from_the_settings_still_applies(limited):
    """The check before each view is skipped where no limit could apply: a limit the settings
    give every page (RATELIMIT_DEFAULT) still refuses the request after the last allowed."""
    client = limited(RATELIMIT_DEFAULT="3 per minute").test_client()
    assert [client.get("/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Retry-After" in client.get("/").headers


def test_a_views_own_limit_counts_each_request_once(limited):
    """Five posts under "5 per minute" all pass, the sixth is refused, and the answers say how
    many remain: each request counted once, by the view's own limit."""
    client = limited(RATELIMIT_PUBLIC_FORMS="5 per minute").test_client()
    answers = [client.post("/my-registrations", data={"email": "a@example.org"})
               for _ in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    assert [answer.headers.get("X-RateLimit-Remaining") for answer in answers[:5]] == \
        ["4", "3", "2", "1", "0"]
    assert client.get("/").status_code == 200  # pages without a limit are not counted


@pytest.fixture(scope="module")
def redis_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server of this module's own, as the servers behind nginx count in (tests/served)."""
    from tests.served.conftest import stop, wait_for_port
    from tests.served.nginx import start_program, which

    program = which("redis-server")
    if program is None:
        pytest.skip("redis-server not found: apt-get install redis-server (CI installs it)")
    port = free_port()
    redis = start_program("redis", [program, "--port", str(port), "--bind", "127.0.0.1",
                                    "--save", "", "--appendonly", "no"],
                          tmp_path_factory.mktemp("redis"))
    try:
        wait_for_port(port, redis)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop([redis])


@pytest.fixture(params=["shared file", "memory", "redis"])
def storage_uri(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "redis":
        return str(request.getfixturevalue("redis_uri"))
    return ratelimits.uri_for(str(tmp_path)) if request.param == "shared file" else "memory://"


def _register(client, slug: str, n: int):
    return client.post(f"/events/{slug}/register", data={**VALID, "email": f"person{n}@example.org"})


def test_registrations_over_the_limit_are_refused_per_address(limited, storage_uri):
    """Three registrations a minute from one address: the fourth gets the 429 page, every
    answer says what is left and when the count starts again, and another address is counted
    apart. The count is kept where Flask-Limiter keeps it, so every worker adds to the same one."""
    site = limited(RATELIMIT_PUBLIC_FORMS="3 per minute", RATELIMIT_STORAGE_URI=storage_uri)
    client = site.test_client()
    slug = make_event().slug
    started = time.time()
    answers = [_register(client, slug, n) for n in range(4)]
    assert [answer.status_code for answer in answers] == [303, 303, 303, 429]
    assert "Too many requests" in answers[-1].get_data(as_text=True)
    assert [answer.headers["X-RateLimit-Limit"] for answer in answers] == ["3"] * 4
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]

    key = RateLimitItemPerMinute(3).key_for("127.0.0.1", "registrations.register")
    assert limiter.storage.get(key) == 4  # the refused attempt counted too, as before
    reset = int(limiter.storage.get_expiry(key) + 1)  # Redis knows it to the second only
    assert started + 59 <= reset <= time.time() + 62
    for answer in answers:
        said_reset, retry_after = int(answer.headers["X-RateLimit-Reset"]), int(answer.headers["Retry-After"])
        assert abs(said_reset - reset) <= 1
        assert said_reset - time.time() - 1 <= retry_after <= said_reset - started

    elsewhere = site.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    other = _register(elsewhere, slug, 5)
    assert other.status_code == 303 and other.headers["X-RateLimit-Remaining"] == "2"
    assert _register(client, slug, 6).status_code == 429


def test_a_limit_changed_in_the_settings_applies_to_the_next_post(limited):
    """The limit is read from the settings at each post: a new one counts from zero (its count
    is kept apart, as Flask-Limiter keeps each limit's) and refuses after its own last."""
    site = limited(RATELIMIT_PUBLIC_FORMS="5 per minute")
    client, slug = site.test_client(), make_event().slug
    assert [_register(client, slug, n).headers["X-RateLimit-Remaining"] for n in range(2)] == ["4", "3"]
    site.config["RATELIMIT_PUBLIC_FORMS"] = "2 per minute"
    answers = [_register(client, slug, n) for n in range(2, 5)]
    assert [answer.status_code for answer in answers] == [303, 303, 429]
    assert [answer.headers["X-RateLimit-Limit"] for answer in answers] == ["2"] * 3
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["1", "0", "0"]


def test_under_a_limit_for_the_whole_site_a_views_own_is_still_counted(limited):
    """With a limit for every request in the settings, Flask-Limiter's own check counts both:
    the view's limit refuses its fourth post and its headers are the ones shown."""
    site = limited(RATELIMIT_PUBLIC_FORMS="3 per minute", RATELIMIT_APPLICATION="100 per minute")
    client = site.test_client()
    slug = make_event().slug
    answers = [_register(client, slug, n) for n in range(4)]
    assert [answer.status_code for answer in answers] == [303, 303, 303, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
    assert {answer.headers["X-RateLimit-Limit"] for answer in answers} == {"3"}
    assert limiter.storage.get(RateLimitItemPerMinute(100).key_for("127.0.0.1", "global")) == 4


def test_a_framed_form_counts_each_post_once(limited):
    """The registration form framed on an organisation's site (rsvp.embed) is the form's own
    view, limited once: "3 per minute" lets three framed registrations through, as unframed."""
    client = limited(RATELIMIT_PUBLIC_FORMS="3 per minute").test_client()
    slug = make_event().slug
    answers = [client.post(f"/events/{slug}/embed", data={**VALID, "email": f"framed{n}@example.org"})
               for n in range(4)]
    assert [answer.status_code for answer in answers] == [303, 303, 303, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0", "0"]
