"""The live speakers list pushed to many viewers (rsvp/livepush.py, nginx's nchan), next to
registrations: what 2,000 open event streams and their fetches cost the registrations, and
whether every viewer gets every change.

The same server, site and event as bench/live.py behind nginx (`rsvp serve`, 4 workers,
SQLite; the shipped deploy/nginx/rsvp.conf over TLS, with RSVP_LIVE_PUBLISH_URL set).
Each simulated viewer does what static/js/speakers-live.js does with push on: it holds an
EventSource on its list's channel (one TLS connection), and on each event fetches
live.json?v=<version> on a second keep-alive connection, with the ETag it holds; it also polls
live.json every 30 s (the safety net), from a random first moment. Viewers are asyncio tasks
in this process (bounded, 127.0.0.1 only). Meanwhile the list changes every CHANGE_EVERY
seconds: a waiting speaker moved one place up or down, through the console's own service
(rsvp.speakers.live.step) and commit, in a thread of this process, which publishes as the app
does.

Per round: registrations alone (no viewers), then the viewers connect, and registrations run
again while they hold their streams and the list changes; the ratio of the two, the median of
ROUNDS rounds. Counted per round: changes made, events each viewer received, fetches that
showed the change (200 with a new ETag) and those that did not; CPU of nginx, the app and
the viewers' client over the window.
Usage: python bench/live_push.py [VIEWERS]   (default 2000)
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import ssl
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("BENCH_SECONDS", "10")  # a few changes within each window

import http_bench as hb  # noqa: E402 - reads BENCH_SECONDS
import live  # noqa: E402

sys.path.insert(0, str(hb.ROOT))

VIEWERS = next((int(n) for n in sys.argv[1:] if n.isdigit()), 2000)
#: Seconds between two changes of the list while registrations run.
CHANGE_EVERY = 3.0
SAFETY_POLL = 30.0
#: Viewers opening their connections at once (TLS handshakes), so opening does not swamp nginx.
OPENING = 100
LIVE = "/events/steady/speakers/live.json"


@dataclass
class Viewer:
    versions: list[str] = field(default_factory=list)
    #: When each version arrived (time.monotonic()).
    arrived: dict[str, float] = field(default_factory=dict)
    etag: str = ""
    #: The ETag the viewer holds after its fetch for each version's event.
    after: dict[str, str] = field(default_factory=dict)
    polls: int = 0
    failed: str = ""
    #: One request at a time on the viewer's fetch connection (an event's fetch, a safety poll).
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Crowd:
    """VIEWERS viewers in an asyncio loop of their own thread (see the module docstring)."""

    def __init__(self, port: int, channel: str, context: ssl.SSLContext, count: int) -> None:
        self.port, self.channel, self.context = port, channel, context
        self.viewers = [Viewer() for _ in range(count)]
        self.opened = threading.Semaphore(0)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._all(),), daemon=True)
        self._stop: asyncio.Event | None = None

    def __enter__(self) -> Crowd:
        self.thread.start()
        for _ in self.viewers:
            if not self.opened.acquire(timeout=120):
                raise RuntimeError("viewers could not connect")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(60)

    async def _all(self) -> None:
        self._stop = asyncio.Event()
        gate = asyncio.Semaphore(OPENING)
        await asyncio.gather(*(self._viewer(viewer, gate) for viewer in self.viewers))

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", self.port, ssl=self.context,
                                             server_hostname="localhost")

    async def _viewer(self, viewer: Viewer, gate: asyncio.Semaphore) -> None:
        assert self._stop is not None
        async with gate:
            stream = await self._open()
            fetch = await self._open()
            stream[1].write(f"GET /push/{self.channel} HTTP/1.1\r\nHost: localhost\r\n"
                            "Accept: text/event-stream\r\n\r\n".encode())
            head = await stream[0].readuntil(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                raise RuntimeError(head.decode(errors="replace"))
        self.opened.release()
        events = asyncio.ensure_future(self._events(viewer, stream[0], fetch))
        polls = asyncio.ensure_future(self._polls(viewer, fetch))
        await self._stop.wait()
        for task in (events, polls):
            task.cancel()
        for _reader, writer in (stream, fetch):
            writer.close()

    async def _events(self, viewer: Viewer, reader: asyncio.StreamReader,
                      fetch: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        while line := await reader.readline():
            if line.startswith(b"data:"):
                version = line[5:].strip().decode()
                viewer.versions.append(version)
                viewer.arrived.setdefault(version, time.monotonic())
                async with viewer.lock:
                    await self._get(viewer, fetch, f"{LIVE}?v={version}")
                viewer.after[version] = viewer.etag

    async def _polls(self, viewer: Viewer, fetch: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        await asyncio.sleep(random.uniform(0, SAFETY_POLL))  # noqa: S311 - spreading, not secrets
        while True:
            async with viewer.lock:
                await self._get(viewer, fetch, LIVE)
            viewer.polls += 1
            await asyncio.sleep(SAFETY_POLL)

    async def _get(self, viewer: Viewer, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                   path: str) -> int:
        reader, writer = connection
        condition = f"If-None-Match: {viewer.etag}\r\n" if viewer.etag else ""
        writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
                     f"Accept-Encoding: gzip\r\n{condition}\r\n".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status = int(head.split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in head.split("\r\n")[1:] if line)}
        if "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while size := int((await reader.readline()).strip(), 16):
                await reader.readexactly(size + 2)
            await reader.readline()
        if status == 200:
            viewer.etag = headers.get("etag", viewer.etag)
        elif status != 304:
            viewer.failed = head.split("\r\n", 1)[0]
        return status


class Changer:
    """Moves a waiting speaker of the steady list one place, up then down, every CHANGE_EVERY
    seconds, as the console does (service, commit, push); keeps the versions it published."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.versions: list[str] = []
        #: When each version was committed and published (time.monotonic()).
        self.published: dict[str, float] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Changer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(30)

    def _run(self) -> None:
        import sqlalchemy as sa

        from rsvp.db import writing
        from rsvp.events.models import Event
        from rsvp.extensions import db
        from rsvp.speakers import live as console
        from rsvp.speakers.models import WAITING_STATES, Speaker, SpeakersList

        with self.app.app_context(), writing():  # type: ignore[attr-defined]
            event = db.session.scalars(sa.select(Event).where(Event.slug == "steady")).one()
            moving = db.session.scalars(sa.select(Speaker).where(
                Speaker.event_id == event.id, Speaker.state.in_(WAITING_STATES))
                .order_by(Speaker.id).limit(1)).one()
            offset = 1
            while not self.stopped.is_set():
                console.step(moving, offset)
                committed = time.monotonic()
                db.session.commit()  # publishes the new version (rsvp.livepush)
                self.published.setdefault(str(db.session.scalars(sa.select(SpeakersList.version).where(
                    SpeakersList.event_id == event.id)).one()), committed)
                db.session.commit()
                offset = -offset
                self.stopped.wait(CHANGE_EVERY)


