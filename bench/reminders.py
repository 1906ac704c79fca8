"""A reminder to N confirmed registrants while people go on registering, through the real servers.

An event starting in 20 hours with its 24-hour reminder due, N confirmed
registrants (sealed as the app seals them). `rsvp serve` (4 workers, CSRF and
rate limit on) and `rsvp worker` run as in production (mail suppressed: the
worker renders and records each message but hands it to no server). While the
worker queues and sends the reminder, one visitor registers for the same
event about ten times a second; each answer's time is kept. The same
registrations measured before the pass, with the worker stopped, are the
baseline. At the end: how many reminders were sent, to how many people.

With "message", the same for "message everyone": the organisers' message to all N,
stored as the page stores it, written by the worker in batches, its progress
(N of M, as the page shows it) sampled along the way.

Usage: python bench/reminders.py [N] [message] (default 100000; set
RSVP_BENCH_DATABASE_URL for PostgreSQL too, BENCH_DATABASES=postgresql for it alone).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import http_bench as hb
import sqlalchemy as sa
from registration import PRODUCTION, form_with_token

SEED = """
from datetime import timedelta
import sqlalchemy as sa
from rsvp import sealing
from rsvp.events.models import Event, EventFormat, EventStatus
from rsvp.registrations.models import Registration, door_code
from rsvp.timeutil import now_utc
now = now_utc()
start = now + timedelta(hours=20)
event = Event(slug="bench", title="Bench event", format=EventFormat.ONLINE,
              status=EventStatus.PUBLISHED, starts_at=start, ends_at=start + timedelta(hours=2),
              reminder_offsets=%(offsets)s)
db.session.add(event)
db.session.flush()
ring = sealing.keyring()
for first in range(0, %(n)d, 5000):
    db.session.execute(sa.insert(Registration), [
        {"event_id": event.id, "public_id": f"r{i}", "email": f"p{i}@example.org",
         "email_hash": ring.digest(f"p{i}@example.org"), "door_code": door_code(f"r{i}"),
         "name": f"Person {i}", "organisation": "NGO", "organisation_type": "ngo",
         "attendance_mode": "online", "language": "en", "captions": False,
         "accessibility_needs": "", "consent_at": now - timedelta(days=3), "status": "confirmed",
         "token_version": 1, "answers": {}, "created_at": now - timedelta(days=3),
         "updated_at": now - timedelta(days=3)}
        for i in range(first, min(%(n)d, first + 5000))])
    db.session.commit()
%(job)s
"""
#: "Message everyone": the organisers' message to every confirmed registrant, stored as the
#: page stores it (a MessageJob the worker writes in batches).
MESSAGE_JOB = """
from rsvp.registrations import messaging
from rsvp.registrations.tracking import AttendeeFilter
messaging.send(event, AttendeeFilter(), messaging.Draft(subject="Room change", body="We move.",
               batch="bench"), "bench@example.org")
