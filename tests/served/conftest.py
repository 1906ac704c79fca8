"""The app as people meet it: real server processes on a free port, the email worker, the mail catcher.

``served`` starts, once per run and kind, what serves people (pytest runs every test of one
kind, from all the modules, before it starts the next, so each kind starts once):

- ``dev``: what `make run` starts — `rsvp run` (Flask's development server),
  `rsvp worker` and `rsvp mailcatcher`, in development settings;
- ``serve``: production settings, `rsvp serve --workers 2` (gunicorn), the
  worker and the mail catcher;
- ``nginx``: the same behind Debian's nginx with the site file shipped in
  deploy/nginx/, over TLS (a certificate made for the run), with RSVP_PROXIES=1
  and the rate limits in Redis, as deploy/rsvp.env sets them. Skipped where
  nginx, redis-server or openssl is missing (CI installs them).

All of them on the test database (SQLite, or PostgreSQL with
RSVP_TEST_DATABASE_URL), so a test writes its events with the factories and
reads back what the servers stored. Nothing is shared with the test process
but the database: a defect that lives in one process's memory (a ``g`` that
outlives a request, an object read after its session closed) shows here.
"""

from __future__ import annotations

import email
import os
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask

from rsvp.db import writing
from rsvp.extensions import db
from tests.conftest import _empty_tables
from tests.mail.conftest import free_port
from tests.served.client import Visitor
from tests.served.nginx import (
    NCHAN_MODULE,
    Process,
    make_certificate,
    start_nginx,
    start_program,
    which,
)

RSVP = str(Path(sys.executable).with_name("rsvp"))


