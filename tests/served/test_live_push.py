"""The live speakers list pushed behind nginx's nchan (rsvp/livepush.py, deploy/nginx/rsvp.conf):
many viewers hold an EventSource open on their list's channel; a change at the console reaches
every one of them as an event carrying only the list's version, and their fetch of live.json for
that version shows the change. Only the app on this machine can publish: the public side refuses
it. A publisher that is down leaves the console working and viewers polling."""

from __future__ import annotations

import asyncio
import re
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from flask import Flask
from playwright.sync_api import expect

from rsvp import livepush
from rsvp.extensions import db
from tests.browser.conftest import screenshot
from tests.conftest import _empty_tables
from tests.mail.conftest import free_port
from tests.served.conftest import (
    RSVP,
    Served,
    launch,
    on_free_ports,
    serving,
    stop,
    wait_until_up,
)
from tests.served.nginx import NCHAN_MODULE, make_certificate, start_nginx, which
from tests.served.test_live import a_list_with_speakers, act, start_speaker

#: Viewers holding an event stream open at once (bounded: nginx here takes 512 connections).
SUBSCRIBERS = 150
#: Seconds within which a change must have reached every viewer: a bound on the wait, so a
#: broken push fails the test instead of hanging it; it arrives in milliseconds.
PATIENCE = 30


def _skip_without_servers() -> None:
    if not Path(RSVP).exists():
        pytest.skip(f"{RSVP} not found: install the project (make install)")
    missing = [p for p in ("nginx", "openssl") if which(p) is None]
    if missing or not NCHAN_MODULE.exists():
        pytest.skip("nginx with the nchan module not found: apt-get install nginx libnginx-mod-nchan "
                    "openssl (CI installs them)")


@pytest.fixture(scope="module")
def served_app(app: Flask, tmp_path_factory: pytest.TempPathFactory,
               request: pytest.FixtureRequest) -> Iterator[Served]:
    """``rsvp serve`` behind the shipped nginx site with push on: RSVP_LIVE_PUBLISH_URL names the
    site's publisher server, on this run's loopback port."""
    _skip_without_servers()
    folder = tmp_path_factory.mktemp("served-push") / "site"
    with serving(on_free_ports(lambda where: _push_site(app, where), folder), request) as served:
        yield served


def _push_site(app: Flask, folder: Path) -> Served:
    """``rsvp serve`` and the shipped nginx site in front of it, started and answering; stopped
    again when a server fails to start (a port taken says so in its error)."""
    folder.mkdir(parents=True)
    tls_port, publish_port = free_port(), free_port()
    base_url = f"https://127.0.0.1:{tls_port}"
    app_side = launch(app, folder, "serve", RSVP_PROXIES="1", RSVP_SESSION_COOKIE_SECURE="true",
                      RSVP_PUBLIC_BASE_URL=base_url,
                      RSVP_LIVE_PUBLISH_URL=f"http://127.0.0.1:{publish_port}")
    app_port = int(app_side.base_url.rsplit(":", 1)[1])
    served = replace(app_side, kind="nginx", base_url=base_url)
    try:
        certificate = make_certificate(folder)
        served.processes.append(start_nginx(folder, tls_port, [app_port], certificate,
                                            publish_port=publish_port))
        served.verify = ssl.create_default_context(cafile=str(certificate[0]))
        wait_until_up(f"{base_url}/healthz", served.processes, verify=served.verify)
    except BaseException:
        stop(served.processes)
        raise
    served.publish_port = publish_port  # type: ignore[attr-defined]
    served.app_port = app_port  # type: ignore[attr-defined]
    return served


def push_address(served: Served, slug: str) -> str:
    """The live page's data-push: its list's channel, named by the page when push is on."""
    page = served.visitor().get(f"/events/{slug}/speakers/live")
    assert page.status_code == 200
    found = re.search(r'data-push="(/push/[0-9a-f]{24})"', page.text)
    assert found, "the live page names no push channel"
    return found.group(1)


