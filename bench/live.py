"""The public live speakers list watched by many, next to registrations: viewers served per second
and what they cost the registrations.

`rsvp serve` (gunicorn, 4 workers) on 127.0.0.1, an event with 46 speakers on its list
and one of them speaking. Each simulated viewer is one wrk connection that polls
/events/<slug>/speakers/live.json once a second on average (the script's poll interval;
each wait drawn between 0.5 and 1.5 s, as drifting browser timers spread), as the browser
does: Accept-Encoding: gzip, and If-None-Match with the last ETag it got.
Registrations are the POST of bench/registration.py (32 connections, wrk).

  registrations alone:          the baseline, measured first and last (the best kept);
  viewers alone:                answers per second (ideally one per viewer), 304s, p99;
  viewers and registrations:    both at once; registrations as a ratio to alone.

The floor under any web app here: the same viewers polling the bare app's "hello" (the
baseline server of bench/http_bench.py, gunicorn with 4 workers) next to registrations.
Two states of the list: "steady", a speaker within their time (the list does not change
by itself: 304 until the console acts), and "over time", a speaker past their time (the
projected times move with the clock: a new document every second, so most answers are a
fresh 200). In process, the cost of one answer built each time (what every poll cost
before) against one kept (rsvp/speakers/feed.py), and the size plain and gzipped.
Behind nginx (the default; --direct for the above): the shipped deploy/nginx/rsvp.conf in front
of the same server, over TLS as shipped, its one-second shared copy of live.json answering the
viewers (tests/served/nginx.py starts it, with 4,096 connections). Registrations go through
nginx too, alone and next to the viewers. The floor: the same viewers polling a static file of
live.json's size that nginx serves from disk, next to registrations. Per run, the CPU seconds
nginx and the app's processes used, and how many answers came from nginx's copy.
Usage: python bench/live.py [--direct] [VIEWERS ...]
       (default: behind nginx, 2000; --direct: 500 2000; SQLite, the embedded default)
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import http_bench as hb

T = TypeVar("T")

sys.path.insert(0, str(hb.ROOT))

DIRECT = "--direct" in sys.argv
VIEWERS = [int(n) for n in sys.argv[1:] if n.isdigit()] or ([500, 2000] if DIRECT else [2000])
SPEAKERS = 46
SECONDS = hb.SECONDS
#: Seconds the viewers' connections get to open (over TLS) before their answers are counted.
LEAD = 6
FORM = "name=Bench%20Delegate&organisation_type=ngo&attendance_mode=online&consent=y"
SEED = f"""
from datetime import timedelta
from rsvp.events.models import Event, EventFormat, EventStatus
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakerState, SpeakersList
from rsvp.speakers.services import delegation_key
from rsvp.timeutil import now_utc
now = now_utc()
start = now + timedelta(days=7)
db.session.add(Event(slug="bench", title="Bench event", format=EventFormat.ONLINE,
                     status=EventStatus.PUBLISHED, starts_at=start,
                     ends_at=start + timedelta(hours=2), interpretation_languages=["fr"]))
