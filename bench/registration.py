"""Registration POST /events/<slug>/register against a bare insert, under gunicorn and in process.

Under gunicorn: both apps served with 4 workers on 127.0.0.1, driven by wrk
with 32 connections, each request a new address. The app's path is the real
one, as in production: CSRF checked (every request carries the session
cookie and the token of one form fetched first, as a browser does), the rate
limit counted in its shared storage (each request from its own address,
forwarded by a proxy, so the limit counts but never refuses), form
validation, the window, a seat taken by a conditional UPDATE, the duplicate
check, the registration and its history row, the confirmation email queued
into the outbox, commit, redirect. The baseline is Flask-SQLAlchemy
inserting one row.

In process: the same POST through Flask's test client, against the bare
app's insert through its own test client, on the same kind of database;
measured in CPU time of the process (see best_per_call).

Usage: python bench/registration.py [process|served|window] (set
RSVP_BENCH_DATABASE_URL for PostgreSQL too; "window": how long a registration
holds the event's row, see hot_window).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable

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
#: As in production: CSRF and the rate limit on, behind one proxy that says who is asking.
PRODUCTION = {"RSVP_WTF_CSRF_ENABLED": "true", "RSVP_RATELIMIT_ENABLED": "true", "RSVP_PROXIES": "1"}
#: Requests per side in process (see best_per_call).
IN_PROCESS = int(os.environ.get("BENCH_IN_PROCESS", "300"))

#: Each request: the session cookie and the address of a new visitor (so the rate limit counts
#: every request and refuses none).
VISITOR = """headers["Cookie"] = "%s"
  headers["X-Forwarded-For"] = "10." .. id .. "." .. (math.floor(counter / 250) %% 250)
                               .. "." .. (counter %% 250)"""


def form_with_token(page: str) -> str:
    return FORM + "&csrf_token=" + re.search(  # type: ignore[union-attr]
        r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def browser_script(register_url: str) -> str:
    """The wrk script of a visitor who opened the form once: its cookie and token."""
    with urllib.request.urlopen(register_url) as response:  # noqa: S310 - loopback only
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        page = response.read().decode()
    return hb.post_lua(form_with_token(page), VISITOR % cookie)


def run(kind: str, url: str) -> list[str]:
    with hb.app_and_bare(kind, url, SEED, PRODUCTION) as servers:
        register = servers.base + "/events/bench/register"
        ours, bare = hb.compare(register, servers.bare_base + "/insert", FORM,
                                ours_lua=browser_script(register))
    ratio = ours.rps / bare.rps
    return report(f"registration POST, {kind}, {hb.CLIENTS} clients, {hb.WORKERS} gunicorn workers",
                  bare.line(), ours.line(),
                  f"{ratio:.2f} (aim >= 0.4); CPU a request, bare / ours: {bare.cpu_ms / ours.cpu_ms:.2f}",
                  f"registration POST ({kind})|{ours.rps:.0f} req/s, p50 {ours.p50_ms:.1f} ms, "
                  f"p99 {ours.p99_ms:.1f} ms, {ours.errors} errors|bare insert {bare.rps:.0f} req/s|"
                  f"{ratio:.2f}|>= 0.4")


def report(title: str, bare: str, ours: str, ratio: str, result: str) -> list[str]:
    """The lines printed for one comparison, with the machine's load, and its RESULT line."""
    return [f"{title}, CSRF and rate limit on (load average {os.getloadavg()[0]:.1f})",
            f"  bare insert:  {bare}", f"  registration: {ours}", f"  ratio {ratio}",
            f"RESULT|{result}"]


