"""Exports downloaded over real HTTP from a served app, as an organiser's browser does.

The test client keeps the test's own session open around a response; a real
server ends the request's session before the body is streamed, which is where
an export that still reads ORM objects breaks off.
"""

from __future__ import annotations

import csv
import io
import re
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from rsvp.auth.models import Role
from rsvp.events.models import QuestionKind
from rsvp.exports.jobs import build_exports
from rsvp.timeutil import now_utc
from tests.auth.conftest import PASSWORD
from tests.factories import add_question, grant_role, make_event, make_organiser, make_registration


class Browser:
    """Cookies kept between requests, forms posted with the page's CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> bytes:
        return self.fetch(path)[1]

    def fetch(self, path: str) -> tuple[str, bytes]:
        """The address reached (after redirects) and the body."""
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.url.removeprefix(self.base), response.read()

    def log_in(self, email: str) -> None:
        page = self.get("/manage/login").decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, "the login form has a CSRF token"
        form = urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)})
        with self.opener.open(self.base + "/manage/login", form.encode(), timeout=30) as response:
            assert response.url.endswith("/manage"), "logged in"


@pytest.fixture
def listed(live_server):
    event = make_event(timezone="America/New_York")
    topic = add_question(event, "Topic you follow")
    languages = add_question(event, "Languages", QuestionKind.MULTIPLE_CHOICE,
                             options=["French", "Spanish"])
    for n in range(12):
        make_registration(event, name=f"Delegate {n:02}",
                          answers={topic.key: f"Reprisals, case {n}",
                                   languages.key: ["French", "Spanish"] if n % 2 else ["French"]})
    manager = make_organiser()
    grant_role(event, manager, Role.MANAGER)
    browser = Browser(live_server)
    browser.log_in(manager.email)
    return event.public_id, browser


def test_attendee_csv_with_answers_comes_back_whole(listed):
    public_id, browser = listed
    data = browser.get(f"/manage/events/{public_id}/exports/attendees.csv?questions=1")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Topic you follow", "Languages"]
    assert [row[0] for row in rows[1:]] == [f"Delegate {n:02}" for n in range(12)]
    assert rows[4][-2:] == ["Reprisals, case 3", "French and Spanish"]


def test_attendee_xlsx_with_answers_comes_back_whole(listed):
    public_id, browser = listed
    data = browser.get(f"/manage/events/{public_id}/exports/attendees.xlsx?questions=1")
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]
    assert rows[0][-2:] == ["Topic you follow", "Languages"]
    assert [row[0] for row in rows[1:]] == [f"Delegate {n:02}" for n in range(12)]
    assert rows[11][-2:] == ["Reprisals, case 10", "French"]


def test_a_large_xlsx_is_prepared_by_the_worker_then_downloaded(app, listed, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 3)
    public_id, browser = listed
    page, body = browser.fetch(f"/manage/events/{public_id}/exports/attendees.xlsx?questions=1")
    assert page.startswith(f"/manage/events/{public_id}/exports/prepared/")
    assert "0 of 12 rows" in body.decode()
    assert build_exports(now_utc()) == 1  # what the worker does on its next pass
    assert "Ready: 12 rows" in browser.get(page).decode()
    rows = [[cell.value for cell in row]
            for row in load_workbook(io.BytesIO(browser.get(f"{page}/file"))).active.iter_rows()]
    assert [row[0] for row in rows[1:]] == [f"Delegate {n:02}" for n in range(12)]
    assert rows[11][-2:] == ["Reprisals, case 10", "French"]