for slug, allowed in (("steady", 24 * 3600), ("overtime", 60)):
    event = Event(slug=slug, title="Live bench", format=EventFormat.ONLINE,
                  status=EventStatus.PUBLISHED, starts_at=now - timedelta(minutes=20),
                  ends_at=now + timedelta(hours=3), interpretation_languages=["fr", "es"])
    db.session.add(event)
    db.session.flush()
    speakers_list = SpeakersList(event_id=event.id, floor_minutes=120, public_shows_names=True)
    db.session.add(speakers_list)
    categories = list(SpeakerCategory)
    for n in range({SPEAKERS}):
        category = categories[n % len(categories)]
        delegation = f"Delegation number {{n}} for human rights"
        country = chr(65 + n // 26) + chr(65 + n % 26)  # a code of its own for each State
        speaker = Speaker(event_id=event.id, name=f"Speaker {{n}}", delegation=delegation,
                          delegation_key=delegation_key(category, delegation, country, None),
                          category=category, country=country, language=["en", "fr", "es"][n % 3],
                          email=f"s{{n}}@example.org", seconds_allowed=allowed if n == 0 else 60,
                          inscribed_at=now - timedelta(hours=1, seconds=-n))
        if n == 0:  # the one speaking: ten minutes ago
            speaker.state, speaker.started_at = SpeakerState.SPEAKING, now - timedelta(minutes=10)
        elif n < 6:
            speaker.state, speaker.seconds_used = SpeakerState.DELIVERED, 55
            speaker.started_at = now - timedelta(minutes=15, seconds=-60 * n)
            speaker.ended_at = speaker.started_at + timedelta(seconds=55)
        db.session.add(speaker)
        db.session.flush()
        if n == 0:
            speakers_list.current_speaker_id = speaker.id
"""

VIEWER_LUA = """
local threads = {}
local etag = nil  -- per wrk thread: its viewers share the first ETag one of them got
fresh, unchanged, other, kept = 0, 0, 0, 0  -- globals: done() reads them from each thread
-- Answers are counted from `first` to `last` (Unix seconds, the script's arguments; the whole run
-- without them): thousands of connections opening at once take seconds no audience spends, as
-- viewers arrive over minutes.
local first, last = 0, math.huge
function setup(thread) table.insert(threads, thread) end
function init(args) first = tonumber(args[1]) or 0; last = tonumber(args[2]) or math.huge end
-- A second between polls on average, each viewer's own: browsers' timers drift apart, and
-- viewers polling in lockstep would measure bursts no audience makes.
function delay() return math.random(500, 1500) end
request = function()
  local headers = {["Accept-Encoding"] = "gzip", ["Accept"] = "application/json"}
  if etag then headers["If-None-Match"] = etag end
  return wrk.format("GET", nil, headers)
end
-- Answers from nginx's copy without asking the app (X-Cache: HIT, STALE, UPDATING).
local from_copy = {HIT = true, STALE = true, UPDATING = true}
function response(status, headers, body)
  if status == 200 then etag = headers["ETag"] or headers["etag"] or etag end
  local now = os.time()
  if now < first or now >= last then return end
  if status == 200 then fresh = fresh + 1
  elseif status == 304 then unchanged = unchanged + 1 else other = other + 1 end
  if from_copy[headers["X-Cache"] or ""] then kept = kept + 1 end
end
function done(summary, latency, requests)
  local f, u, o, k = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    f = f + thread:get("fresh"); u = u + thread:get("unchanged"); o = o + thread:get("other")
    k = k + thread:get("kept")
  end
  io.write(string.format("answers: %d fresh, %d unchanged, %d other, %d from nginx's copy\\n", f, u, o, k))
  io.write(string.format("counted: %d\\n", f + u + o))
end
"""


def viewers_command(url: str, viewers: int, seconds: int,
                    window: tuple[int, int] | None = None) -> tuple[list[str], str]:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    script.write(VIEWER_LUA)
    script.close()
    return (["wrk", "-t2", f"-c{viewers}", f"-d{seconds}s", "--latency", "--timeout", "10s",
             "-s", script.name, url, *(["--", str(window[0]), str(window[1])] if window else [])],
            script.name)


def window_after(lead: float) -> tuple[int, int]:
    """SECONDS whole seconds of steady polling, from ``lead`` seconds on (connections open)."""
    first = math.ceil(time.time() + lead)
    return first, first + SECONDS


def in_window(result: hb.Result, output: str, window: tuple[int, int]) -> hb.Result:
    """wrk's figures with the rate counted inside ``window`` (latencies are the whole run's)."""
    counted = int(re.search(r"^counted: (\d+)", output, re.M).group(1))  # type: ignore[union-attr]
    return dataclasses.replace(result, rps=counted / (window[1] - window[0]))


def drained(base: str, limit: float = 120) -> None:
    """Wait until the server answers at once again: connections a run left queued in the
    listen backlog are served (and dropped) first, and would count against the next run."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=30).read()  # noqa: S310 - loopback
        except OSError:
            continue
        if time.monotonic() - started < 0.2:
            time.sleep(1)
            return