class Viewers:
    """``count`` event streams held open on ``url`` from a thread of their own, until each has
    received ``events`` events; each keeps their data and, as the page does, fetches ``live``
    (live.json) for the version each event names at once, and keeps what it got. Entered once
    nchan has answered every stream."""

    def __init__(self, url: str, live: str, verify: ssl.SSLContext, count: int, events: int = 1) -> None:
        self.url, self.live, self.verify, self.count, self.wanted = url, live, verify, count, events
        self.ready = threading.Event()
        self.received: list[list[str]] = [[] for _ in range(count)]
        self.fetched: list[list[httpx.Response]] = [[] for _ in range(count)]
        self._opened = 0
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> Viewers:
        self._thread.start()
        assert self.ready.wait(PATIENCE), f"only {self._opened} of {self.count} streams opened"
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(PATIENCE + 5)

    def until(self, events: int) -> None:
        """Return once every viewer has received ``events`` events and fetched for each (or
        PATIENCE has passed)."""
        deadline = time.monotonic() + PATIENCE
        while any(len(fetched) < events for fetched in self.fetched) and time.monotonic() < deadline:
            time.sleep(0.05)

    def wait(self) -> list[list[str]]:
        """Every viewer's data, once each has its events (or PATIENCE has passed)."""
        self._thread.join(PATIENCE)
        return self.received

    async def _run(self) -> None:
        limits = httpx.Limits(max_connections=2 * self.count + 5, max_keepalive_connections=0)
        async with httpx.AsyncClient(verify=self.verify, limits=limits, timeout=PATIENCE) as client:
            await asyncio.wait_for(asyncio.gather(*(self._one(client, n) for n in range(self.count))),
                                   PATIENCE * 2)

    async def _one(self, client: httpx.AsyncClient, n: int) -> None:
        async with client.stream("GET", self.url, headers={"Accept": "text/event-stream"}) as stream:
            assert stream.status_code == 200
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            await anext(lines)  # nchan's greeting (": hi"): the subscription is registered
            self._opened += 1
            if self._opened == self.count:
                self.ready.set()
            async for line in lines:
                if line.startswith("data:"):
                    version = line[5:].strip()
                    self.received[n].append(version)
                    answer = await client.get(self.live, params={"v": version},
                                              headers={"Accept-Encoding": "gzip"})
                    await answer.aread()
                    self.fetched[n].append(answer)
                    if len(self.received[n]) >= self.wanted:
                        return


def test_a_console_change_reaches_every_open_stream_and_the_fetch_shows_it(served):
    slug, event_id, email, first_id, _own = a_list_with_speakers()
    channel = push_address(served, slug)
    url = f"/events/{slug}/speakers/live.json"
    assert served.visitor().get(url).json()["current"] is None

    with Viewers(served.base_url + channel, served.base_url + url, served.verify, SUBSCRIBERS) as viewers:
        # The public side only subscribes: a message sent there is refused and reaches nobody.
        forged = served.visitor().post(channel, content=b"forged", headers={"Content-Type": "text/plain"})
        assert forged.status_code in (403, 405), forged.status_code

        start_speaker(served, email, event_id, first_id)
        received = viewers.wait()

    assert [len(data) for data in received] == [1] * SUBSCRIBERS, received
    versions = {data[0] for data in received}
    assert len(versions) == 1 and versions.pop().isdigit(), received[:3]  # the version, nothing else
    version = received[0][0]

    # Each viewer fetched live.json for that version the moment its event came, and saw the
    # change: nginx's copy of the second before is another address; the app answered once or a
    # few times, nginx's copy the others.
    answers = [fetched[0] for fetched in viewers.fetched]
    assert [a.status_code for a in answers] == [200] * SUBSCRIBERS
    assert {a.json()["current"]["delegation"] for a in answers} == {"Permanent Mission of Lithuania"}
    assert {a.headers["X-Cache"] for a in answers} - {"MISS"}, "every viewer's fetch reached the app"
    assert "@example.org" not in answers[0].text
    again = served.visitor().get(url, params={"v": version},
                                 headers={"If-None-Match": answers[0].headers["ETag"]})
    assert again.status_code == 304


