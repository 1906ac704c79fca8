"""Long lists come in pages: "Page n of m" and links that keep the list's filter."""

from __future__ import annotations

import re
from datetime import timedelta

from rsvp.registrations.models import RegistrationStatus
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration


def links(page: str) -> dict[str, str]:
    """rel -> href of the pagination's links."""
    nav = re.search(r'<nav class="pagination".*?</nav>', page, re.S)
    assert nav, "no pagination"
    return {rel: href.replace("&amp;", "&")
            for href, rel in re.findall(r'href="([^"]+)" rel="(prev|next)"', nav.group(0))}


def test_past_events_come_in_pages(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "EVENTS_PER_PAGE", 2)
    ended = now_utc() - timedelta(days=30)
    for n in range(5):
        starts = ended - timedelta(days=n)
        make_event(starts_at=starts, ends_at=starts + timedelta(hours=1))
    first = client.get("/past").get_data(as_text=True)
    assert "Page 1 of 3" in first and links(first) == {"next": "/past?page=2"}
    middle = client.get("/past?page=2").get_data(as_text=True)
    assert "Page 2 of 3" in middle
    assert links(middle) == {"prev": "/past?page=1", "next": "/past?page=3"}


def test_the_registration_list_pages_keep_the_filter_and_sort(client, manager):
    for n in range(60):
        make_registration(manager, email=f"person{n}@example.org", status=RegistrationStatus.WAITLISTED)
    make_registration(manager, email="confirmed@example.org")
    page = client.get(f"/manage/events/{manager.public_id}/registrations?status=waitlisted&sort=name")
    text = page.get_data(as_text=True)
    assert "Page 1 of 2" in text
    following = links(text)["next"]
    assert "status=waitlisted" in following and "sort=name" in following and "page=2" in following
    second = client.get(following).get_data(as_text=True)
    assert "Page 2 of 2" in second and "confirmed@example.org" not in second
