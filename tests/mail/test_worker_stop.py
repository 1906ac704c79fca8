"""A worker told to stop (SIGTERM) stops within a batch, not at the end of a pass of thousands.

What it sent is recorded as sent; what it claimed and did not send goes back at once (not
after its lease), and the next worker sends it: every recipient gets one message, whichever
worker it came from. In process (the pass and the reminder queueing asked to stop) and with
real `rsvp worker` processes and a slow SMTP server, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa

from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.mail.models import OutboxMessage, OutboxStatus
from rsvp.mail.outbox import Rendered, queue_rendered
from rsvp.registrations import reminders
from rsvp.registrations.models import Registration
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration
from tests.mail.test_reminders_while_registering import workers

HELLO = Rendered("Hello", "A word from the organisers.", "<p>A word from the organisers.</p>")


def queue(count: int) -> list[str]:
    """``count`` messages queued to as many people; their addresses."""
    addresses = [f"s{n}@example.org" for n in range(count)]
    for address in addresses:
        queue_rendered("organiser-message", HELLO, to=address)
    db.session.commit()
    return addresses


def rows() -> dict[str, tuple[OutboxStatus, str | None, int]]:
    """Each message's status, claim and attempts, by recipient, as the database has them now."""
    db.session.remove()
    return {recipient: (status, claim, attempts) for recipient, status, claim, attempts
            in db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.status,
                                            OutboxMessage.claim, OutboxMessage.attempts))}


def after(calls: int) -> Callable[[], bool]:
    """A stop request that comes at the ``calls``-th time it is asked, and stays."""
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= calls
    return stop


def test_a_pass_asked_to_stop_mid_batch_records_what_it_sent_and_gives_back_the_rest(app, live_db,
                                                                                      smtp):
    addresses = queue(30)
    now = now_utc()

    result = worker.send_pending(now, batch_size=10,
                                 stop=lambda: len(smtp.inbox.messages) >= 4)

    assert result.sent == 4  # it stopped inside its first batch of ten
    received = [m["To"] for m in smtp.inbox.messages]
    state = rows()
    assert {a for a, (status, _c, _n) in state.items() if status is OutboxStatus.SENT} == set(received)
    # The six claimed and not sent are free again at once, claim and lease cleared, with the rest.
    assert {state[a] for a in addresses if a not in received} == {(OutboxStatus.QUEUED, None, 0)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.lease_expires_at.is_not(None))) == 0

    assert worker.send_pending(now, batch_size=10).sent == 26  # the same moment: no lease to wait for
    assert Counter(m["To"] for m in smtp.inbox.messages) == Counter(addresses)


def test_a_message_given_back_after_a_failed_try_stays_a_retry(app, live_db, smtp):
    (address,) = queue(1)
    smtp.inbox.reply = "451 try again later"
    assert worker.send_pending().retried == 1
    smtp.inbox.reply = None
    later = now_utc() + timedelta(hours=1)

    # Not asked before the claim, asked before the first message: the claim goes back unsent.
    assert worker.send_pending(later, stop=after(2)).sent == 0

    assert rows() == {address: (OutboxStatus.RETRY, None, 1)}
    assert smtp.inbox.messages == []
    assert worker.send_pending(later).sent == 1


def test_a_pass_asked_to_stop_claims_nothing(app, live_db, smtp):
    queue(5)
    assert worker.send_pending(stop=lambda: True).sent == 0
    assert {status for status, _c, _n in rows().values()} == {OutboxStatus.QUEUED}


def test_reminder_queueing_asked_to_stop_ends_between_batches_and_the_next_pass_goes_on(
        app, live_db, monkeypatch):
    monkeypatch.setattr(reminders, "REMINDER_BATCH", 5)
    start = now_utc().replace(microsecond=0) + timedelta(hours=20)
    event = make_event(starts_at=start, reminder_offsets=[1440])
    for n in range(12):
        make_registration(event, email=f"r{n}@example.org", created_at=start - timedelta(days=3))
    db.session.commit()
    now = now_utc()

    assert reminders.enqueue_due_reminders(now, stop=after(2)) == 5  # one batch, then the stop
    assert reminders.enqueue_due_reminders(now) == 7
    db.session.remove()
    keys = db.session.scalars(sa.select(OutboxMessage.dedupe_key)).all()
    assert len(keys) == len(set(keys)) == db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration)) == 12


#: Messages queued for the worker process told to stop mid-pass, and its claims' size.
MANY = 2000
CLAIM = 50
#: Long enough that a claim not given back would hold its messages past the test's every wait.
LEASE_SECONDS = 3600


def received(smtp) -> Counter[str]:
    return Counter(m["To"] for m in smtp.inbox.messages)


def test_a_worker_process_told_to_stop_mid_pass_exits_and_the_next_sends_the_rest_once(
        app, live_db, smtp):
    addresses = queue(MANY)
    smtp.inbox.delay = 0.01  # a slow server: the pass would last a while

    with workers(app, smtp, claim=CLAIM, lease_seconds=LEASE_SECONDS) as start:
        first = start()
        deadline = time.monotonic() + 120
        while len(smtp.inbox.messages) < 2 * CLAIM + 7 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGTERM)  # mid-pass, most likely mid-batch
        stopped = time.monotonic() + 120
        while first.poll() is None and time.monotonic() < stopped:
            time.sleep(0.05)

        assert first.poll() == 0, "the worker did not exit by itself after SIGTERM"
        before = received(smtp)
        assert 2 * CLAIM + 7 <= sum(before.values()) < MANY, "the pass was not stopped mid-way"
        state = rows()
        # What it sent is recorded as sent; nothing stays claimed by the stopped worker.
        assert {a for a, (status, _c, _n) in state.items() if status is OutboxStatus.SENT} == set(before)
        assert {claim for _s, claim, _n in state.values()} == {None}
        assert {status for a, (status, _c, _n) in state.items()
                if a not in before} == {OutboxStatus.QUEUED}

        smtp.inbox.delay = 0.0
        start()  # another worker: what the first gave back is due at once, not in an hour
        deadline = time.monotonic() + 300
        while sum(received(smtp).values()) < MANY and time.monotonic() < deadline:
            time.sleep(0.1)

    assert received(smtp) == Counter(addresses)  # every recipient exactly once
    assert {status for status, _c, _n in rows().values()} == {OutboxStatus.SENT}