@dataclass
class Served:
    """Running servers, and what their mail catcher received."""

    kind: str
    base_url: str
    instance: Path
    env: dict[str, str]
    processes: list[Process] = field(default_factory=list)
    #: The TLS certificate clients trust (the nginx kind), else True.
    verify: Any = True

    def visitor(self, **options: Any) -> Visitor:
        return Visitor(self.base_url, verify=self.verify, **options)

    @property
    def mail_folder(self) -> Path:
        return self.instance / "mailcatcher"

    def emails(self, to: str | None = None) -> list[EmailMessage]:
        found = []
        for path in sorted(self.mail_folder.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if to is None or message["To"] == to:
                found.append(message)  # type: ignore[arg-type]
        return found

    def wait_for_email(self, to: str, subject: str = "", count: int = 1,
                       timeout: float = 30) -> list[EmailMessage]:
        """The messages to ``to`` whose subject has ``subject``, once ``count`` have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.emails(to) if subject in str(m["Subject"])]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, (f"{count} email(s) to {to} about {subject!r} expected; "
                                             f"got {[str(m['Subject']) for m in self.emails(to)]}\n"
                                             + self.logs())
                return found
            time.sleep(0.1)

    def clear_mail(self) -> None:
        for path in self.mail_folder.glob("*.eml"):
            path.unlink()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.output()[-4000:]}" for p in self.processes)


def server_env(app: Flask, instance: Path, base_url: str, mail_port: int, env: str,
               **settings: str) -> dict[str, str]:
    values = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RSVP_", "FLASK_"))},
        "RSVP_ENV": env,
        "RSVP_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RSVP_INSTANCE_PATH": str(instance),
        "RSVP_MAIL_SERVER": "127.0.0.1",
        "RSVP_MAIL_PORT": str(mail_port),
        "RSVP_PUBLIC_BASE_URL": base_url,
        "RSVP_MAIL_WORKER_POLL_SECONDS": "0.2",
        "PYTHONUNBUFFERED": "1",
        # The test process's secret: links it signs (check-in codes, manage links) open there too.
        "RSVP_SECRET_KEY": app.config["SECRET_KEY"],
        "RSVP_DATA_KEYS": app.config["DATA_KEYS"],
    }
    # The tests send many forms from one address, to servers that serve every module's tests of
    # their kind; tests/served/test_proxy.py checks the limits themselves with production's values.
    values.update({"RSVP_RATELIMIT_PUBLIC_FORMS": "10000 per minute",
                   "RSVP_AUTH_LOGIN_RATE_LIMIT": "10000 per minute"})
    values.update(settings)
    return values


def start(name: str, args: list[str], env: dict[str, str], folder: Path) -> Process:
    log = folder / f"{name}.log"
    handle = log.open("wb")
    popen = subprocess.Popen([RSVP, *args], env=env, stdout=handle, stderr=subprocess.STDOUT,
                             start_new_session=True)
    return Process(name, popen, log)


def wait_until_up(url: str, processes: list[Process], timeout: float = 60, **client: object) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.popen.poll() is not None:
                raise AssertionError(f"{process.name} exited:\n{process.output()}")
        try:
            if httpx.get(url, timeout=2, **client).status_code == 200:  # type: ignore[arg-type]
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout} s:\n"
                         + "\n".join(p.output()[-3000:] for p in processes))


def wait_for_port(port: int, process: Process, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited:\n{process.output()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"{process.name} did not listen on {port}:\n{process.output()}")


def stop(processes: list[Process]) -> None:
    for process in processes:
        if process.popen.poll() is None:
            process.popen.terminate()
    for process in processes:
        try:
            process.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait(timeout=5)


#: What a server says when the free port it was given was taken meanwhile (by another program's
#: outgoing connection, say): a race of the test's own making, tried again on new ports.
PORT_TAKEN = ("address already in use", "connection in use")


def launch(app: Flask, folder: Path, kind: str, servers: int = 1, **settings: str) -> Served:
    """Start ``kind``'s processes (see the module docstring) and wait until the site answers; on
    new ports, up to twice more, when a port picked free was taken before a server bound it.

    ``servers``: how many web servers (the nginx kind: all behind its one upstream), each with
    its own port and workers, on the one database, the one Redis and the one worker process.
    """
    return on_free_ports(lambda where: _launch(app, where, kind, servers, **settings), folder)


def on_free_ports(start: Callable[[Path], Served], folder: Path) -> Served:
    """``start(folder)``, and again in a new folder on new ports, up to twice more, when a port
    picked free was taken before a server bound it (its error says so)."""
    for attempt in range(3):
        try:
            return start(folder if attempt == 0 else folder.with_name(f"{folder.name}-{attempt}"))
        except AssertionError as error:
            if attempt == 2 or not any(words in str(error).lower() for words in PORT_TAKEN):
                raise
    raise AssertionError("unreachable")


@contextmanager
def serving(served: Served, request: pytest.FixtureRequest) -> Iterator[Served]:
    """``served`` until the end, then stopped; its servers' logs shown if a test failed."""
    try:
        yield served
    finally:
        stop(served.processes)
        if request.session.testsfailed:
            sys.stderr.write(served.logs())


def _launch(app: Flask, folder: Path, kind: str, servers: int, **settings: str) -> Served:
    folder.mkdir(parents=True, exist_ok=True)
    instance = folder / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    port, mail_port = free_port(), free_port()
    ports = [port, *(free_port() for _ in range(servers - 1))]
    base_url = f"http://127.0.0.1:{port}"
    processes: list[Process] = []
    extra: dict[str, str] = {}
    if kind == "serve":
        extra["RSVP_SESSION_COOKIE_SECURE"] = "false"  # plain http on loopback, no proxy
    if kind == "nginx":
        missing = [p for p in ("nginx", "redis-server", "openssl") if which(p) is None]
        if not NCHAN_MODULE.exists():  # the shipped site's push locations need it
            missing.append("nginx's nchan module")
        if missing:
            pytest.skip(f"{', '.join(missing)} not found: apt-get install nginx libnginx-mod-nchan "
                        "redis-server openssl (CI installs them)")
        tls_port, redis_port = free_port(), free_port()
        base_url = f"https://127.0.0.1:{tls_port}"
        redis = start_program("redis", [which("redis-server") or "", "--port", str(redis_port),
                                        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              folder)
        processes.append(redis)
        wait_for_port(redis_port, redis)
        extra.update({"RSVP_PROXIES": "1",
                      "RSVP_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}/0"})
    env = server_env(app, instance, base_url, mail_port,
                     "development" if kind == "dev" else "production", **{**extra, **settings})
    served = Served(kind, base_url, instance, env, processes)
    try:
        catcher = start("mailcatcher", ["mailcatcher", "--port", str(mail_port)], env, folder)
        processes.append(catcher)
        wait_for_port(mail_port, catcher)
        processes.append(start("worker", ["worker", "--poll", "0.2"], env, folder))
        for n, web_port in enumerate(ports):
            if kind == "dev":
                web = ["run", "--host", "127.0.0.1", "--port", str(web_port)]
            else:
                web = ["serve", "--bind", f"127.0.0.1:{web_port}", "--workers", "2"]
            processes.append(start("web" if n == 0 else f"web{n + 1}", web, env, folder))
        for web_port in ports:
            wait_until_up(f"http://127.0.0.1:{web_port}/healthz", processes)
        if kind == "nginx":
            certificate = make_certificate(folder)
            processes.append(start_nginx(folder, tls_port, ports, certificate))
            served.verify = ssl.create_default_context(cafile=str(certificate[0]))
            wait_until_up(f"{base_url}/healthz", processes, verify=served.verify)
    except BaseException:
        stop(processes)
        raise
    return served


@pytest.fixture(scope="session", params=["dev", "serve", "nginx"])
def served_app(request: pytest.FixtureRequest, app: Flask,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not Path(RSVP).exists():
        pytest.skip(f"{RSVP} not found: install the project (make install)")
    with serving(launch(app, tmp_path_factory.mktemp(f"served-{request.param}"), request.param),
                 request) as served:
        yield served


@pytest.fixture
def served(served_app: Served, app: Flask) -> Iterator[Served]:
    """The servers, with an empty database and mailbox for this test (tables emptied after, too).

    A test fails when any server process logged a traceback meanwhile: an error a visitor
    saw as a broken download, or the worker as a failed pass, is a defect even if the page
    the test looked at was fine.
    """
    with app.app_context():
        _empty_tables()
        served_app.clear_mail()
        seen = {p.name: len(p.output()) for p in served_app.processes}
        try:
            yield served_app
        finally:
            db.session.remove()
            _empty_tables()
        errors = [f"--- {p.name} ---\n{p.output()[seen[p.name]:][-6000:]}"
                  for p in served_app.processes if "Traceback" in p.output()[seen[p.name]:]]
        assert not errors, "a server process failed during the test:\n" + "\n".join(errors)


@contextmanager
def setting_up() -> Iterator[None]:
    """The test's own writes, while the servers' processes write too.

    On SQLite a transaction that read and then writes fails at once if a server
    committed in between (the factories read back what they wrote); begun IMMEDIATE,
    it waits its turn. Committed at the end; reads after it take no lock.
    """
    with writing():
        yield
        db.session.commit()
