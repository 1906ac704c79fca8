"""The public live speakers list polled by several viewers on the real servers: 304 Not Modified
while nothing changes, on whichever worker a poll lands, and the new list right after the
console changes it."""

from __future__ import annotations

import json
from datetime import datetime

from rsvp.auth.models import Role
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.served.conftest import setting_up
from tests.served.test_sessions import log_in

VIEWERS = 5
POLLS = 4


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
            assert again.headers["Server-Now"].endswith("Z")

    chair = served.visitor()
    log_in(chair, email)
    console = chair.get(f"/manage/events/{event_id}/speakers")
    token = chair.form(console, f"/manage/events/{event_id}/speakers/order").values["csrf_token"][0]
    started = chair.post(f"/manage/events/{event_id}/speakers/{first_id}/act",
                         data={"action": "start", "csrf_token": token},
                         headers={"Referer": str(console.url)})
    assert started.status_code in (200, 303), started.text[:2000]

    # Right after the console's answer, with no wait: every viewer gets the new list.
    changed = [viewer.get(url, headers={"If-None-Match": etag}) for viewer in viewers]
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
