"""A real `rsvp worker` process: killed mid-batch, every message still arrives; it runs at a lower
CPU priority than the pages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.mail.outbox import queue_email
from rsvp.timeutil import now_utc
from tests.factories import make_event

BATCH = 20


def test_worker_killed_mid_batch_loses_nothing(app, live_db, smtp):
    event = make_event()
    for n in range(200):
        queue_email("registration-cancelled", to=f"k{n}@example.org", event=event,
                    registration={"name": f"K{n}"}, when_event="", when_extra=[], when_yours=None,
                    where="", languages="", manage_url="", join_url=None, event_url="")
    db.session.commit()

    env = {**os.environ, "RSVP_ENV": "testing",
           "RSVP_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
           "RSVP_MAIL_SERVER": "127.0.0.1", "RSVP_MAIL_PORT": str(smtp.port),
           "RSVP_MAIL_BATCH_SIZE": str(BATCH)}
    process = subprocess.Popen([sys.executable, "-m", "rsvp.cli", "worker", "--poll", "0.2"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(smtp.inbox.messages) < 30 and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)  # no chance to finish or record anything
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    delivered_before = len(smtp.inbox.messages)
    assert 30 <= delivered_before < 200, "the worker was not killed mid-run"

    lease = timedelta(seconds=app.config["MAIL_LEASE_SECONDS"])
    worker.send_pending(now_utc() + lease + timedelta(seconds=1))
    counts = Counter(m["To"] for m in smtp.inbox.messages)
    assert set(counts) == {f"k{n}@example.org" for n in range(200)}  # nothing lost
    duplicates = sum(c - 1 for c in counts.values())
    assert duplicates <= BATCH  # at most the batch in flight when it died


def worker_niceness(app, **settings: str) -> int:
    """The niceness of a real `rsvp worker` once it says it is sending (then stopped)."""
    env = {**os.environ, "RSVP_ENV": "testing",
           "RSVP_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **settings}
    process = subprocess.Popen([sys.executable, "-m", "rsvp.cli", "worker", "--poll", "5"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "sending email" in process.stdout.readline()
        return os.getpriority(os.PRIO_PROCESS, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_the_worker_yields_the_cpu_to_the_pages_people_wait_for(app, live_db):
    # A reminder pass on a machine that also serves pages: the worker runs at a lower priority
    # (10 by default), so a registration meanwhile waits for its turn less (bench/reminders.py).
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert worker_niceness(app) == min(19, ours + 10)
    assert worker_niceness(app, RSVP_MAIL_WORKER_NICE="3") == min(19, ours + 3)
    assert worker_niceness(app, RSVP_MAIL_WORKER_NICE="0") == ours
