"""The public live speakers list polled by several viewers on the real servers: 304 Not Modified
while nothing changes, on whichever worker a poll lands, and the new list right after the
console changes it (behind nginx, whose shared copy lives a second, within a few polls).
Behind nginx: many viewers at once share that copy, each gets the encoding and language they
asked for, and nothing personal or cookie-bearing is ever kept or served to another client."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx
import pytest

from rsvp.auth.models import Role
from rsvp.speakers.notify import speaker_url
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.served.client import Visitor
from tests.served.conftest import setting_up
from tests.served.test_sessions import log_in

VIEWERS = 5
POLLS = 4
#: Viewers polling at once behind nginx; polls, a second apart, within which a change must show.
CROWD = 40
POLLS_TO_SEE = 5


def changed_list(served, viewer, url: str, etag: str) -> httpx.Response:
    """The viewer's first poll that no longer answers 304 to ``etag``: the first poll straight
    to the app; behind nginx one of POLLS_TO_SEE a second apart (its copy lives a second)."""
    for _ in range(POLLS_TO_SEE if served.kind == "nginx" else 1):
        answer = viewer.get(url, headers={"If-None-Match": etag})
        if answer.status_code != 304:
            return answer
        time.sleep(1)
    return answer


def test_viewers_get_304_until_the_console_changes_the_list(served):
    with setting_up():
        event = make_event()
        make_speakers_list(event, floor_starts_at=event.starts_at)
        first = make_speaker(event, delegation="Permanent Mission of Lithuania")
        make_speaker(event, delegation="Human Rights Watch")
        organiser = make_organiser()
        grant_role(event, organiser, Role.MANAGER)
        slug, event_id, email, first_id = event.slug, event.public_id, organiser.email, first.public_id
    url = f"/events/{slug}/speakers/live.json"

    viewers = [served.visitor(headers={"Accept-Encoding": "gzip"}) for _ in range(VIEWERS)]
    answers = [viewer.get(url) for viewer in viewers]
    assert [a.status_code for a in answers] == [200] * VIEWERS
    assert all(a.headers["Content-Encoding"] == "gzip" for a in answers)
    etags = {a.headers["ETag"] for a in answers}
    assert len(etags) == 1, etags  # the same list gives the same ETag on every worker
    etag = etags.pop()
    assert all(a.json()["current"] is None for a in answers)

    for _ in range(POLLS):
        for viewer in viewers:
            again = viewer.get(url, headers={"If-None-Match": etag})
            assert again.status_code == 304 and again.content == b""
            assert datetime.fromisoformat(again.headers["Server-Now"]).utcoffset() is not None

    start_speaker(served, email, event_id, first_id)

    # Right after the console's answer every viewer gets the new list; behind nginx, whose shared
    # copy lives a second, within a few polls a second apart.
    changed = [changed_list(served, viewer, url, etag) for viewer in viewers]
    assert [c.status_code for c in changed] == [200] * VIEWERS
    for answer in changed:
        current = answer.json()["current"]
        assert current["delegation"] == "Permanent Mission of Lithuania"
        assert [e["delegation"] for e in answer.json()["queue"]] == ["Human Rights Watch"]
        # The countdown a browser shows: the time allowed, less the server's now minus the start.
        elapsed = (datetime.fromisoformat(answer.headers["Server-Now"])
                   - datetime.fromisoformat(current["started_at"])).total_seconds()
        assert 0 <= elapsed < current["seconds_allowed"]
    new_etag = changed[0].headers["ETag"]
    assert new_etag != etag and {c.headers["ETag"] for c in changed} == {new_etag}
    assert all(viewer.get(url, headers={"If-None-Match": new_etag}).status_code == 304
               for viewer in viewers)
    assert "@example.org" not in json.dumps(changed[0].json())


def start_speaker(served, email: str, event_id: str, speaker_id: str) -> Visitor:
    """The organiser starts ``speaker_id`` at the console; their browser, logged in."""
    chair = served.visitor()
    log_in(chair, email)
    act(chair, event_id, speaker_id, "start")
    return chair


def act(chair: Visitor, event_id: str, speaker_id: str, action: str) -> None:
    """The logged-in organiser presses ``action`` (start, delivered…) for ``speaker_id`` at the console."""
    console = chair.get(f"/manage/events/{event_id}/speakers")
    token = chair.form(console, f"/manage/events/{event_id}/speakers/order").values["csrf_token"][0]
    done = chair.post(f"/manage/events/{event_id}/speakers/{speaker_id}/act",
                      data={"action": action, "csrf_token": token},
                      headers={"Referer": str(console.url)})
    assert done.status_code in (200, 303), done.text[:2000]


def cached_files(served) -> list[bytes]:
    """What nginx's shared cache holds: each file starts with its key (KEY: ...) and the headers."""
    folder = served.instance.parent / "nginx" / "live-cache"
    return [path.read_bytes() for path in Path(folder).rglob("*") if path.is_file()]


