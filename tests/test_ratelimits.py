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
