"""Shared by the HTTP benchmarks: start gunicorn servers on loopback, drive them with wrk.

Every figure is a ratio to a baseline measured in the same run on the same
machine: absolute numbers from a shared, noisy 2-core machine mean little.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
WORKERS = 4
CLIENTS = 32
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))

POST_LUA = """
local counter = 0
local threads = {}
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
-- LuaJIT's math.random gives the same numbers in every run unless seeded: without the time, each
-- run after the first posted the addresses of the one before (every registration a repeat).
function init(args)
  math.randomseed(os.time() * 100 + id)
  prefix = "w" .. id .. "t" .. os.time() .. "x" .. math.random(1, 1000000000)
end
request = function()
  counter = counter + 1
  local body = "%(form)s&email=" .. prefix .. "n" .. counter .. "%%40example.org"
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  %(more)s
  return wrk.format("POST", nil, headers, body)
end
"""


def post_lua(form: str, more: str = "") -> str:
    """The wrk script POSTing ``form`` with a new email each time; ``more`` is Lua run before
    each request is made (it may add to ``headers``; ``counter`` and ``id`` count requests and
    threads)."""
    return POST_LUA % {"form": form, "more": more}


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    #: The machine's CPU time a request (every process: servers, database, wrk), in ms.
    cpu_ms: float = 0.0

    def line(self) -> str:
        return (f"{self.rps:8.0f} req/s  p50 {self.p50_ms:6.1f} ms  p99 {self.p99_ms:6.1f} ms  "
                f"errors {self.errors}  CPU {self.cpu_ms:.2f} ms a request")


def busy_ms() -> float:
    """The machine's CPU time so far, every CPU, idle and stolen time aside (/proc/stat), in ms.

    Requests a second move with what other machines on the same host take (stolen time);
    the CPU time a request costs here moves less: a second view of the same runs."""
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq = (int(n) for n in stat.readline().split()[1:8])
    return (user + nice + system + irq + softirq) * 1000 / os.sysconf("SC_CLK_TCK")


#: The data key of every benchmark server (rsvp.sealing); a benchmark's data is thrown away.
BENCH_DATA_KEY = "YmVuY2ggZGF0YSBrZXk6IG5vdCBmb3IgYW55IHVzZSE="

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


@contextmanager
def serving(command: list[str], env: dict[str, str], probe: str) -> Iterator[str]:
    """Run a server command until the block ends; yields its base URL."""
    log = open(os.path.join(tempfile.gettempdir(), f"bench-server-{os.getpid()}-{command[1]}.log"),  # noqa: SIM115
               "ab")
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=BENCH,
                               stdout=log, stderr=log)
    base = "http://" + command[command.index("--bind") + 1] if "--bind" in command else ""
    try:
        _wait(base + probe)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: gunicorn's graceful stop ran over
            process.kill()
            process.wait(timeout=30)
        log.close()


def rsvp_server(database_url: str, instance: str,
                extra_env: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    port = free_port()
    env = {"RSVP_ENV": "production", "RSVP_SECRET_KEY": "bench-secret-not-for-production",
           "RSVP_DATA_KEYS": BENCH_DATA_KEY,
           "RSVP_PUBLIC_BASE_URL": "http://127.0.0.1",
           "RSVP_SQLALCHEMY_DATABASE_URI": database_url, "RSVP_INSTANCE_PATH": instance,
           "RSVP_WTF_CSRF_ENABLED": "false", "RSVP_RATELIMIT_ENABLED": "false",
           "RSVP_MAIL_SUPPRESS_SEND": "true", **(extra_env or {})}
    return [str(BIN / "rsvp"), "serve", "--bind", f"127.0.0.1:{port}",
            "--workers", str(WORKERS)], env


def bare_server(database_url: str) -> tuple[list[str], dict[str, str]]:
    port = free_port()
    return [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
            "--log-level", "warning", "bare_app:create()"], {"BARE_DATABASE_URL": database_url}


def wrk(url: str, form: str | None = None, lua: str | None = None) -> Result:
    """Drive ``url`` with CLIENTS connections for SECONDS; POST ``form`` with unique emails
    (or run the wrk script ``lua``, which then makes each request)."""
    command = ["wrk", f"-t{min(4, CLIENTS)}", f"-c{CLIENTS}", f"-d{SECONDS}s", "--latency",
               "--timeout", "10s"]
    script = None
    if form is not None or lua is not None:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(lua if lua is not None else post_lua(form or ""))
        script.close()
        command += ["-s", script.name]
    before = busy_ms()
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    busy = busy_ms() - before
    if script:
        os.unlink(script.name)
    result = parse(output)
    result.cpu_ms = busy / max(result.requests, 1)
    return result


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def parse(output: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          output):
        errors += sum(int(n) for n in found.groups())
    return Result(rps, p50, p99, errors, requests)


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def compare(ours_url: str, base_url: str, form: str | None = None,
            ours_lua: str | None = None) -> tuple[Result, Result]:
    """Alternate runs against both servers (both up all along) and keep each one's best:
    a burst of noise from elsewhere on the machine then hurts neither side alone.
    ``ours_lua`` is a wrk script for our server's requests (see wrk)."""
    wrk(ours_url, form, ours_lua)  # warm both up
    wrk(base_url, form)
    ours, base = [], []
    for _ in range(ROUNDS):
        ours.append(wrk(ours_url, form, ours_lua))
        base.append(wrk(base_url, form))
    return max(ours, key=lambda r: r.rps), max(base, key=lambda r: r.rps)