def test_every_change_is_one_event_in_order(served):
    slug, event_id, email, first_id, _own = a_list_with_speakers()
    channel = push_address(served, slug)
    live_json = f"{served.base_url}/events/{slug}/speakers/live.json"
    with Viewers(served.base_url + channel, live_json, served.verify, 20, events=2) as viewers:
        chair = start_speaker(served, email, event_id, first_id)
        viewers.until(1)  # each fetched the list with its speaker before the next change
        act(chair, event_id, first_id, "delivered")
        received = viewers.wait()
    assert all(len(data) == 2 and int(data[1]) > int(data[0]) for data in received), received
    for started, finished in viewers.fetched:
        assert started.json()["current"]["delegation"] == "Permanent Mission of Lithuania"
        assert finished.json()["current"] is None
        assert [e["delegation"] for e in finished.json()["done"]] == ["Permanent Mission of Lithuania"]


def test_only_the_machine_publishes(served):
    """The publisher listens on the loopback address alone, in its own server: the public port has
    no publisher; a channel name other than a digest is not served at all."""
    channel = "0123456789abcdef01234567"
    assert livepush.publish(f"http://127.0.0.1:{served.publish_port}", channel, "1")
    public = served.visitor()
    assert public.post(f"/push/{channel}", content=b"1").status_code in (403, 405)
    # On the same keep-alive connection: the refused POST's body was read away, not taken as
    # the start of the next request.
    other = public.get("/push/not-a-channel")
    assert other.status_code == 404, (other.status_code, other.headers, other.text[:500])
    # A wrong address (the app itself, which has no publisher) is logged and answered False.
    assert not livepush.publish(f"http://127.0.0.1:{served.app_port}", channel, "1")
    assert not livepush.publish(served.base_url, channel, "1")  # https: not the publisher's form


@pytest.fixture(scope="module")
def unpublished(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``rsvp serve`` told of a publisher that is not there (nchan down, a port nothing listens on)."""
    _skip_without_servers()
    served = launch(app, tmp_path_factory.mktemp("served-push-down"), "serve",
                    RSVP_LIVE_PUBLISH_URL=f"http://127.0.0.1:{free_port()}")
    try:
        yield served
    finally:
        stop(served.processes)


@pytest.fixture
def down(unpublished: Served, app: Flask) -> Iterator[Served]:
    with app.app_context():
        _empty_tables()
        try:
            yield unpublished
        finally:
            db.session.remove()
            _empty_tables()


def test_a_publisher_down_leaves_the_console_working(down):
    unpublished = down
    slug, event_id, email, first_id, _own = a_list_with_speakers()
    page = unpublished.visitor().get(f"/events/{slug}/speakers/live")
    assert 'data-push="/push/' in page.text  # the page still tries; it polls while it cannot
    start_speaker(unpublished, email, event_id, first_id)
    live = unpublished.visitor().get(f"/events/{slug}/speakers/live.json")
    assert live.json()["current"]["delegation"] == "Permanent Mission of Lithuania"
    web = next(p for p in unpublished.processes if p.name == "web")
    assert "live push: publisher" in web.output() and "Traceback" not in web.output()


@pytest.mark.browser
def test_the_live_page_shows_a_change_on_push_without_waiting_for_a_poll(served, browser):
    """Chromium on the live page: once its event stream is open it polls only every 30 s; a
    change at the console shows through the fetch the pushed event makes (live.json?v=N)."""
    slug, event_id, email, first_id, _own = a_list_with_speakers()
    context = browser.new_context(base_url=served.base_url, ignore_https_errors=True)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url) if "/live.json" in request.url
                else None)
        page.goto(f"/events/{slug}/speakers/live")
        expect(page.locator("#live-current")).to_have_text("Nobody has the floor.")
        expect(page.locator("#live")).to_have_attribute("data-push-state", "open")
        before = len(fetched)

        start_speaker(served, email, event_id, first_id)
        # A bound on the wait, not a measure: the safety poll is 30 s away.
        expect(page.locator("#live-current")).to_contain_text("Permanent Mission of Lithuania",
                                                              timeout=15_000)
        expect(page.locator("#live-countdown")).to_be_visible()
        pushed = [url for url in fetched[before:] if "v=" in url]
        assert pushed, fetched
        assert page.locator("#live").get_attribute("data-push-state") == "open"
        screenshot(page, "live-push-en")
        page.goto(f"/events/{slug}/speakers/live?lang=ar")  # right to left, pushed as well
        expect(page.locator("#live")).to_have_attribute("data-push-state", "open")
        expect(page.locator("#live-countdown")).to_be_visible()
        screenshot(page, "live-push-ar")
    finally:
        context.close()
