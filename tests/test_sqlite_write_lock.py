"""SQLite's one writer: a request queues for the write lock, then goes through or is told to retry."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from rsvp import db as rsvp_db
from rsvp import writequeue
from rsvp.extensions import db
from rsvp.registrations.models import Registration
from tests.factories import make_event
from tests.registrations.test_views import VALID

pytestmark = pytest.mark.skipif(bool(os.environ.get("RSVP_TEST_DATABASE_URL")),
                                reason="SQLite's write lock")


def hold_write_lock(seconds: float) -> threading.Thread:
    """Another process's writer: takes the lock now, lets it go after ``seconds``."""
    taken = threading.Event()
    path = db.engine.url.database

    def writer() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    taken.wait(5)
    return thread


def hold_queue(app, seconds: float) -> threading.Thread:
    """Another of the app's writers (a worker, another request): first in the writers' queue."""
    taken = threading.Event()

    def writer() -> None:
        with app.app_context(), rsvp_db.writing(), db.engine.connect() as connection:
            with connection.begin():
                connection.execute(sa.text("UPDATE events SET summary = summary || '.'"))
                taken.set()
                time.sleep(seconds)

    thread = threading.Thread(target=writer)
    thread.start()
    taken.wait(5)
    return thread


def registrations() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_a_registration_waits_for_the_lock_and_goes_through(app, live_db):
    slug = make_event().slug
    db.session.commit()  # the request must start its own transactions, as in a server
    writer = hold_write_lock(0.5)
    try:
        response = app.test_client().post(f"/events/{slug}/register", data=VALID)
    finally:
        writer.join()
    assert response.status_code == 303
    assert registrations() == 1


@pytest.mark.parametrize("holder", ["outside the queue", "first in the queue"])
def test_a_registration_that_cannot_get_the_lock_in_time_is_told_to_retry(app, live_db,
                                                                          monkeypatch, holder):
    """Held by a writer that does not queue (the sqlite3 shell) or by another of the app's own."""
    slug = make_event().slug
    db.session.commit()  # the request must start its own transactions, as in a server
    monkeypatch.setattr(writequeue, "WRITE_LOCK_WAIT_SECONDS", 0.3)
    writer = hold_write_lock(1.5) if holder == "outside the queue" else hold_queue(app, 1.5)
    try:
        response = app.test_client().post(f"/events/{slug}/register", data=VALID)
    finally:
        writer.join()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert registrations() == 0
    # The wait that gave up left the queue: the next person is not stuck behind it.
    again = app.test_client().post(f"/events/{slug}/register",
                                   data={**VALID, "email": "next@example.org"})
    assert again.status_code == 303
    assert registrations() == 1


def test_work_outside_requests_that_reads_then_writes_queues_for_the_lock(app, live_db):
    """The worker's duties read, then write: another process committing in between must not fail them."""
    event = make_event()
    db.session.commit()

    path = db.engine.url.database

    def commit_a_write() -> None:
        connection = sqlite3.connect(path, isolation_level=None, timeout=10)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE events SET summary = summary || '.'")
        connection.execute("COMMIT")
        connection.close()

    def other_process_writes() -> threading.Thread:
        thread = threading.Thread(target=commit_a_write)
        thread.start()
        time.sleep(0.2)  # it commits now, or waits for our lock
        return thread

    with rsvp_db.writing():
        assert registrations() == 0  # a read begins the transaction
        other = other_process_writes()
        db.session.execute(sa.update(type(event)).where(type(event).id == event.id)
                           .values(title="Renamed by the worker"))
        db.session.commit()
    other.join()

    db.session.execute(sa.select(sa.func.count()).select_from(Registration))  # deferred, as before
    other = other_process_writes()
    with pytest.raises(sa.exc.OperationalError, match="locked"):
        db.session.execute(sa.update(type(event)).where(type(event).id == event.id)
                           .values(title="Refused"))
    db.session.rollback()
    other.join()