db.session.commit()
"""
#: Between two registrations of the visitor, in seconds.
PAUSE = 0.1
#: The pass is given up after this long (seconds).
LIMIT = int(os.environ.get("BENCH_REMINDER_LIMIT", "3600"))


@dataclass
class Latencies:
    times: list[float]
    failures: int

    def line(self) -> str:
        ordered = sorted(self.times)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (f"{len(ordered)} registrations: p50 {statistics.median(ordered) * 1000:.1f} ms, "
                f"p99 {p99 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms, "
                f"over 100 ms {sum(t > 0.1 for t in ordered)}, failed {self.failures}")


class Visitor:
    """Someone who opened the form once and registers again and again (a new address each time)."""

    def __init__(self, base: str) -> None:
        self.url = base + "/events/bench/register"
        with urllib.request.urlopen(self.url) as response:  # noqa: S310 - loopback only
            self.cookie = response.headers["Set-Cookie"].split(";", 1)[0]
            self.form = form_with_token(response.read().decode())
        self.count = 0

    def register(self) -> tuple[float, bool]:
        self.count += 1
        body = f"{self.form}&email=v{self.count}x{time.time_ns()}%40example.org".encode()
        request = urllib.request.Request(self.url, data=body, headers={
            "Cookie": self.cookie, "X-Forwarded-For": f"10.9.{self.count // 250 % 250}.{self.count % 250}",
            "Content-Type": "application/x-www-form-urlencoded"})
        started = time.perf_counter()
        try:
            urllib.request.urlopen(request)  # noqa: S310 - loopback only; a 303 ends in a 200
            ok = True
        except urllib.error.HTTPError:
            ok = False
        return time.perf_counter() - started, ok


def registrations_while(visitor: Visitor, going_on: Callable[[], bool],
                        at_most: int | None = None) -> Latencies:
    times, failures = [], 0
    while going_on() and (at_most is None or len(times) < at_most):
        seconds, ok = visitor.register()
        times.append(seconds)
        failures += not ok
        time.sleep(PAUSE)
    return Latencies(times, failures)


def reminders(engine: sa.Engine, email: str = "reminder") -> tuple[int, int, int]:
    """(queued, sent, distinct people sent to) of the reminder (or of the ``email``)."""
    with engine.connect() as connection:
        return tuple(connection.execute(sa.text(  # type: ignore[return-value]
            "SELECT count(*), count(*) FILTER (WHERE status = 'sent'), "
            "count(DISTINCT recipient_hash) FILTER (WHERE status = 'sent') "
            "FROM outbox_messages WHERE kind = :kind"), {"kind": email}).one())


def progress(engine: sa.Engine) -> tuple[str, int, int] | None:
    """The message job's (status, queued, total), as the organisers' page shows it."""
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT status, queued, total FROM message_jobs")).first()
    return None if row is None else (row[0], row[1], row[2])


def run(kind: str, url: str, n: int, message: bool = False) -> list[str]:
    folder = tempfile.mkdtemp()
    app_url = hb.fresh_database(kind, url, folder, "rsvp")
    started = time.perf_counter()
    email = "organiser-message" if message else "reminder"
    hb.migrate_and_seed(app_url, folder, SEED % {"n": n, "offsets": "[]" if message else "[1440]",
                                                 "job": MESSAGE_JOB if message else ""})
    seeded = time.perf_counter() - started
    engine = sa.create_engine(app_url)
    command, env = hb.rsvp_server(app_url, folder, PRODUCTION)
    what = "message to everyone" if message else "reminder"
    lines = [f"{what} to {n} confirmed registrants, {kind} (seeded in {seeded:.0f} s)"]
    shown: list[str] = []
    with hb.serving(command, env, "/healthz") as base:
        visitor = Visitor(base)
        registrations_while(visitor, lambda: True, 20)  # warm up
        calm = registrations_while(visitor, lambda: True, 100)
        lines.append(f"  before the pass (load average {os.getloadavg()[0]:.1f}): {calm.line()}")
        worker = subprocess.Popen([str(hb.BIN / "rsvp"), "worker", "--poll", "0.5"],
                                  env={**os.environ, **env}, cwd=hb.BENCH,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        began = time.perf_counter()
        loads: list[float] = []

        def going_on() -> bool:
            if len(loads) % 20 == 0:
                loads.append(os.getloadavg()[0])
                if message and len(loads) % 200 == 1 and (state := progress(engine)):
                    shown.append(f"{time.perf_counter() - began:.0f} s: {state[0]} {state[1]} of {state[2]}")
                queued, sent, _people = reminders(engine, email)
                job = progress(engine) if message else None
                # A message also reaches whoever registered before its batch was written.
                done = sent >= n and (job is None or (job[0] == "sent" and sent == queued))
                return not done and time.perf_counter() - began < LIMIT
            loads.append(loads[-1])
            return True

        during = registrations_while(visitor, going_on)
        took = time.perf_counter() - began
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:  # stopped at LIMIT, deep in a pass: the figures matter
            worker.kill()
            worker.wait(timeout=60)
    queued, sent, people = reminders(engine, email)
    if message:
        lines.append(f"  the job as the page shows it: {'; '.join(shown)}; at the end {progress(engine)}")
    engine.dispose()
    lines += [f"  during the pass (load average {min(loads):.1f}-{max(loads):.1f}): {during.line()}",
              f"  pass: {took:.0f} s; {email} emails queued {queued}, sent {sent}, to {people} people "
              f"(each once: {queued == sent == people and sent >= n}; "
              f"{sent - n} of them registered during the pass)",
              f"RESULT|registration during a {what} to {n} ({kind})|p50 "
              f"{statistics.median(during.times) * 1000:.0f} ms, p99 "
              f"{sorted(during.times)[int(len(during.times) * 0.99)] * 1000:.0f} ms, max "
              f"{max(during.times) * 1000:.0f} ms|before the pass p50 "
              f"{statistics.median(calm.times) * 1000:.0f} ms, max {max(calm.times) * 1000:.0f} ms|"
              f"{sent} sent to {people} in {took:.0f} s|<= 100 ms"]
    return lines


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    everyone = sys.argv[2:3] == ["message"]
    only = os.environ.get("BENCH_DATABASES", "")  # e.g. "postgresql": one of them only
    for kind, url in hb.databases():
        if not only or kind in only.split(","):
            print("\n".join(run(kind, url, size, everyone)), flush=True)
