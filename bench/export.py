"""Attendee export: our streamed CSV and XLSX vs a raw csv.writer over the same rows.

Inserts N registrations (default 100,000), then in the same run times:
  baseline: the same SELECT, rows straight into csv.writer (no labels, no formula guard);
  csv:      exports.write_csv (human labels, questions, guard, BOM, chunked);
  xlsx:     exports.write_xlsx (typed cells, each row written into the zip as it comes).
Prints the ratios to the baseline and the peak Python memory (tracemalloc) of each
export at N/10 and N rows: flat memory means the export streams.
Then, at 1,000, 10,000 and N rows, the same three and the XLSX file as the worker
builds it (rsvp.exports.jobs: chunks read in transactions of their own, progress
recorded between them), each a ratio to the baseline at that size, and how many XLSX
rows fit in the web server's 30 s request timeout at the rate measured.
Usage: python bench/export.py [N]
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from rsvp import create_app  # noqa: E402
from rsvp.auth.models import Organiser  # noqa: E402
from rsvp.events.models import Event, EventFormat, EventStatus, Question, QuestionKind  # noqa: E402
from rsvp.exports import jobs  # noqa: E402
from rsvp.exports import services as exports  # noqa: E402
from rsvp.extensions import db  # noqa: E402
from rsvp.registrations.models import Registration, door_code  # noqa: E402
from rsvp.registrations.tracking import AttendeeFilter  # noqa: E402
from rsvp.sealing import digest  # noqa: E402
from rsvp.timeutil import now_utc  # noqa: E402


def seed(n: int) -> Event:
    now = now_utc()
    event = Event(slug=f"bench-{n}", title="Bench", format=EventFormat.HYBRID,
                  status=EventStatus.PUBLISHED, starts_at=now, ends_at=now + timedelta(hours=2))
    db.session.add(event)
    db.session.flush()
    question = Question(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label="Question")
    db.session.add(question)
    db.session.flush()
    rows = [{"event_id": event.id, "public_id": f"b{n}x{i}", "email": f"p{i}@example.org",
             "email_hash": digest(f"p{i}@example.org"), "door_code": door_code(f"b{n}x{i}"),
             "name": f"Person {i}", "organisation": "=cmd|' /C calc'!A0" if i % 97 == 0 else "NGO",
             "organisation_type": "ngo", "country": "CH", "attendance_mode": "online",
             "language": "en", "interpretation_language": "fr" if i % 3 else None,
             "captions": i % 2 == 0, "accessibility_needs": "", "consent_at": now,
             "status": "confirmed", "token_version": 1, "answers": {str(question.id): "Yes"},
             "created_at": now, "updated_at": now} for i in range(n)]
    for start in range(0, n, 5000):
        db.session.execute(sa.insert(Registration), rows[start:start + 5000])
    db.session.commit()
    return event


def raw_csv(event: Event) -> int:
    out = io.StringIO()
    writer = csv.writer(out)
    query = (sa.select(Registration.name, Registration.email, Registration.organisation,
                       Registration.organisation_type, Registration.country, Registration.status,
                       Registration.attendance_mode, Registration.interpretation_language,
                       Registration.captions, Registration.accessibility_needs,
                       Registration.created_at, Registration.answers)
             .where(Registration.event_id == event.id, Registration.erased_at.is_(None))
             .order_by(Registration.id)
             .execution_options(yield_per=exports.CHUNK))
    for row in db.session.execute(query):
        writer.writerow(row)
        if out.tell() > 1 << 20:
            out.seek(0)
            out.truncate()
    return 1


def ours_csv(event: Event) -> int:
    size = 0
    for chunk in exports.write_csv(exports.attendee_export(event, AttendeeFilter())):
        size += len(chunk)
    return size


def ours_xlsx(event: Event) -> int:
    handle = exports.write_xlsx(exports.attendee_export(event, AttendeeFilter()))
    handle.seek(0, os.SEEK_END)
    return handle.tell()


def worker_xlsx(event: Event) -> float:
    """Queue the list as the export view does above the limit; seconds one worker pass takes to
    build it (the queueing is not counted)."""
    organiser = db.session.scalar(sa.select(Organiser)) or Organiser(email="bench@example.org",
                                                                      name="Bench")
    db.session.add(organiser)
    db.session.flush()
    rows = db.session.scalar(sa.select(sa.func.count(Registration.id))
                             .where(Registration.event_id == event.id)) or 0
    jobs.queue(event, organiser.id, "xlsx", AttendeeFilter(), exports.DEFAULT_COLUMNS, True, rows,
               "bench")
    db.session.commit()
    started = time.perf_counter()
    assert jobs.build_exports(now_utc()) == 1
    return time.perf_counter() - started


def timed(fn: Callable[[Event], int], event: Event) -> float:
    db.session.remove()
    started = time.perf_counter()
    fn(event)
    return time.perf_counter() - started


def peak_kib(fn: Callable[[Event], int], event: Event) -> float:
    db.session.remove()
    tracemalloc.start()
    fn(event)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024


def by_size(sizes: dict[int, int], dialect: str) -> None:
    """Each way of exporting at each size, as a ratio to the raw csv.writer at that size."""
    for size, event_id in sorted(sizes.items()):
        base = timed(raw_csv, db.session.get(Event, event_id))
        csv_s = timed(ours_csv, db.session.get(Event, event_id))
        xlsx_s = timed(ours_xlsx, db.session.get(Event, event_id))
        db.session.remove()
        worker_s = worker_xlsx(db.session.get(Event, event_id))
        print(f"{size:>7} rows: raw csv.writer {base:.3f}s | csv {csv_s:.3f}s x{csv_s / base:.1f} | "
              f"xlsx in the request {xlsx_s:.2f}s x{xlsx_s / base:.1f} | xlsx by the worker "
              f"{worker_s:.2f}s x{worker_s / base:.1f} ({worker_s / xlsx_s:.2f} of the request's)")
        print(f"RESULT|export {size} registrations: CSV / XLSX in the request / XLSX by the worker "
              f"({dialect})|{csv_s:.2f} / {xlsx_s:.2f} / {worker_s:.2f} s|raw csv.writer {base:.3f} s|"
              f"{csv_s / base:.1f} / {xlsx_s / base:.1f} / {worker_s / base:.1f} (time)|-")
    # The largest size came last: its rates decide what fits in a request.
    print(f"in a 30 s request at the rates of {size} rows: about {30 * size / xlsx_s:,.0f} XLSX "
          f"rows, {30 * size / csv_s:,.0f} CSV rows (EXPORT_INLINE_MAX_ROWS is 5,000, for XLSX)")


def main(n: int) -> None:
    folder = tempfile.mkdtemp()
    url = os.environ.get("RSVP_BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.db")
    os.environ["RSVP_INSTANCE_PATH"] = folder  # the worker's files go there, not to instance/
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        upgrade()
        small, large = seed(n // 10), seed(n)
        small_id, large_id = small.id, large.id
        sizes = {n // 10: small_id, n: large_id}
        for size in (1000, 10_000):
            if size not in sizes and size < n:
                sizes[size] = seed(size).id
        base = timed(raw_csv, db.session.get(Event, large_id))
        ours = timed(ours_csv, db.session.get(Event, large_id))
        xlsx = timed(ours_xlsx, db.session.get(Event, large_id))
        print(f"{n} registrations on {db.engine.dialect.name}")
        print(f"raw csv.writer {base:.2f}s | csv export {ours:.2f}s ratio {ours / base:.2f} "
              f"(aim <= 2) | xlsx export {xlsx:.2f}s ratio {xlsx / base:.2f}")
        dialect = db.engine.dialect.name
        print(f"RESULT|export {n} registrations to CSV ({dialect})|{ours:.2f} s|"
              f"raw csv.writer {base:.2f} s|{ours / base:.2f} (time)|<= 2")
        print(f"RESULT|export {n} registrations to XLSX ({dialect})|{xlsx:.2f} s|"
              f"raw csv.writer {base:.2f} s|{xlsx / base:.2f} (time)|-")
        for name, fn in (("csv", ours_csv), ("xlsx", ours_xlsx)):
            low = peak_kib(fn, db.session.get(Event, small_id))
            high = peak_kib(fn, db.session.get(Event, large_id))
            print(f"{name} peak memory: {low:,.0f} KiB at {n // 10} rows, {high:,.0f} KiB at {n} "
                  f"rows (x{high / low:.2f} for x10 rows)")
            print(f"RESULT|{name} export peak memory ({dialect})|{high:,.0f} KiB at {n} rows|"
                  f"{low:,.0f} KiB at {n // 10} rows|{high / low:.2f}|flat (about 1)")
        by_size(sizes, dialect)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
