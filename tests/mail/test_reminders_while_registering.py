"""A reminder pass, and "message everyone", by two workers at once while people go on
registering, one of the workers killed mid-pass (SQLite and PostgreSQL, a real SMTP server).

Each batch of recipients is read without the write lock and written in one
statement that skips keys already queued: two workers racing over the same
batches, and registrations taking the lock between them, must still leave
each registrant exactly one reminder, sent once, and every registration taken.
A worker killed (SIGKILL: no chance to record anything) leaves its claimed
messages and its job to the others once its lease runs out; what it had sent
without recording it yet (SENT_MARKS at most) is the only email that can go twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.jobs import deliver_due
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.mail.worker import SENT_MARKS
from rsvp.registrations import messaging, reminders
from rsvp.registrations.models import MessageJob, Registration
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration
from tests.registrations.test_concurrency import FORM

REGISTRANTS = 45
NEWCOMERS = 24


def test_each_registrant_is_reminded_once_while_others_register(app, live_db, smtp, monkeypatch):
    monkeypatch.setattr(reminders, "REMINDER_BATCH", 7)  # many short batches, for the others to cut in
    monkeypatch.setattr(reminders, "REMINDER_WRITES", 3)
    start = now_utc().replace(microsecond=0) + timedelta(hours=20)
    event = make_event(starts_at=start, reminder_offsets=[1440])
    for n in range(REGISTRANTS):
        make_registration(event, email=f"p{n}@example.org", created_at=start - timedelta(days=3))
    slug, event_id = event.slug, event.id
    db.session.commit()
    db.session.remove()

    def worker() -> int:
        with app.app_context():
            try:
                return deliver_due(now_utc()).sent
            finally:
                db.session.remove()

    def register(n: int) -> int:
        with app.test_client() as client:
            return client.post(f"/events/{slug}/register",
                               data={**FORM, "email": f"new{n}@example.org"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        workers = [pool.submit(worker) for _ in range(2)]
        statuses = list(pool.map(register, range(NEWCOMERS)))
        for running in workers:
            running.result()
    # The messages queued during a pass are due from its next one; then nothing more is sent.
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _n: worker(), range(2)))
    assert worker() == 0

    assert statuses == [303] * NEWCOMERS  # nobody was told to try again
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id)) == REGISTRANTS + NEWCOMERS
    queued = db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.status).where(
        OutboxMessage.kind == "reminder")).all()
    assert sorted(r for r, _status in queued) == sorted(f"p{n}@example.org" for n in range(REGISTRANTS))
    assert {status for _r, status in queued} == {OutboxStatus.SENT}
    received = Counter(message["To"] for message in smtp.inbox.messages)
    # Each registrant received one email, their reminder; each newcomer their confirmation only.
    assert received == Counter({f"p{n}@example.org": 1 for n in range(REGISTRANTS)}
                               | {f"new{n}@example.org": 1 for n in range(NEWCOMERS)})


#: Registrants of the passes a worker process is killed in, and its claims' size.
PEOPLE = 150
CLAIM = 10
#: Seconds a killed worker's claims stay its own.
LEASE_SECONDS = 3


@contextmanager
def workers(app, smtp, claim: int = CLAIM,
            lease_seconds: int = LEASE_SECONDS) -> Iterator[Callable[[], subprocess.Popen]]:
    """Start real `rsvp worker` processes on the test's database and SMTP server, claiming
    ``claim`` messages at a time; every one still running at the end is stopped."""
    env = {**os.environ, "RSVP_ENV": "testing",
           "RSVP_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
           "RSVP_MAIL_SERVER": "127.0.0.1", "RSVP_MAIL_PORT": str(smtp.port),
           "RSVP_MAIL_BATCH_SIZE": str(claim), "RSVP_MAIL_LEASE_SECONDS": str(lease_seconds)}
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        started.append(subprocess.Popen([sys.executable, "-m", "rsvp.cli", "worker", "--poll", "0.2"],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return started[-1]

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
        for process in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def register(app, slug: str, email: str) -> int:
    with app.test_client() as client:
        return client.post(f"/events/{slug}/register", data={**FORM, "email": email}).status_code


def to_registrants(smtp) -> list[str]:
    """The addresses of what arrived for the registrants made before the pass (p0, p1, …)."""
    return [m["To"] for m in smtp.inbox.messages if m["To"].startswith("p")]


def kill_mid_pass(app, smtp, slug: str, done: Callable[[], bool]) -> list[int]:
    """Two workers; once some emails reached the registrants, one is killed and another started; people
    register all along. The registrations' answers, once ``done()`` (bounded wait)."""
    statuses = []
    with workers(app, smtp) as start:
        doomed, _other = start(), start()
        deadline = time.monotonic() + 120
        while len(to_registrants(smtp)) < 3 * CLAIM and time.monotonic() < deadline:
            statuses.append(register(app, slug, f"during{len(statuses)}@example.org"))
        doomed.send_signal(signal.SIGKILL)  # mid-pass: claims and a job held, nothing recorded
        doomed.wait(timeout=30)
        assert len(to_registrants(smtp)) < PEOPLE, "the pass ended before the worker was killed"
        start()  # the restarted worker
        while not done() and time.monotonic() < deadline + 120:
            statuses.append(register(app, slug, f"during{len(statuses)}@example.org"))
            time.sleep(0.2)
    return statuses