def channel_of(site: str, context: ssl.SSLContext) -> str:
    page = urllib.request.urlopen(site + "/events/steady/speakers/live",  # noqa: S310 - loopback
                                  context=context).read().decode()
    found = re.search(r'data-push="/push/([0-9a-f]{24})"', page)
    if not found:
        raise RuntimeError("the live page names no push channel: is RSVP_LIVE_PUBLISH_URL set?")
    return found.group(1)


def delivered(crowd: Crowd, published: dict[str, float], bound: float = 60) -> None:
    """Wait until every viewer has every version published (at most ``bound`` seconds)."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline and not all(
            published.keys() <= viewer.arrived.keys() for viewer in crowd.viewers):
        time.sleep(0.2)
    time.sleep(1)  # the last fetches


def check(crowd: Crowd, published: dict[str, float]) -> str:
    """How many viewers received every version published and how soon, and what their fetches
    showed."""
    wanted = set(published)
    complete = sum(1 for viewer in crowd.viewers if wanted <= set(viewer.versions))
    delays = sorted(viewer.arrived[version] - at for version, at in published.items()
                    for viewer in crowd.viewers if version in viewer.arrived)
    spread = (f"; from the commit to a viewer: median {delays[len(delays) // 2] * 1000:.0f} ms, "
              f"last {delays[-1] * 1000:.0f} ms" if delays else "")
    # What a version's list is: the ETag most viewers hold after their fetch for it.
    truth = {version: Counter(viewer.after.get(version) for viewer in crowd.viewers).most_common(1)[0][0]
             for version in wanted}
    shown = sum(viewer.after.get(version) == etag
                for version, etag in truth.items() for viewer in crowd.viewers)
    stale = len(wanted) * len(crowd.viewers) - shown
    polls = sum(viewer.polls for viewer in crowd.viewers)
    failed = [viewer.failed for viewer in crowd.viewers if viewer.failed]
    return (f"{len(published)} changes; {complete}/{len(crowd.viewers)} viewers received every one"
            f"{spread}; after each event's fetch: {shown} showed that version's list, {stale} not; "
            f"{polls} safety polls since connecting"
            + (f"; {len(failed)} failed ({failed[0]})" if failed else ""))


def run() -> list[str]:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # two connections a viewer
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 2 * VIEWERS + 256)), hard))
    from tests.served.nginx import make_certificate, start_nginx

    folder = Path(tempfile.mkdtemp())
    database = f"sqlite:///{folder}/rsvp.db"
    hb.migrate_and_seed(database, str(folder), live.SEED)
    publish_port = hb.free_port()
    publish_url = f"http://127.0.0.1:{publish_port}"
    command, env = hb.rsvp_server(database, str(folder), {"RSVP_LIVE_PUBLISH_URL": publish_url})
    app_port = int(command[command.index("--bind") + 1].rsplit(":", 1)[1])
    os.environ.update(env)
    from rsvp import create_app

    app = create_app()
    lines: list[str] = []
    with hb.serving(command, env, "/healthz") as base:
        certificate = make_certificate(folder)
        tls_port = hb.free_port()
        nginx = start_nginx(folder, tls_port, [app_port], certificate, connections=2 * VIEWERS + 1024,
                            log=False, publish_port=publish_port)
        site = f"https://127.0.0.1:{tls_port}"
        trusted = ssl.create_default_context(cafile=str(certificate[0]))
        try:
            live._wait_tls(site + "/healthz", trusted)
            channel = channel_of(site, trusted)
            processes = {"nginx": live.nginx_processes(nginx.popen.pid), "app": live.app_processes(app_port),
                         "viewers' client and the changer": [os.getpid()]}
            register = site + "/events/bench/register"
            hb.wrk(register, live.FORM)  # warm up
            lines.append(f"live list pushed behind nginx (nchan; the shipped site, TLS; sqlite, "
                         f"{hb.WORKERS} gunicorn workers; {VIEWERS} viewers each holding an event "
                         f"stream, fetching on each event and polling every {SAFETY_POLL:.0f} s; the "
                         f"list changing every {CHANGE_EVERY:.0f} s; {hb.ROUNDS} rounds of "
                         f"registrations alone then next to them, {hb.SECONDS} s each; "
                         f"{os.cpu_count()} CPUs)")
            rounds = []
            for _ in range(hb.ROUNDS):
                live.drained(base)
                load = os.getloadavg()[0]
                alone = hb.wrk(register, live.FORM)
                started = time.monotonic()
                with Crowd(tls_port, channel, trusted, VIEWERS) as crowd:
                    opened = time.monotonic() - started
                    live.drained(base)
                    with Changer(app) as changer:
                        watching = live.cpu_used(processes)  # the viewers and changes alone
                        before = {name: live.cpu_seconds(pids) for name, pids in processes.items()}
                        registered = hb.wrk(register, live.FORM)
                        used = {name: (live.cpu_seconds(pids) - before[name]) / hb.SECONDS
                                for name, pids in processes.items()}
                    delivered(crowd, changer.published)
                    seen = check(crowd, changer.published)
                ratio = registered.rps / alone.rps
                rounds.append((ratio, alone, registered, load))
                cpu = ", ".join(f"{name} {share:.0%} of a CPU" for name, share in used.items())
                lines += [f"  round: registrations alone {alone.line()} (load average {load:.1f})",
                          f"         {VIEWERS} viewers connected in {opened:.0f} s; {seen}",
                          f"         registrations next to them {registered.line()}  ratio {ratio:.2f}",
                          f"         viewers and changes alone: {watching}",
                          f"         with registrations too: {cpu}"]
            ratio, alone, registered, load = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]
            loads = "-".join(f"{r[3]:.1f}" for r in rounds)
            lines.append(
                f"RESULT|behind nginx, {VIEWERS} viewers pushed (nchan) + registrations, a change every "
                f"{CHANGE_EVERY:.0f} s (median of {len(rounds)} rounds; load average {loads})|"
                f"registrations {registered.rps:.0f}/s|registrations alone {alone.rps:.0f}/s|"
                f"{ratio:.2f}|>= 0.8, every viewer every change")
        finally:
            nginx.popen.terminate()
            nginx.popen.wait(timeout=30)
    return lines


if __name__ == "__main__":
    print("\n".join(run()), flush=True)
