"""What sealing personal data at rest costs (rsvp.sealing): the same work sealed and in plain text.

Each measurement runs twice in the same process on the same database: once as the
app runs (every personal value sealed with AES-GCM, opened in the application), and
once with sealing turned into the identity (values stored as typed: the baseline).
  registration: the public form posted through the app (in process), per registration;
  export:       the attendee list as CSV, in name order, at 10,000 and N rows;
  search:       the organiser's list searched for a name, at 10,000 and N rows;
  sort by name: the organiser's list, first page in name order, at 10,000 and N rows;
  check-in:     the door's search by name, at 10,000 and N rows.
Search and sort by name open the sealed columns of the event's registrations in the
application, once per process (rsvp.registrations.opened): "best of 3" is the cost with
them kept opened, "opening all" the cost of opening them all (what a web process does once
per event, in the background above rsvp.registrations.opened.WAIT_AT_MOST registrations:
the list does not wait for it). Both grow with the event, which the 10,000 / N pair shows.
Usage: python bench/sealing.py [N]   (RSVP_BENCH_DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from rsvp import create_app, sealing  # noqa: E402
from rsvp.events.models import Event, EventFormat, EventStatus  # noqa: E402
from rsvp.exports import services as exports  # noqa: E402
from rsvp.extensions import db  # noqa: E402
from rsvp.registrations import checkin, opened, tracking  # noqa: E402
from rsvp.registrations.models import Registration, door_code  # noqa: E402
from rsvp.registrations.tracking import AttendeeFilter  # noqa: E402
from rsvp.timeutil import now_utc  # noqa: E402

REGISTRATIONS = 300


@contextmanager
def plain() -> Iterator[None]:
    """Sealing as the identity: what the same work costs with personal data in plain text."""
    seal = sealing.Keyring.seal
    sealing.Keyring.seal = lambda self, text: text  # type: ignore[method-assign]
    try:
        yield
    finally:
        sealing.Keyring.seal = seal  # type: ignore[method-assign]


def seed(n: int, tag: str) -> int:
    now = now_utc()
    event = Event(slug=f"bench-{tag}-{n}", title="Bench", format=EventFormat.ONLINE,
                  status=EventStatus.PUBLISHED, starts_at=now + timedelta(days=9),
                  ends_at=now + timedelta(days=9, hours=2), capacity_online=10 * n + 1000)
    db.session.add(event)
    db.session.flush()
    ring = sealing.keyring()
    for start in range(0, n, 5000):
        db.session.execute(sa.insert(Registration), [
            {"event_id": event.id, "public_id": f"{tag}{n}x{i}", "email": f"p{i}@example.org",
             "email_hash": ring.digest(f"p{i}@example.org"), "door_code": door_code(f"{tag}{n}x{i}"),
             "name": f"Person {i:06d} Ngọc",
             "organisation": f"Organisation {i % 500}", "organisation_type": "ngo", "country": "CH",
             "attendance_mode": "online", "language": "en", "captions": False,
             "accessibility_needs": "", "consent_at": now, "status": "confirmed", "token_version": 1,
             "answers": {}, "created_at": now, "updated_at": now}
            for i in range(start, min(n, start + 5000))])
        db.session.commit()
    return event.id


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    """The best of ``repeat`` runs, in seconds (the least disturbed by the machine's noise)."""
    best = float("inf")
    for _ in range(repeat):
        db.session.remove()
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def register_many(app, slug: str, tag: str) -> float:
    client = app.test_client()
    started = time.perf_counter()
    for i in range(REGISTRATIONS):
        response = client.post(f"/events/{slug}/register", data={
            "name": f"Bench Person {i}", "email": f"{tag}{i}@example.org", "organisation": "NGO",
            "organisation_type": "ngo", "country": "CH", "attendance_mode": "online",
            "consent": "y", "timezone": "Europe/Zurich"})
        assert response.status_code == 303, response.status_code
    return (time.perf_counter() - started) / REGISTRATIONS


def measures(event_id: int) -> dict[str, Callable[[], object]]:
    def event() -> Event:
        return db.session.get(Event, event_id)

    return {
        "export CSV": lambda: sum(len(c) for c in exports.write_csv(
            exports.attendee_export(event(), AttendeeFilter()))),
        "search the list": lambda: tracking.attendees(event(), AttendeeFilter(search="person 0042")),
        "list sorted by name": lambda: tracking.attendees(event(), AttendeeFilter(), "name"),
        "list, newest first (SQL)": lambda: tracking.attendees(event(), AttendeeFilter(), "newest"),
        "check-in by name": lambda: checkin.search(event(), "person 0042"),
    }


def main(n: int) -> None:
    folder = tempfile.mkdtemp()
    url = os.environ.get("RSVP_BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.db")
    os.environ["RSVP_INSTANCE_PATH"] = folder
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "MAIL_SUPPRESS_SEND": True})
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        upgrade()
        dialect = db.engine.dialect.name
        sizes = sorted({10_000, n})
        sealed_events = {size: seed(size, "s") for size in sizes}
        with plain():
            plain_events = {size: seed(size, "p") for size in sizes}
        print(f"sealing at rest, {dialect}; best of 3 runs each")

        form_event = seed(0, "form")
        slug = db.session.get(Event, form_event).slug
        sealed_s = register_many(app, slug, "sealed")
        with plain():
            plain_s = register_many(app, slug, "plain")
        print(f"registration (in process, {REGISTRATIONS} posts): sealed {sealed_s * 1000:.2f} ms, "
              f"plain {plain_s * 1000:.2f} ms, x{sealed_s / plain_s:.2f}")
        print(f"RESULT|registration sealed at rest ({dialect})|{sealed_s * 1000:.2f} ms|"
              f"plain text {plain_s * 1000:.2f} ms|{sealed_s / plain_s:.2f} (time)|-")

        for size in sizes:
            sealed_work, plain_work = measures(sealed_events[size]), measures(plain_events[size])
            opened.forget()
            ours = timed(lambda size=size: opened.opened(sealed_events[size]), repeat=1)
            with plain():
                opened.forget()
                base = timed(lambda size=size: opened.opened(plain_events[size]), repeat=1)
            print(f"{size:>7} rows, opening all names: sealed {ours * 1000:.1f} ms, "
                  f"plain {base * 1000:.1f} ms, x{ours / base:.2f}")
            print(f"RESULT|opening all names, {size} registrations, sealed ({dialect})|{ours * 1000:.0f} ms|"
                  f"plain text {base * 1000:.0f} ms|{ours / base:.2f} (time)|-")
            for what, work in sealed_work.items():
                ours = timed(work)
                with plain():
                    base = timed(plain_work[what])
                print(f"{size:>7} rows, {what}: sealed {ours * 1000:.1f} ms, plain {base * 1000:.1f} ms,"
                      f" x{ours / base:.2f}")
                print(f"RESULT|{what}, {size} registrations, sealed ({dialect})|{ours * 1000:.0f} ms|"
                      f"plain text {base * 1000:.0f} ms|{ours / base:.2f} (time)|-")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