def watch(url: str, viewers: int, seconds: int) -> tuple[hb.Result, str]:
    command, script = viewers_command(url, viewers, seconds)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script)
    return hb.parse(output), _answers(output)


def _answers(output: str) -> str:
    return next((line.removeprefix("answers: ") for line in output.splitlines()
                 if line.startswith("answers:")), "?")


def together(live_url: str, register_url: str, viewers: int) -> tuple[hb.Result, str, hb.Result]:
    """Viewers from a second before registrations start to a second after they end."""
    command, script = viewers_command(live_url, viewers, SECONDS + 3)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)  # every viewer connected and polling
    registrations = hb.wrk(register_url, FORM)
    output, _ = process.communicate(timeout=SECONDS + 60)
    os.unlink(script)
    return hb.parse(output), _answers(output), registrations


def polling(url: str, viewers: int, during: Callable[[int], T]) -> tuple[hb.Result, str, T]:
    """``viewers`` polling ``url``; ``during(the client's pid)`` runs while their answers are
    counted: SECONDS from LEAD seconds after they start (see VIEWER_LUA)."""
    window = window_after(LEAD)
    command, script = viewers_command(url, viewers, SECONDS + LEAD + 2, window)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    time.sleep(max(0.0, window[0] - time.time()))
    value = during(process.pid)
    output, _ = process.communicate(timeout=SECONDS + 60)
    os.unlink(script)
    return in_window(hb.parse(output), output, window), _answers(output), value


def in_process(database_url: str, instance: str) -> list[str]:
    """One answer built every time (feed forgotten before each) against one kept, in process."""
    os.environ.update({"RSVP_ENV": "production", "RSVP_SECRET_KEY": "bench",
                       "RSVP_DATA_KEYS": hb.BENCH_DATA_KEY, "RSVP_PUBLIC_BASE_URL": "http://127.0.0.1",
                       "RSVP_SQLALCHEMY_DATABASE_URI": database_url, "RSVP_INSTANCE_PATH": instance})
    from rsvp import create_app
    from rsvp.speakers import feed

    client = create_app().test_client()
    url = "/events/steady/speakers/live.json"
    plain = client.get(url, headers={"Accept-Encoding": "identity"}).get_data()
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"}).get_data()

    def per_answer(forget: bool, rounds: int = 300, **headers: str) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(rounds):
                if forget:
                    feed.forget()
                client.get(url, headers=headers)
            best = min(best, (time.perf_counter() - started) / rounds * 1000)
        return best

    gz = {"Accept-Encoding": "gzip"}
    built = per_answer(True, **gz)
    kept = per_answer(False, **gz)
    etag = client.get(url).headers["ETag"]
    not_modified = per_answer(False, **gz, **{"If-None-Match": etag})
    return [f"in process, one live.json answer ({SPEAKERS} speakers, one speaking):",
            f"  built each time: {built:6.2f} ms   kept: {kept:6.2f} ms   304: {not_modified:6.2f} ms",
            f"  size: {len(plain)} bytes plain, {len(zipped)} gzipped",
            f"RESULT|live.json answer, in process|kept {kept:.2f} ms, 304 {not_modified:.2f} ms|"
            f"built each time {built:.2f} ms|{built / kept:.1f}x|built once per change",
            f"RESULT|live.json size|{len(zipped)} bytes gzipped|{len(plain)} bytes plain|"
            f"{len(plain) / len(zipped):.1f}x|gzip when accepted"]


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes used so far, from /proc."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def app_processes(port: int) -> list[int]:
    """`rsvp serve`'s master and workers: every process started with --bind 127.0.0.1:port."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and f"127.0.0.1:{port}".encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def nginx_processes(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [master, *(int(pid) for pid in children)]


def cpu_used(processes: dict[str, list[int]]) -> str:
    """The share of one CPU each group of processes uses over the next SECONDS."""
    before = {name: cpu_seconds(pids) for name, pids in processes.items()}
    time.sleep(SECONDS)
    return ", ".join(f"{name} {(cpu_seconds(pids) - before[name]) / SECONDS:.0%} of a CPU"
                     for name, pids in processes.items())


def floor_server(folder: Path, port: int, certificate: tuple[Path, Path], body: bytes) -> str:
    """nginx serving a file of live.json's size from disk over TLS: the floor under any app."""
    (folder / "floor").mkdir()
    (folder / "floor" / "live.json").write_bytes(body)
    return (f"server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {certificate[0]}; "
            f"ssl_certificate_key {certificate[1]}; access_log off; root {folder / 'floor'}; "
            "default_type application/json; }")


