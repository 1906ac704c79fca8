"""Scale-out: two `rsvp serve` instances (two gunicorn workers each) behind one nginx, on one
PostgreSQL database, the rate limits in one Redis, and `rsvp worker` in a process of its own,
as deploy/nginx/rsvp.conf's upstream describes it.

A burst of registrations from many visitors, through both servers, for an event with a few
seats: exactly that many confirmed, the rest waitlisted, one confirmation email each. One
visitor sending more than the limit allows, spread over both servers and their four workers:
exactly the limit accepted, not the limit once per process. A reminder falling due during the
test: sent once to each confirmed registrant, by the one worker.

PostgreSQL only: servers on several machines share a database server, never a SQLite file. On
SQLite, several processes on one file is what every served test already runs (`rsvp serve` with
two workers, and the worker), and a second instance on the same machine would add nothing.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.timeutil import now_utc
from tests.factories import make_event
from tests.served.conftest import RSVP, Served, launch, setting_up, stop

SERVERS = 2
SEATS = 5
#: Visitors registering at once for the event with SEATS seats, each from their own address.
CROWD = 24
#: The public forms' limit per address (production's is 30 a minute), and one visitor's attempts.
LIMIT = 6
ATTEMPTS = 16


@pytest.fixture(scope="module")
def site(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("scale-out shares a PostgreSQL server (set RSVP_TEST_DATABASE_URL); on SQLite, "
                    "several processes on one file is what every served test already runs")
    if not Path(RSVP).exists():
        pytest.skip(f"{RSVP} not found: install the project (make install)")
    served = launch(app, tmp_path_factory.mktemp("scale-out"), "nginx", servers=SERVERS,
                    RSVP_RATELIMIT_PUBLIC_FORMS=f"{LIMIT} per minute")
    try:
        yield served
    finally:
        stop(served.processes)


def register(served: Served, slug: str, n: int, source: str) -> int:
    """One visitor from ``source``: the form, then the form sent (each may reach either server)."""
    visitor = served.visitor(source=source)
    try:
        page = visitor.get(f"/events/{slug}/register")
        assert page.status_code == 200, page.text[:1000]
        return visitor.submit(page, f"/events/{slug}/register", {
            "name": f"Delegate {n}", "email": f"{slug}-{n}@example.org",
            "organisation_type": "ngo", "consent": "y"}).status_code
    finally:
        visitor.close()


def servers_of(served: Served, slug: str) -> Counter[str]:
    """How many of the registrations sent for ``slug`` each server answered (nginx's log)."""
    log = (served.instance.parent / "nginx" / "access.log").read_text()
    return Counter(found.group(1) for found in re.finditer(
        rf"^(\S+) \S+ \d+ POST /events/{re.escape(slug)}/register$", log, re.MULTILINE))


def statuses(event_id: int) -> dict[RegistrationStatus, int]:
    db.session.rollback()  # see what the servers committed since
    return dict(db.session.execute(
        sa.select(Registration.status, sa.func.count()).where(Registration.event_id == event_id)
        .group_by(Registration.status)).all())


def addresses(event_id: int, status: RegistrationStatus) -> set[str]:
    db.session.rollback()
    return {r.email for r in db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event_id, Registration.status == status))}


def received(served: Served, subject: str) -> Counter[str]:
    """Emails the mail catcher received whose subject starts with ``subject``, by recipient."""
    return Counter(str(m["To"]) for m in served.emails() if str(m["Subject"]).startswith(subject))


def wait_until(done: Callable[[], bool], served: Served, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"{what} not within {timeout} s\n{served.logs()}"
        time.sleep(0.2)


def outbox_empty() -> bool:
    db.session.rollback()
    return not db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status != OutboxStatus.SENT))


def test_two_servers_one_database_one_redis_one_worker(site, live_db):
    with setting_up():
        small = make_event(capacity_online=SEATS, waitlist_enabled=True)
        large = make_event(capacity_online=100)
        small_slug, small_id, small_title = small.slug, small.id, small.title
        large_slug, large_id = large.slug, large.id

    # The crowd, each visitor from an address of their own: the limit holds no one back.
    with ThreadPoolExecutor(max_workers=12) as pool:
        crowd = list(pool.map(lambda n: register(site, small_slug, n, f"127.0.4.{n + 1}"), range(CROWD)))
    assert crowd == [303] * CROWD
    assert statuses(small_id) == {RegistrationStatus.CONFIRMED: SEATS,
                                  RegistrationStatus.WAITLISTED: CROWD - SEATS}
    assert set(servers_of(site, small_slug)) == set(_upstreams(site))

    # One visitor, more often than the limit allows, spread over both servers' workers.
    with ThreadPoolExecutor(max_workers=8) as pool:
        one = list(pool.map(lambda n: register(site, large_slug, n, "127.0.5.1"), range(ATTEMPTS)))
    assert Counter(one) == {303: LIMIT, 429: ATTEMPTS - LIMIT}, one
    assert statuses(large_id) == {RegistrationStatus.CONFIRMED: LIMIT}
    assert len(servers_of(site, large_slug)) == SERVERS, servers_of(site, large_slug)

    # One email each, confirmations to the seated, by the one worker.
    confirmed = addresses(small_id, RegistrationStatus.CONFIRMED) | addresses(
        large_id, RegistrationStatus.CONFIRMED)
    waitlisted = addresses(small_id, RegistrationStatus.WAITLISTED)
    wait_until(outbox_empty, site, "every email sent")
    assert received(site, "Registration confirmed") == dict.fromkeys(confirmed, 1)
    assert Counter(str(m["To"]) for m in site.emails()) == dict.fromkeys(confirmed | waitlisted, 1)

    # The small event now starts in a minute and a few seconds: its one reminder, a minute
    # before the start, falls due in a few seconds, for those who registered before.
    with setting_up():
        event = db.session.get(Event, small_id)
        event.starts_at = now_utc().replace(microsecond=0) + timedelta(minutes=1, seconds=4)
        event.ends_at = event.starts_at + timedelta(minutes=90)
        event.reminder_offsets = [1]
    seated = addresses(small_id, RegistrationStatus.CONFIRMED)
    wait_until(lambda: len(received(site, "Reminder")) == SEATS and outbox_empty(), site,
               "the reminders")
    time.sleep(1)  # a few more passes of the worker: none sends it again
    assert received(site, "Reminder") == dict.fromkeys(seated, 1)
    reminders = [str(m["Subject"]) for m in site.emails() if str(m["Subject"]).startswith("Reminder")]
    assert all(small_title in subject for subject in reminders), reminders

    failed = [p.name for p in site.processes if "Traceback" in p.output()]
    if failed:
        sys.stderr.write(site.logs())
    assert not failed, f"a server process failed: {failed}"


def _upstreams(served: Served) -> list[str]:
    """The servers nginx's upstream names, as its log writes them (127.0.0.1:port)."""
    text = (served.instance.parent / "nginx" / "rsvp.conf").read_text()
    return list(re.findall(r"^\s+server (127\.0\.0\.1:\d+);$", text, re.MULTILINE))