def sent_once_each(smtp, kind: str, addresses: list[str]) -> None:
    """One outbox row per person, sent; every one received it; only what the killed worker had
    sent without recording (SENT_MARKS at most) arrived twice."""
    db.session.remove()
    rows = db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.status)
                              .where(OutboxMessage.kind == kind)).all()
    assert sorted(r for r, _status in rows) == sorted(addresses)
    assert {status for _r, status in rows} == {OutboxStatus.SENT}
    received = Counter(to_registrants(smtp))
    assert set(received) == set(addresses)
    assert sum(count - 1 for count in received.values()) <= SENT_MARKS


def all_sent(kind: str, expected: int) -> Callable[[], bool]:
    def done() -> bool:
        db.session.remove()
        return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == kind, OutboxMessage.status == OutboxStatus.SENT)) == expected
    return done


def test_a_worker_killed_mid_reminder_pass_leaves_each_registrant_one_reminder(app, live_db, smtp):
    start = now_utc().replace(microsecond=0) + timedelta(hours=20)
    event = make_event(starts_at=start, reminder_offsets=[1440])
    addresses = [f"p{n}@example.org" for n in range(PEOPLE)]
    for address in addresses:
        make_registration(event, email=address, created_at=start - timedelta(days=3))
    slug = event.slug
    db.session.commit()

    statuses = kill_mid_pass(app, smtp, slug, all_sent("reminder", PEOPLE))

    assert statuses and set(statuses) == {303}  # everyone who registered meanwhile got in
    sent_once_each(smtp, "reminder", addresses)


def test_message_everyone_with_a_worker_killed_mid_job_reaches_each_person_once(app, live_db, smtp):
    event = make_event(capacity_online=1000)
    addresses = [f"p{n}@example.org" for n in range(PEOPLE)]
    for address in addresses:
        make_registration(event, email=address)
    slug = event.slug
    job = messaging.send(event, AttendeeFilter(), messaging.Draft("Room change", "We move.", "b1"),
                         "owner@example.org")
    assert job is not None and job.total == PEOPLE
    db.session.commit()

    statuses = kill_mid_pass(app, smtp, slug, all_sent("organiser-message", PEOPLE))

    assert statuses and set(statuses) == {303}
    sent_once_each(smtp, "organiser-message", addresses)  # not those who registered meanwhile
    job = db.session.scalars(sa.select(MessageJob)).one()
    assert (job.status.value, job.queued, job.total) == ("sent", PEOPLE, PEOPLE)