def targets(site: str, floor_port: int) -> dict[str, str]:
    return {"static file (floor)": f"https://127.0.0.1:{floor_port}/live.json",
            "steady": f"{site}/events/steady/speakers/live.json",
            "over time": f"{site}/events/overtime/speakers/live.json"}


def measure_state(state: str, url: str, viewers: int, base: str, register: str,
                  processes: dict[str, list[int]]) -> list[str]:
    """The viewers alone (with the CPU nginx and the app used), then rounds of registrations
    alone and next to the viewers, each round's ratio from adjacent windows: on a machine shared
    with other work the noise moves both sides of a round alike. The median round is kept."""
    drained(base)
    watched, answers, used = polling(url, viewers, lambda client: cpu_used(
        {**processes, "the client (wrk)": [client]}))
    lines = [f"  {state}, {viewers} viewers alone:  {watched.line()}  ({answers}; {used})"]
    rounds = []
    for _ in range(hb.ROUNDS):
        drained(base)
        load = os.getloadavg()[0]
        alone = hb.wrk(register, FORM)
        drained(base)
        both, both_answers, registered = polling(url, viewers, lambda _client: hb.wrk(register, FORM))
        rounds.append((registered.rps / alone.rps, alone, both, both_answers, registered, load))
        lines += [f"    round: registrations alone {alone.line()}",
                  f"           viewers {both.line()} ({both_answers})",
                  f"           registrations next to them {registered.line()}  "
                  f"ratio {rounds[-1][0]:.2f} (load average {load:.1f})"]
    ratio, alone, both, both_answers, registered, load = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]
    loads = "-".join(f"{r[5]:.1f}" for r in rounds)
    return [*lines,
            f"RESULT|behind nginx, {viewers} viewers ({state}) + registrations (median of "
            f"{len(rounds)} rounds; load average {loads})|{both.rps:.0f} answers/s (p99 "
            f"{both.p99_ms:.0f} ms, {both.errors} errors), registrations {registered.rps:.0f}/s|"
            f"registrations alone {alone.rps:.0f}/s|{ratio:.2f}|>= 0.8, {viewers} viewers at one "
            f"poll a second"]