def test_a_page_that_records_its_viewing_waits_for_the_worker_instead_of_failing(app, live_db,
                                                                                 monkeypatch):
    """The registrations list reads, then writes 'viewed the list' to the audit log: the email
    worker committing in between must not turn the organiser's page into "try again" (503)."""
    from rsvp.auth.models import Role
    from rsvp.registrations import tracking
    from tests.auth.conftest import log_in
    from tests.factories import grant_role, make_organiser

    event = make_event()
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    event_id, email = event.public_id, organiser.email
    db.session.commit()
    path = db.engine.url.database
    listed = tracking.attendees

    def listed_while_the_worker_commits(*args, **kwargs):
        page = listed(*args, **kwargs)
        worker = sqlite3.connect(path, isolation_level=None, timeout=10)
        worker.execute("BEGIN IMMEDIATE")
        worker.execute("UPDATE events SET summary = summary || '.'")
        worker.execute("COMMIT")
        worker.close()
        return page

    client = app.test_client()
    log_in(client, email)
    db.session.remove()  # the test client shares the test's session; a server ends it per request
    monkeypatch.setattr(tracking, "attendees", listed_while_the_worker_commits)
    assert client.get(f"/manage/events/{event_id}/registrations").status_code == 200


def test_a_registration_queued_behind_another_writer_asks_for_the_lock_once(app, live_db,
                                                                             monkeypatch):
    """It sleeps in the queue until the other writer commits, instead of asking SQLite again and
    again (every millisecond, as it did: a fifth of a busy worker's time)."""
    slug = make_event().slug
    db.session.commit()
    asked = []
    execute = sqlite3.Connection.execute

    def counting(self, sql, *args):
        if sql.startswith("BEGIN IMMEDIATE"):
            asked.append(sql)
        return execute(self, sql, *args)

    monkeypatch.setattr(writequeue.QueueingConnection, "execute", counting)
    writer = hold_queue(app, 0.5)
    try:
        response = app.test_client().post(f"/events/{slug}/register", data=VALID)
        still_holding = writer.is_alive()
    finally:
        writer.join()
    assert response.status_code == 303
    assert registrations() == 1
    assert len(asked) == 2 and not still_holding  # the other writer's, then once for the registration


def test_a_registration_read_before_another_process_wrote_takes_the_lock_for_its_writes(
        app, live_db, monkeypatch):
    """Between the form's reading and its writing (rsvp.db.writes_next), another process commits
    a write: the registration goes through all the same, and from then on it holds the write
    lock until its commit (the reads' transaction ended and the writes' began IMMEDIATE, on the
    request's own connection)."""
    from rsvp.registrations.views import public

    slug = make_event().slug
    db.session.commit()
    path = db.engine.url.database
    locked_out = []

    def another_process_writes_first(session):
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("UPDATE events SET summary = 'changed meanwhile'")
        rsvp_db.writes_next(session)
        try:
            other.execute("PRAGMA busy_timeout=0")
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError as refused:
            locked_out.append(str(refused))
        finally:
            other.close()

    monkeypatch.setattr(public, "writes_next", another_process_writes_first)
    response = app.test_client().post(f"/events/{slug}/register", data=VALID)

    assert response.status_code == 303
    assert registrations() == 1
    assert locked_out == ["database is locked"]
    assert db.session.scalar(sa.text("SELECT summary FROM events")) == "changed meanwhile"


def test_the_writers_queue_lets_one_writer_in_at_a_time_round_after_round(tmp_path):
    """Four connections, each taking the writers' lock 150 times, mostly by waiting its turn
    (its waiter thread, kept for the connection's life, asked again each time): never two
    holders at once, every turn taken, none given up."""
    path = str(tmp_path / "queue.db")
    holders: list[int] = []
    overlaps: list[int] = []
    turns: list[int] = []

    def writer(number: int) -> None:
        connection = sqlite3.connect(path, factory=writequeue.QueueingConnection,
                                     check_same_thread=False)
        connection.queue_at(writequeue.write_lock_path(path))
        for _ in range(150):
            assert connection.queue_for_writing(time.monotonic() + 10)
            holders.append(number)
            if len(holders) > 1:
                overlaps.append(number)
            time.sleep(0.0002)  # long enough for the others to queue behind
            holders.remove(number)
            turns.append(number)
            connection.let_go()
        connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not overlaps
    assert sorted(turns) == sorted(list(range(4)) * 150)
