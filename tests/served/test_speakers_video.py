"""An NGO that cannot be in the room inscribes with a video statement larger than anything else
the site takes, on the real servers (behind nginx too); the chair opens it from the console and
the browser's player seeks in it with byte ranges."""

from __future__ import annotations

import re

from rsvp.auth.models import Role
from tests.factories import grant_role, make_event, make_organiser, make_speakers_list
from tests.served.conftest import setting_up
from tests.served.test_sessions import log_in
from tests.speakers import media

#: Over the 10 MiB the rest of the site takes (and the 11 MiB nginx lets through elsewhere).
VIDEO = media.mp4(12 * 1024 * 1024 + 123)


def test_a_video_statement_is_sent_and_played_back_with_ranges(served):
    with setting_up():
        event = make_event(title="Interactive dialogue on the Delta")
        make_speakers_list(event)
        chair = make_organiser()
        grant_role(event, chair, Role.VIEWER)
        slug, event_id, email = event.slug, event.public_id, chair.email
    action = f"/events/{slug}/speakers"

    ngo = served.visitor()
    page = ngo.get(action)
    form = ngo.form(page, action)
    fields = {name: values[0] for name, values in form.values.items() if values}
    fields |= {"name": "Lysa Moreau", "delegation": "Defenders of the Delta", "category": "ngo",
               "capacity": "individual", "language": "en", "email": "lysa@example.org", "consent": "y"}
    # The browser's word for the type is not taken: the content says MP4.
    upload = {"video": ("statement.bin", VIDEO, "application/octet-stream")}
    sent = ngo.post(action, data=fields, files=upload, headers={"Referer": str(page.url)})
    assert sent.status_code == 303, sent.text[:2000]
    assert "statement.mp4" in ngo.follow(sent).text

    refused = ngo.post(action, data={**fields, "delegation": "Another NGO"},
                       files={"video": ("statement.mp4", media.PNG, "video/mp4")},
                       headers={"Referer": str(page.url)})
    assert refused.status_code == 422
    assert "The video must be an MP4 or WebM file" in refused.text and 'value="Another NGO"' in refused.text

    viewer = served.visitor()
    log_in(viewer, email)
    console = viewer.get(f"/manage/events/{event_id}/speakers").text
    # Its row in the queue, and "Next up": the same player.
    (player_path,) = set(re.findall(r'href="(/manage/events/[^"]+/video)" data-field="video">', console))
    player = viewer.get(player_path)
    assert player.status_code == 200
    assert "media-src 'self'" in player.headers["Content-Security-Policy"]
    (source,) = re.findall(r'<video class="speaker-video"[^>]*\ssrc="([^"]+)"', player.text, re.S)

    start = viewer.get(source, headers={"Range": "bytes=0-63"})
    assert start.status_code == 206 and start.content == VIDEO[:64]
    assert start.headers["Content-Type"] == "video/mp4"
    assert start.headers["Content-Range"] == f"bytes 0-63/{len(VIDEO)}"
    assert start.headers["X-Content-Type-Options"] == "nosniff"
    assert start.headers["Content-Disposition"] == "inline"
    middle = len(VIDEO) // 2
    seek = viewer.get(source, headers={"Range": f"bytes={middle}-{middle + 999}"})
    assert seek.status_code == 206 and seek.content == VIDEO[middle:middle + 1000]
    whole = viewer.get(source)
    assert whole.status_code == 200 and whole.content == VIDEO

    assert served.visitor().get(source).status_code in (302, 303)  # the public: to the login page