def behind_nginx() -> list[str]:
    """The viewers and registrations through nginx with the shipped site (see the docstring)."""
    import ssl

    from tests.served.nginx import make_certificate, start_nginx

    folder = Path(tempfile.mkdtemp())
    database = f"sqlite:///{folder}/rsvp.db"
    hb.migrate_and_seed(database, str(folder), SEED)
    command, env = hb.rsvp_server(database, str(folder))
    app_port = int(command[command.index("--bind") + 1].rsplit(":", 1)[1])
    lines: list[str] = []
    with hb.serving(command, env, "/healthz") as base:
        certificate = make_certificate(folder)
        tls_port, floor_port = hb.free_port(), hb.free_port()
        zipped = urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - loopback
            base + "/events/steady/speakers/live.json", headers={"Accept-Encoding": "gzip"})).read()
        nginx = start_nginx(folder, tls_port, [app_port], certificate, connections=4096, log=False,
                            extra=floor_server(folder, floor_port, certificate, zipped))
        site = f"https://127.0.0.1:{tls_port}"
        trusted = ssl.create_default_context(cafile=str(certificate[0]))
        try:
            _wait_tls(site + "/healthz", trusted)
            processes = {"nginx": nginx_processes(nginx.popen.pid), "app": app_processes(app_port)}
            register = site + "/events/bench/register"
            hb.wrk(register, FORM)  # warm up
            lines.append(f"live list viewers behind nginx (the shipped site, TLS, one-second shared "
                         f"copy; sqlite, {hb.WORKERS} gunicorn workers; viewers poll every second; "
                         f"{hb.ROUNDS} rounds of registrations alone then next to the viewers, "
                         f"{SECONDS} s each; {os.cpu_count()} CPUs)")
            for state, url in targets(site, floor_port).items():
                for viewers in VIEWERS:
                    lines += measure_state(state, url, viewers, base, register, processes)
        finally:
            nginx.popen.terminate()
            nginx.popen.wait(timeout=30)
    return lines


def _wait_tls(url: str, context: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2, context=context).read()  # noqa: S310 - loopback
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run() -> list[str]:
    lines: list[str] = []
    with hb.app_and_bare("sqlite", "", SEED) as servers:
        register = servers.base + "/events/bench/register"
        hb.wrk(register, FORM)  # warm up
        drained(servers.base)
        alone = hb.wrk(register, FORM)
        lines += [f"live list viewers next to registrations (sqlite, {hb.WORKERS} gunicorn workers, "
                  f"viewers poll every second; load average at the start "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
                  f"  registrations alone:      {alone.line()}"]
        results = []
        targets = {"steady": f"{servers.base}/events/steady/speakers/live.json",
                   "overtime": f"{servers.base}/events/overtime/speakers/live.json",
                   # The floor: the same polls on a bare app's "hello" (gunicorn, 4 workers).
                   "bare hello": f"{servers.bare_base}/hello"}
        for state, live_url in targets.items():
            for viewers in VIEWERS:
                drained(servers.base)
                watched, answers = watch(live_url, viewers, SECONDS + 2)
                drained(servers.base)
                both, both_answers, registered = together(live_url, register, viewers)
                results.append((state, viewers, watched, answers, both, both_answers, registered))
        drained(servers.base)
        again = hb.wrk(register, FORM)
        alone = max(alone, again, key=lambda r: r.rps)
        lines.append(f"  registrations alone, again: {again.line()} (best kept: {alone.rps:.0f}; "
                     f"load average {os.getloadavg()[0]:.1f})")
        for state, viewers, watched, answers, both, both_answers, registered in results:
            ratio = registered.rps / alone.rps
            lines += [f"  {state}, {viewers} viewers alone:  {watched.line()}  ({answers})",
                      f"  {state}, {viewers} viewers + registrations: viewers {both.line()} "
                      f"({both_answers})",
                      f"      registrations {registered.line()}  ratio {ratio:.2f} of alone",
                      f"RESULT|live list, {viewers} viewers ({state}) + registrations|"
                      f"{both.rps:.0f} answers/s (p99 {both.p99_ms:.0f} ms, {both.errors} errors), "
                      f"registrations {registered.rps:.0f}/s|registrations alone {alone.rps:.0f}/s|"
                      f"{ratio:.2f}|>= 0.8, {viewers} answers/s"]
        lines += in_process(servers.database_url, str(Path(servers.database_url.removeprefix(
            "sqlite:///")).parent))
    return lines


if __name__ == "__main__":
    print("\n".join(run() if DIRECT else behind_nginx()), flush=True)