def databases() -> list[tuple[str, str]]:
    """(name, URL) of each database to run on: SQLite always, PostgreSQL when configured;
    only the one RSVP_BENCH_ONLY names ("sqlite" or "postgresql"), when set."""
    found = [("sqlite", "")]
    if url := os.environ.get("RSVP_BENCH_DATABASE_URL", ""):
        found.append(("postgresql", url))
    only = os.environ.get("RSVP_BENCH_ONLY")
    return [(kind, url) for kind, url in found if only in (None, "", kind)]


def fresh_database(kind: str, url: str, folder: str, name: str) -> str:
    """An empty database for one server: a new SQLite file, or a reset PostgreSQL schema."""
    if kind == "sqlite":
        return f"sqlite:///{folder}/{name}.db"
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


def migrate_and_seed(url: str, instance: str, seed: str) -> None:
    """Build the schema with the migrations and run ``seed`` (Python, in an app context)."""
    env = {**os.environ, "RSVP_ENV": "production", "RSVP_SECRET_KEY": "bench",
           "RSVP_DATA_KEYS": BENCH_DATA_KEY,
           "RSVP_PUBLIC_BASE_URL": "http://127.0.0.1",
           "RSVP_SQLALCHEMY_DATABASE_URI": url, "RSVP_INSTANCE_PATH": instance}
    subprocess.run([str(BIN / "rsvp"), "db", "upgrade"], env=env, check=True,
                   capture_output=True, cwd=ROOT)
    code = ("from rsvp import create_app\nfrom rsvp.extensions import db\n"
            "app = create_app()\nwith app.app_context():\n"
            + "".join(f"    {line}\n" for line in seed.strip().splitlines())
            + "    db.session.commit()\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


def create_bare_table(url: str) -> None:
    sys.path.insert(0, str(BENCH))
    from bare_app import create
    from bare_app import db as bare_db

    os.environ["BARE_DATABASE_URL"] = url
    app = create()
    with app.app_context():
        bare_db.create_all()
        bare_db.engine.dispose()


@dataclass
class Servers:
    base: str  #: our app, served by `rsvp serve`
    bare_base: str  #: the bare baseline app
    database_url: str  #: our app's database


@contextmanager
def app_and_bare(kind: str, url: str, seed: str,
                 extra_env: dict[str, str] | None = None) -> Iterator[Servers]:
    """Our app on a fresh database seeded with ``seed`` (settings ``extra_env`` on top of
    rsvp_server's), and the bare app, served until the block ends."""
    folder = tempfile.mkdtemp()
    app_url = fresh_database(kind, url, folder, "rsvp")
    migrate_and_seed(app_url, folder, seed)
    bare_url = f"sqlite:///{folder}/bare.db" if kind == "sqlite" else app_url
    create_bare_table(bare_url)
    command, env = rsvp_server(app_url, folder, extra_env)
    bare_command, bare_env = bare_server(bare_url)
    with serving(command, env, "/healthz") as base, serving(bare_command, bare_env, "/hello") as bare_base:
        yield Servers(base, bare_base, app_url)