def best_per_call(posts: list[Callable[[int], None]], calls: int) -> list[float]:
    """Each of ``posts``, in turns of CHUNK posts, ``calls`` // CHUNK turns each: the best
    turn of each, in seconds of this process's CPU per post. CPU time, not the clock: on a
    machine shared with others, waiting for a CPU would count (and it varies 3× from minute
    to minute); alternating short turns, what remains of their noise hurts both sides alike.
    On PostgreSQL the server's own work is not counted, on either side."""
    best, n = [float("inf")] * len(posts), 0
    for _ in range(max(1, calls // CHUNK)):
        for i, post in enumerate(posts):
            started = time.process_time()
            for _ in range(CHUNK):
                n += 1
                post(n)
            best[i] = min(best[i], (time.process_time() - started) / CHUNK)
    return best


#: Posts per turn in process (see best_per_call).
CHUNK = 25


def calls_per_post(post: Callable[[int], None], first: int, posts: int = 20) -> float:
    """The Python and C function calls one ``post`` makes, on average over ``posts``: a count,
    which the machine's load does not move, to tell a change's effect from the noise of
    CPU times on a shared machine."""
    calls = 0

    def count(_frame: object, event: str, _arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        for n in range(first, first + posts):
            post(n)
    finally:
        sys.setprofile(None)
    return calls / posts


def registering(kind: str, url: str) -> tuple[Callable[[int], None], str, str]:
    """A fresh database with the bench event, and a POST registering someone new through the
    app's test client in this process, as in production; with the database's folder and URL."""
    folder = tempfile.mkdtemp()
    app_url = hb.fresh_database(kind, url, folder, "rsvp")
    hb.migrate_and_seed(app_url, folder, SEED)
    os.environ.update({"RSVP_ENV": "production", "RSVP_SECRET_KEY": "bench-secret-not-for-production",
                       "RSVP_DATA_KEYS": hb.BENCH_DATA_KEY, "RSVP_PUBLIC_BASE_URL": "https://127.0.0.1",
                       "RSVP_SQLALCHEMY_DATABASE_URI": app_url, "RSVP_INSTANCE_PATH": folder,
                       "RSVP_MAIL_SUPPRESS_SEND": "true", **PRODUCTION})
    from rsvp import create_app

    client = create_app().test_client()
    https = "https://127.0.0.1"  # the session cookie is Secure, as in production
    form = dict(part.split("=", 1) for part in form_with_token(client.get(
        "/events/bench/register", base_url=https).get_data(as_text=True)).split("&"))
    form["name"] = "Bench Delegate"

    def ours(n: int) -> None:
        response = client.post("/events/bench/register", base_url=https,
                               data={**form, "email": f"p{n}x{os.getpid()}@example.org"},
                               headers={"X-Forwarded-For": f"10.1.{n // 250 % 250}.{n % 250}",
                                        "Referer": https + "/events/bench/register"})
        assert response.status_code == 303, response.status_code

    return ours, folder, app_url


def in_process(kind: str, url: str) -> list[str]:
    """Our POST and the bare insert, each through its app's test client in this process."""
    ours, folder, app_url = registering(kind, url)
    bare_url = f"sqlite:///{folder}/bare.db" if kind == "sqlite" else app_url
    hb.create_bare_table(bare_url)
    from bare_app import create as create_bare

    bare_client = create_bare().test_client()

    def bare(n: int) -> None:
        assert bare_client.post("/insert", data={"email": f"p{n}@example.org"}).status_code == 303

    best_per_call([ours, bare], CHUNK)  # warm up
    ours_s, bare_s = best_per_call([ours, bare], IN_PROCESS)
    ratio = ours_s / bare_s
    # Addresses 10.1.200.x, which the turns above never used: the rate limit counts, never refuses.
    ours_calls, bare_calls = (calls_per_post(post, 250 * 700) for post in (ours, bare))
    return report(f"registration POST in process, {kind}",
                  f"{bare_s * 1000:6.2f} ms CPU, {bare_calls:,.0f} function calls",
                  f"{ours_s * 1000:6.2f} ms CPU, {ours_calls:,.0f} function calls",
                  f"{ratio:.2f} (time; aim <= 2.5), {ours_calls / bare_calls:.2f} (calls)",
                  f"registration POST in process ({kind})|{ours_s * 1000:.2f} ms CPU, "
                  f"{ours_calls:,.0f} calls|bare insert {bare_s * 1000:.2f} ms CPU, "
                  f"{bare_calls:,.0f} calls|{ratio:.2f} (time), {ours_calls / bare_calls:.2f} (calls)|<= 2.5")


def hot_window(kind: str, url: str, posts: int = 400) -> list[str]:
    """How long a registration holds what the next one for the same event waits for: from its
    seat's UPDATE of the event's row to the end of its COMMIT (on PostgreSQL the row stays
    locked until then, through the counts' trigger run at commit; on SQLite the whole write
    lock is held from BEGIN IMMEDIATE, before the rows are written, so this is only its end). The
    median and the least of the last three quarters of ``posts``, the clock's and this process's
    CPU (the database server's own work is in the first only)."""
    import sqlalchemy as sa

    ours, _folder, _url = registering(kind, url)
    seat: list[tuple[float, float]] = []
    held: list[tuple[float, float]] = []

    @sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
    def _seat(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("UPDATE events SET taken_"):
            seat.append((time.perf_counter(), time.process_time()))

    @sa.event.listens_for(sa.orm.Session, "after_commit")
    def _commit(_session: object) -> None:
        if seat:
            wall, cpu = seat.pop()
            held.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))

    for n in range(posts):
        ours(n)
    counted = held[posts // 4:]
    walls, cpus = sorted(w for w, _ in counted), sorted(c for _, c in counted)
    return [f"registration POST in process, {kind}: seat to COMMIT's end, {len(counted)} registrations "
            f"(load average {os.getloadavg()[0]:.1f})",
            f"  clock median {walls[len(walls) // 2]:.2f} ms, least {walls[0]:.2f} ms; "
            f"CPU median {cpus[len(cpus) // 2]:.2f} ms, least {cpus[0]:.2f} ms"]


if __name__ == "__main__":
    where = sys.argv[1] if len(sys.argv) > 1 else "both"
    for kind, url in hb.databases():
        if where in ("both", "process"):
            print("\n".join(in_process(kind, url)), flush=True)
        if where == "window":
            print("\n".join(hot_window(kind, url)), flush=True)
        if where in ("both", "served"):
            print("\n".join(run(kind, url)), flush=True)
