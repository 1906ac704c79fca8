"""A speakers list opening: 300 inscriptions sent at once, against 300 bare inserts at once.

Both servers under gunicorn (4 workers) on 127.0.0.1; 300 client threads
released together by a barrier, each sending one POST. Reports the time until
the last answer and checks every inscription is stored once.
Usage: python bench/speakers.py
"""

from __future__ import annotations

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import http_bench as hb
import sqlalchemy as sa

COUNT = 300
SEED = """
from datetime import timedelta
from rsvp.events.models import Event, EventFormat, EventStatus
from rsvp.speakers.models import SpeakersList
from rsvp.timeutil import now_utc
start = now_utc() + timedelta(days=1)
event = Event(slug="bench", title="Bench event", format=EventFormat.ONLINE,
              status=EventStatus.PUBLISHED, starts_at=start, ends_at=start + timedelta(hours=2))
db.session.add(event)
db.session.flush()
db.session.add(SpeakersList(event_id=event.id, opens_at=now_utc() - timedelta(minutes=1)))
"""


def burst(base: str, path: str, forms: list[dict[str, str]]) -> tuple[float, list[int]]:
    host = urlsplit(base)
    barrier = threading.Barrier(len(forms))

    def post(form: dict[str, str]) -> int:
        barrier.wait()
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            connection.request("POST", path, urlencode(form),
                               {"Content-Type": "application/x-www-form-urlencoded"})
            return connection.getresponse().status
        except OSError:
            return 0  # refused or dropped: counted as an error
        finally:
            connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        statuses = list(pool.map(post, forms))
    return time.perf_counter() - started, statuses


def run(kind: str, url: str) -> list[str]:
    forms = [{"name": f"Speaker {n}", "delegation": f"NGO number {n}", "category": "ngo",
              "capacity": "individual", "language": "en", "email": f"s{n}@example.org",
              "consent": "y"} for n in range(COUNT)]
    with hb.app_and_bare(kind, url, SEED) as servers:
        ours, statuses = burst(servers.base, "/events/bench/speakers", forms)
        bare, bare_statuses = burst(servers.bare_base, "/insert", forms)
    engine = sa.create_engine(servers.database_url)
    with engine.connect() as connection:
        stored = connection.scalar(sa.text("SELECT count(DISTINCT delegation_key) FROM speakers"))
    engine.dispose()
    ok = statuses.count(303)
    others = sorted({s for s in statuses if s != 303})
    ratio = bare / ours
    return [f"speakers list opening, {kind}: {COUNT} inscriptions at once",
            f"  bare inserts: {bare:6.2f} s for {COUNT} ({bare_statuses.count(303)} ok)",
            f"  inscriptions: {ours:6.2f} s for {COUNT} ({ok} ok, {stored} stored once; "
            f"other answers: {others})",
            f"  ratio {ratio:.2f} (bare time / our time)",
            f"RESULT|speakers list opening, {COUNT} at once ({kind})|{ours:.2f} s, {ok} ok, "
            f"{stored} stored|bare inserts {bare:.2f} s|{ratio:.2f}|all stored once"]


if __name__ == "__main__":
    for kind, url in hb.databases():
        print("\n".join(run(kind, url)), flush=True)
