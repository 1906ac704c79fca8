"""Attendee export: our streamed CSV and XLSX vs a raw csv.writer over the same rows.

Inserts N registrations (default 100,000), then in the same run times:
  baseline: the same SELECT, rows straight into csv.writer (no labels, no formula guard);
  csv:      exports.write_csv (human labels, questions, guard, BOM, chunked);
  xlsx:     exports.write_xlsx (typed cells, write-only workbook).
Prints the ratios to the baseline and the peak Python memory (tracemalloc) of each
export at N/10 and N rows: flat memory means the export streams.
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
from rsvp.events.models import Event, EventFormat, EventStatus  # noqa: E402
from rsvp.exports import services as exports  # noqa: E402
from rsvp.extensions import db  # noqa: E402
from rsvp.registrations.models import Question, QuestionKind, Registration  # noqa: E402
from rsvp.registrations.tracking import AttendeeFilter  # noqa: E402
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
             .order_by(sa.func.lower(Registration.name), Registration.id)
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


def main(n: int) -> None:
    folder = tempfile.mkdtemp()
    url = os.environ.get("RSVP_BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.db")
    app = create_app({"ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        upgrade()
        small, large = seed(n // 10), seed(n)
        small_id, large_id = small.id, large.id
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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