class ListWithSpeakers(NamedTuple):
    slug: str
    event_id: str
    manager_email: str
    first_id: str
    #: The first speaker's own status.json (personal: never shared).
    own: str


def a_list_with_speakers() -> ListWithSpeakers:
    """An event with a live list of two speakers (the first with an address) and its manager."""
    with setting_up():
        event = make_event()
        make_speakers_list(event, floor_starts_at=event.starts_at)
        first = make_speaker(event, delegation="Permanent Mission of Lithuania", email="ana@example.org")
        make_speaker(event, delegation="Human Rights Watch")
        organiser = make_organiser()
        grant_role(event, organiser, Role.MANAGER)
        return ListWithSpeakers(event.slug, event.public_id, organiser.email, first.public_id,
                                urlsplit(speaker_url(first)).path + "/status.json")


def test_a_crowd_behind_nginx_shares_one_copy_and_nothing_personal(served):
    if served.kind != "nginx":
        pytest.skip("the shared copy is nginx's (deploy/nginx/rsvp.conf)")
    slug, event_id, email, first_id, own = a_list_with_speakers()
    url = f"/events/{slug}/speakers/live.json"

    crowd = [served.visitor(headers={"Accept-Encoding": "gzip"}) for _ in range(CROWD)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda viewer: viewer.get(url), crowd))
        assert [a.status_code for a in answers] == [200] * CROWD
        assert {a.headers["Content-Encoding"] for a in answers} == {"gzip"}
        assert {a.headers["Cache-Control"] for a in answers} == {"public, max-age=1"}
        assert not any("Set-Cookie" in a.headers for a in answers)
        etags = {a.headers["ETag"] for a in answers}
        assert len(etags) == 1, etags
        etag = etags.pop()
        assert all([e["delegation"] for e in a.json()["queue"]]
                   == ["Permanent Mission of Lithuania", "Human Rights Watch"] for a in answers)
        # The app built it once or a few times; the rest came from nginx's copy.
        assert {a.headers["X-Cache"] for a in answers} - {"MISS"}, [a.headers["X-Cache"] for a in answers]
        # If-None-Match gets its 304 through the cache, with the clock now.
        again = crowd[0].get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert datetime.fromisoformat(again.headers["Server-Now"]).utcoffset() is not None

        # A viewer who did not ask for gzip gets plain JSON, though gzipped copies are kept.
        plain = served.visitor(headers={"Accept-Encoding": "identity"}).get(url)
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
        assert json.loads(plain.content) == answers[0].json()
        # Each language its own copy: by ?lang=, by the switcher's cookie, by Accept-Language.
        english = answers[0].json()["queue"][0]["category_label"]
        by_cookie = served.visitor(headers={"Accept-Encoding": "gzip"})
        by_cookie.http.cookies.set("lang", "fr")
        for french in (served.visitor(headers={"Accept-Encoding": "gzip"}).get(url, params={"lang": "fr"}),
                       served.visitor(language="fr", headers={"Accept-Encoding": "gzip"}).get(url),
                       by_cookie.get(url)):
            assert french.status_code == 200
            assert french.json()["queue"][0]["category_label"] != english

        # The speaker's own status is personal: never kept, so it changes the moment the list does.
        speaker = served.visitor()
        before = speaker.get(own)
        assert before.status_code == 200 and before.json()["has_floor"] is False
        assert before.headers["Cache-Control"] == "no-store" and "X-Cache" not in before.headers

        chair = start_speaker(served, email, event_id, first_id)
        now = [speaker.get(own), served.visitor().get(own)]
        assert [s.json()["has_floor"] for s in now] == [True, True]
        assert not any("X-Cache" in s.headers for s in now)

        # The organiser watches the public list with their session: whatever the app answers
        # them, another viewer's copy never carries a cookie.
        assert chair.get(url).status_code == 200
        for viewer in crowd[:3]:
            assert "Set-Cookie" not in viewer.get(url).headers

        # Every viewer of the crowd sees the change within a few polls.
        changed = list(pool.map(lambda viewer: changed_list(served, viewer, url, etag), crowd))
        assert [c.status_code for c in changed] == [200] * CROWD
        assert {c.json()["current"]["delegation"] for c in changed} == {"Permanent Mission of Lithuania"}

    # What nginx kept: the live list's answers only; no cookie, no address, no speaker's page.
    kept = cached_files(served)
    assert kept
    for entry in kept:
        key = entry.split(b"\nKEY: ", 1)[1].split(b"\n", 1)[0]
        assert b"/speakers/live.json" in key and b"/s/" not in key, key
        assert b"Set-Cookie" not in entry and b"@example.org" not in entry, entry[:600]
