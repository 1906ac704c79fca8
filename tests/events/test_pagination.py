"""Long lists come in pages: "Page n of m" and links that keep the list's filter."""

from __future__ import annotations

import re
from datetime import timedelta

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations import notify
from rsvp.registrations.models import RegistrationStatus
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration


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


ABSURD_PAGES = ["99999999999999999999999", str(2**63), str(2**62), "0", "-4", "two", ""]


def test_a_page_past_the_end_shows_the_last_page(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "EVENTS_PER_PAGE", 2)
    ended = now_utc() - timedelta(days=30)
    for n in range(5):
        starts = ended - timedelta(days=n)
        make_event(title=f"Past event number {n}", starts_at=starts, ends_at=starts + timedelta(hours=1))
    for number in ["4", "99999999999999999999999", str(2**63)]:
        page = client.get(f"/past?page={number}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200, number
        assert "Page 3 of 3" in text and "Past event number 4" in text
        assert links(text) == {"prev": "/past?page=2"}


def test_no_page_number_breaks_a_list(app, client, db_session):
    """Every paginated list answers any ?page= with a page of its items, on both databases."""
    event = make_event(ends_at=now_utc() - timedelta(days=1), starts_at=now_utc() - timedelta(days=2))
    owner = make_organiser()
    grant_role(event, owner, Role.OWNER)
    notify.status_email(make_registration(event, email="ana@example.org"))
    audit.record(event, "someone@example.org", AuditAction.CHANGED_EVENT, "renamed the event")
    db.session.commit()
    log_in(client, owner.email)
    lists = {"/past": event.title,
             f"/manage/events/{event.public_id}/registrations": "ana@example.org",
             f"/manage/events/{event.public_id}/emails": "ana@example.org",
             f"/manage/events/{event.public_id}/audit": "renamed the event"}
    for path, item in lists.items():
        for number in ABSURD_PAGES:
            page = client.get(f"{path}?page={number}")
            assert page.status_code == 200, (path, number)
            assert item in page.get_data(as_text=True), (path, number)
