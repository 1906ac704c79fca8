"""Organiser pages at 1,000 / 10,000 / 100,000 registrations: is each flat in the event's size?

Builds one event per size (Core bulk inserts; every sealed column sealed as the
app seals it), then times in process, through the Flask test client with a
logged-in manager, the median of RUNS requests of:
  overview:          the event's dashboard (counts by status, mode, language, day);
  check-in by code:  what the door desk finds for a typed code, as its script shows it in place
                     (checkin.found_part);
  desk page with a code: the same as a whole page (the desk without its script, or reloaded);
  list, first page:  the registrations list, newest first;
  list, last page:   the same list's last page;
  list, search:      the list searched for a name (sealed: opened in the application);
  list, by name:     the list's second page in name order (sealed: sorted in the application);
  filtered by name:  the list filtered (confirmed, in person), second page in name order;
  filtered, last:    the same list's last page;
  filtered, middle:  the same list's middle page (the farthest from either end);
  first search:      a search when the process holds none of the event's names opened
                     (each run forgets them first);
  desk counts:       the check-in desk's polled counts.
  list, middle page: the whole list newest first, its middle page;
  by organisation, middle / last: the whole list in organisation order;
  filtered newest, middle: the filtered list (confirmed, in person) newest first;
  narrow by name, middle / last: a narrow filter (rejected, French interpretation: about
                     1% of the event) in name order;
  narrow, middle after a write / filtered, middle after a write: the same middle pages,
                     each run the first visit after a write to the event (a registration's
                     row changed just before, outside the time measured);
  desk, by name:     the check-in desk searching a name;
  desk, first name search: the same when the process holds none of the event's names.
Each line also prints the machine's load average (1 minute) when it was measured.
Searching and sorting by name open the event's names once per process (the first
request, not counted here: bench/sealing.py measures it), then keep them.
Each figure is printed as a ratio to its own 1k figure (flat = about 1) and to a
bare Flask endpoint (a GET returning a string, through its own test client)
measured in the same run: the machine is shared, so read the ratios.
Usage: python bench/scale.py [largest] [words...]   (RSVP_BENCH_DATABASE_URL for PostgreSQL);
words, if given, keep only the lines whose name contains one of them.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from rsvp import create_app, sealing  # noqa: E402
from rsvp.auth.models import EventRole, Organiser, Role  # noqa: E402
from rsvp.auth.services import hash_password  # noqa: E402
from rsvp.events.models import Event, EventFormat, EventStatus  # noqa: E402
from rsvp.extensions import db  # noqa: E402
from rsvp.registrations import opened  # noqa: E402
from rsvp.registrations.models import Registration, door_code  # noqa: E402
from rsvp.timeutil import now_utc  # noqa: E402

RUNS = 7
PASSWORD = "a long enough bench password"  # noqa: S105
STATUSES = ["confirmed"] * 14 + ["waitlisted"] * 2 + ["pending_approval", "pending_email",
                                                        "cancelled", "rejected"]
COUNTRIES = ["CH", "FR", "KE", "BR", "IN", "US", "ZA", "PK", "MX", "NO", None]


def seed(n: int) -> Event:
    """An event of ``n`` registrations made over 60 days, of every status, mode and language."""
    now = now_utc().replace(microsecond=0)
    event = Event(slug=f"scale-{n}", title=f"Scale {n}", format=EventFormat.HYBRID,
                  status=EventStatus.PUBLISHED, starts_at=now + timedelta(days=9),
                  ends_at=now + timedelta(days=9, hours=2), venue="Room XX",
                  capacity_in_person=10 * n, capacity_online=10 * n,
                  interpretation_languages=["fr", "es"], caption_languages=["en"])
    db.session.add(event)
    db.session.flush()
    ring, pick = sealing.keyring(), random.Random(n)
    first = now - timedelta(days=60)
    for start in range(0, n, 5000):
        rows = []
        for i in range(start, min(n, start + 5000)):
            public_id = f"s{n}x{i}"
            made = first + timedelta(seconds=i * 60 * 86400 // max(n, 1))
            rows.append({
                "event_id": event.id, "public_id": public_id, "email": f"p{i}@example.org",
                "email_hash": ring.digest(f"p{i}@example.org"), "door_code": door_code(public_id),
                "name": f"Person {i:06d} Ngọc", "organisation": f"Organisation {i % 500}",
                "organisation_type": pick.choice(["ngo", "state", "un", "academia"]),
                "country": pick.choice(COUNTRIES),
                "attendance_mode": "in_person" if i % 3 == 0 else "online", "language": "en",
                "interpretation_language": pick.choice([None, None, "fr", "es"]),
                "captions": i % 5 == 0, "accessibility_needs": "Step-free" if i % 40 == 0 else "",
                "has_grounds_pass": pick.choice([True, False]), "consent_at": made,
                "status": pick.choice(STATUSES), "token_version": 1, "answers": {},
                "checked_in_at": made if i % 7 == 0 else None,
                "created_at": made, "updated_at": made})
        db.session.execute(sa.insert(Registration), rows)
        db.session.commit()
    return event


def manager(events: list[Event]) -> str:
    organiser = Organiser(email="scale-manager@example.org", name="Scale Manager",
                          password_hash=hash_password(PASSWORD))
    db.session.add(organiser)
    db.session.flush()
    for event in events:
        db.session.add(EventRole(event_id=event.id, organiser_id=organiser.id, role=Role.MANAGER))
    db.session.commit()
    return organiser.email


def logged_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/manage/login", data={"email": email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    return client


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    prepare = getattr(fn, "prepare", lambda: None)
    prepare()
    fn()  # once to warm what a process keeps (opened names, compiled statements)
    opened.settle()  # names set opening by that first visit are open before the runs timed
    times = []
    for _ in range(runs):
        prepare()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def bare() -> FlaskClient:
    """The least a Flask request costs: a GET returning a string."""
    app = Flask("bare")

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    return app.test_client()


def pages(app: Flask, client: FlaskClient, event: Event, n: int,
          ) -> dict[str, Callable[[], object]]:
    base = f"/manage/events/{event.public_id}"
    # Someone the desk checks in (confirmed, in person) from the middle of the event: a code of
    # anyone else finds no one in the room and the desk falls back to a name search.
    at_the_door = db.session.execute(sa.select(Registration.public_id, Registration.name).where(
        Registration.event_id == event.id, Registration.status == "confirmed",
        Registration.attendance_mode == "in_person", Registration.public_id >= f"s{n}x{n // 2}")
        .order_by(Registration.public_id).limit(1)).one()
    code = door_code(at_the_door.public_id)
    last = max(1, -(-n // 50))
    filtered = "status=confirmed&mode=in_person&sort=name"
    narrow = "status=rejected&language=fr&sort=name"

    def pages_of(**where: object) -> int:
        kept = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
            Registration.event_id == event.id,
            *(getattr(Registration, column) == value for column, value in where.items()))) or 0
        return max(1, -(-kept // 50))

    filtered_last = pages_of(status="confirmed", attendance_mode="in_person")
    narrow_last = pages_of(status="rejected", interpretation_language="fr")

    def get(path: str) -> Callable[[], object]:
        def fetch() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response.data
        return fetch

    def found(fetch: Callable[[], object], name: str) -> Callable[[], object]:
        def checked() -> object:
            page = fetch()
            assert isinstance(page, bytes) and name.encode() in page, "the desk did not find them"
            return page
        return checked

    return {
        "overview": get(base),
        "check-in by code": found(get(f"{base}/check-in/found?q={code}"), at_the_door.name),
        "desk page with a code": found(get(f"{base}/check-in?q={code}"), at_the_door.name),
        "list, first page": get(f"{base}/registrations"),
        "list, last page": get(f"{base}/registrations?page={last}"),
        "list, middle page": get(f"{base}/registrations?page={last // 2 + 1}"),
        "list, search": get(f"{base}/registrations?q=person+{n // 3:06d}"),
        "list, by name": get(f"{base}/registrations?sort=name&page=2"),
        "by organisation, middle": get(f"{base}/registrations?sort=organisation&page={last // 2 + 1}"),
        "by organisation, last": get(f"{base}/registrations?sort=organisation&page={last}"),
        "desk counts": get(f"{base}/check-in/counts"),
        "filtered by name": get(f"{base}/registrations?{filtered}&page=2"),
        "filtered, last": get(f"{base}/registrations?{filtered}&page={filtered_last}"),
        "filtered, middle": get(f"{base}/registrations?{filtered}&page={filtered_last // 2 + 1}"),
        "filtered newest, middle": get(f"{base}/registrations?status=confirmed&mode=in_person"
                                       f"&page={filtered_last // 2 + 1}"),
        "narrow by name, middle": get(f"{base}/registrations?{narrow}&page={narrow_last // 2 + 1}"),
        "narrow by name, last": get(f"{base}/registrations?{narrow}&page={narrow_last}"),
        "narrow, middle after a write": AfterWrite(
            get(f"{base}/registrations?{narrow}&page={narrow_last // 2 + 1}"), app, event.id),
        "filtered, middle after a write": AfterWrite(
            get(f"{base}/registrations?{filtered}&page={filtered_last // 2 + 1}"), app, event.id),
        "first search": forgetting(get(f"{base}/registrations?q=person+{n // 4:06d}")),
        "desk, by name": get(f"{base}/check-in?q=person+{n // 5:06d}"),
        "desk, first name search": forgetting(get(f"{base}/check-in?q=person+{n // 6:06d}")),
    }


class AfterWrite:
    """``fetch`` as the first visit after a write to the event: ``prepare``, outside the time
    measured, changes one registration's row as any write does (its ``updated_at``), so what
    a process keeps of the event (opened names, what walks learnt) is out of date."""

    def __init__(self, fetch: Callable[[], object], app: Flask, event_id: int) -> None:
        self.fetch, self.app, self.event_id = fetch, app, event_id
        self.touched = 0

    def __call__(self) -> object:
        return self.fetch()

    def prepare(self) -> None:
        self.touched += 1
        with self.app.app_context():
            ids = db.session.scalars(sa.select(Registration.id).where(
                Registration.event_id == self.event_id).order_by(Registration.id)
                .offset(self.touched * 7919 % 1000).limit(1)).all()
            db.session.execute(sa.update(Registration).where(Registration.id.in_(ids))
                               .values(updated_at=now_utc()))
            db.session.commit()
            db.session.remove()


class forgetting:  # noqa: N801 - used as a function
    """``fetch`` in a process that holds none of the event's names opened (as a web process's
    first search of the event): ``prepare``, outside the time measured, lets what the last run
    set off in the background finish, then forgets every name kept."""

    def __init__(self, fetch: Callable[[], object]) -> None:
        self.fetch = fetch

    def __call__(self) -> object:
        return self.fetch()

    @staticmethod
    def prepare() -> None:
        settle = getattr(opened, "settle", None)
        if settle is not None:
            settle()
        opened.forget()


def main(largest: int, only: list[str]) -> None:
    folder = tempfile.mkdtemp()
    url = os.environ.get("RSVP_BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.db")
    os.environ["RSVP_INSTANCE_PATH"] = folder
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "MAIL_SUPPRESS_SEND": True, "SERVER_NAME": None})
    sizes = [size for size in (1000, 10_000, 100_000) if size <= largest]
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        upgrade()
        dialect = db.engine.dialect.name
        started = time.perf_counter()
        events = {size: seed(size) for size in sizes}
        print(f"{dialect}: seeded {', '.join(map(str, sizes))} registrations in "
              f"{time.perf_counter() - started:.0f} s; median of {RUNS} runs each", flush=True)
        email = manager(list(events.values()))
        events = {size: db.session.get(Event, event.id) for size, event in events.items()}
        db.session.remove()
    client, hello = logged_in(app, email), bare()
    first: dict[str, float] = {}
    for size in sizes:
        with app.app_context():
            event = db.session.get(Event, events[size].id)
            work = {what: fn for what, fn in pages(app, client, event, size).items()
                    if not only or any(word in what for word in only)}
            db.session.remove()
        floor = median_ms(lambda: hello.get("/hello"))
        print(f"{size:>7} registrations (bare Flask GET {floor:.2f} ms)", flush=True)
        for what, fn in work.items():
            ms = median_ms(fn)
            load = os.getloadavg()[0]
            first.setdefault(what, ms)
            print(f"  {what:<30} {ms:8.1f} ms  x{ms / first[what]:5.2f} of 1k  "
                  f"x{ms / floor:7.1f} of bare  load {load:.1f}", flush=True)
            print(f"RESULT|{what}, {size} registrations ({dialect})|{ms:.1f} ms|"
                  f"bare Flask GET {floor:.2f} ms; 1k {first[what]:.1f} ms; load {load:.1f}|"
                  f"{ms / first[what]:.2f} of 1k, {ms / floor:.0f} of bare|"
                  f"{'<= 50 ms' if what == 'overview' else '<= 100 ms'}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, sys.argv[2:])
