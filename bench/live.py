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
Usage: python bench/live.py [VIEWERS ...]   (default 500 2000; SQLite, the embedded default)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import http_bench as hb

sys.path.insert(0, str(hb.ROOT))

VIEWERS = [int(n) for n in sys.argv[1:]] or [500, 2000]
SPEAKERS = 46
SECONDS = hb.SECONDS
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
fresh, unchanged, other = 0, 0, 0  -- globals: done() reads them from each thread
function setup(thread) table.insert(threads, thread) end
-- A second between polls on average, each viewer's own: browsers' timers drift apart, and
-- viewers polling in lockstep would measure bursts no audience makes.
function delay() return math.random(500, 1500) end
request = function()
  local headers = {["Accept-Encoding"] = "gzip", ["Accept"] = "application/json"}
  if etag then headers["If-None-Match"] = etag end
  return wrk.format("GET", nil, headers)
end
function response(status, headers, body)
  if status == 200 then fresh = fresh + 1; etag = headers["ETag"] or headers["etag"] or etag
  elseif status == 304 then unchanged = unchanged + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local f, u, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    f = f + thread:get("fresh"); u = u + thread:get("unchanged"); o = o + thread:get("other")
  end
  io.write(string.format("answers: %d fresh, %d unchanged, %d other\\n", f, u, o))
end
"""


def viewers_command(url: str, viewers: int, seconds: int) -> tuple[list[str], str]:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    script.write(VIEWER_LUA)
    script.close()
    return (["wrk", "-t2", f"-c{viewers}", f"-d{seconds}s", "--latency", "--timeout", "10s",
             "-s", script.name, url], script.name)


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
    print("\n".join(run()), flush=True)
