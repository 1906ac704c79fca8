"""Registration throughput under gunicorn: POST /events/<slug>/register against a bare insert.

Both served by gunicorn (4 workers) on 127.0.0.1, driven by wrk with 32
connections, each request a new address. The app's path is the real one:
form validation, the window, a seat taken by a conditional UPDATE, the
duplicate check, the registration and its history row, the confirmation
email rendered into the outbox, commit, redirect. CSRF and the rate limit
are off for the run (a load generator has no session). The baseline is
Flask-SQLAlchemy inserting one row. Usage: python bench/registration.py
(set RSVP_BENCH_DATABASE_URL for PostgreSQL too).
"""

from __future__ import annotations

import http_bench as hb

FORM = "name=Bench%20Delegate&organisation_type=ngo&attendance_mode=online&consent=y"
SEED = """
from datetime import timedelta
from rsvp.events.models import Event, EventFormat, EventStatus
from rsvp.timeutil import now_utc
start = now_utc() + timedelta(days=7)
db.session.add(Event(slug="bench", title="Bench event", format=EventFormat.ONLINE,
                     status=EventStatus.PUBLISHED, starts_at=start,
                     ends_at=start + timedelta(hours=2), interpretation_languages=["fr"]))
"""


def run(kind: str, url: str) -> list[str]:
    with hb.app_and_bare(kind, url, SEED) as servers:
        ours, bare = hb.compare(servers.base + "/events/bench/register", servers.bare_base + "/insert",
                                FORM)
    ratio = ours.rps / bare.rps
    return [f"registration POST, {kind}, {hb.CLIENTS} clients, {hb.WORKERS} gunicorn workers",
            f"  bare insert:  {bare.line()}",
            f"  registration: {ours.line()}",
            f"  ratio {ratio:.2f} (aim >= 0.7)",
            f"RESULT|registration POST ({kind})|{ours.rps:.0f} req/s, p50 {ours.p50_ms:.1f} ms, "
            f"p99 {ours.p99_ms:.1f} ms, {ours.errors} errors|bare insert {bare.rps:.0f} req/s|"
            f"{ratio:.2f}|>= 0.7"]


if __name__ == "__main__":
    for kind, url in hb.databases():
        print("\n".join(run(kind, url)), flush=True)
