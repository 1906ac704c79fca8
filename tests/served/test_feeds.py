"""The feeds and ``?lang=`` on the real servers: the same answers, ETags and 304s from every kind
(Flask's server, gunicorn with two workers, behind nginx over TLS)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from icalendar import Calendar

from rsvp.events.calendar import calendar_uid
from tests.factories import add_translation, make_event
from tests.feeds.openapi_check import check, check_schemas
from tests.served.conftest import setting_up


def test_feeds_and_a_page_in_french(served):
    with setting_up():
        event = make_event(title="Rights at risk", join_url="https://meet.example.org/secret-join-link")
        add_translation(event, "fr", "Droits en danger", "Un dialogue.")
        slug, uid = event.slug, calendar_uid(event, urlsplit(served.base_url).hostname or "")
    visitor = served.visitor(language="en")

    calendar = visitor.get("/events.ics")
    assert calendar.status_code == 200 and calendar.headers["Content-Type"].startswith("text/calendar")
    [entry] = Calendar.from_ical(calendar.content).walk("VEVENT")
    assert str(entry["UID"]) == uid and str(entry["SUMMARY"]) == "Rights at risk"

    document = visitor.get("/api/v1/openapi.json").json()
    check_schemas(document)
    listing = visitor.get("/api/v1/events?lang=fr")
    check(document, "/api/v1/events", listing.status_code, listing.json(), "application/json")
    assert [e["title"] for e in listing.json()["events"]] == ["Droits en danger"]
    one = visitor.get(f"/api/v1/events/{slug}?lang=fr")
    check(document, "/api/v1/events/{slug}", one.status_code, one.json(), "application/json")
    assert one.json()["url"] == f"{served.base_url}/events/{slug}?lang=fr"
    for response in (calendar, listing, one):
        assert "secret-join-link" not in response.text

    # Conditional requests: the same tag from every process, and 304 while nothing changed.
    for url, first in (("/events.ics", calendar), ("/api/v1/events?lang=fr", listing),
                       (f"/api/v1/events/{slug}?lang=fr", one)):
        etag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "public, max-age=60"
        assert all(visitor.get(url).headers["ETag"] == etag for _ in range(4)), url
        again = visitor.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", url

    page = visitor.get(f"/events/{slug}?lang=fr")
    assert page.status_code == 200 and '<html lang="fr"' in page.text and "Droits en danger" in page.text
    assert re.search(r'hreflang="en" lang="en">English</a>', page.text)
    assert page.headers["Set-Cookie"].startswith("lang=fr;")
    if served.base_url.startswith("https") or served.kind == "dev":  # production's cookie is Secure
        assert '<html lang="fr"' in visitor.get("/").text
    english = served.visitor(language="en").get(f"/events/{slug}")
    assert '<html lang="en"' in english.text and "Rights at risk" in english.text
    assert json.loads(visitor.get("/api/v1/events").text)["events"][0]["title"] == "Rights at risk"
