"""Rate limits on the embedded default count once for every process of the machine
(rsvp.ratelimits): two storages on one file, and forked processes, see each other's counts."""

from __future__ import annotations

import multiprocessing

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from rsvp import create_app, ratelimits


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


def test_the_default_counts_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("RSVP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("RSVP_SECRET_KEY", "x")
    monkeypatch.setenv("RSVP_PUBLIC_BASE_URL", "https://events.example.org")
    monkeypatch.setenv("RSVP_DATA_KEYS", "dGVzdGluZyBrZXk6IG5ldmVyIHVzZWQgYW55d2hlcmU=")
    app = create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["RATELIMIT_STORAGE_URI"] == f"rsvp-sqlite://{tmp_path}/ratelimits.sqlite"


def _limited_app(app, tmp_path, **settings):
    return create_app({"ENV": "testing", "SERVER_NAME": None, "RATELIMIT_ENABLED": True,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "RATELIMIT_STORAGE_URI": ratelimits.uri_for(str(tmp_path)),
                       "WTF_CSRF_ENABLED": False, **settings})


def test_a_limit_for_every_page_from_the_settings_still_applies(app, db_session, tmp_path):
    """The check before each view is skipped where no limit could apply: a limit the settings
    give every page (RATELIMIT_DEFAULT) still refuses the request after the last allowed."""
    from rsvp.extensions import limiter

    limited = _limited_app(app, tmp_path, RATELIMIT_DEFAULT="3 per minute")
    limiter.reset()
    try:
        client = limited.test_client()
        assert [client.get("/").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert "Retry-After" in client.get("/").headers
    finally:
        limiter.reset()
        limiter.enabled = False


def test_a_views_own_limit_counts_each_request_once(app, db_session, tmp_path):
    """Five posts under "5 per minute" all pass, the sixth is refused, and the answers say how
    many remain: each request counted once, by the view's own limit."""
    from rsvp.extensions import limiter

    limited = _limited_app(app, tmp_path, RATELIMIT_PUBLIC_FORMS="5 per minute")
    limiter.reset()
    try:
        client = limited.test_client()
        answers = [client.post("/my-registrations", data={"email": "a@example.org"})
                   for _ in range(6)]
        assert [answer.status_code for answer in answers] == [200] * 5 + [429]
        assert [answer.headers.get("X-RateLimit-Remaining") for answer in answers[:5]] == \
            ["4", "3", "2", "1", "0"]
        assert client.get("/").status_code == 200  # pages without a limit are not counted
    finally:
        limiter.reset()
        limiter.enabled = False
