"""The feeds of upcoming events: /events.ics parsed back with icalendar, the JSON API checked
against the OpenAPI document it serves, caching and conditional requests, and nothing private."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from icalendar import Calendar

from rsvp.events.calendar import calendar_uid
from rsvp.events.models import AttendanceMode, EventFormat, EventStatus
from rsvp.extensions import db
from rsvp.timeutil import now_utc
from rsvp.urls import public_domain
from tests.factories import add_translation, make_event, make_registration
from tests.feeds.openapi_check import check, check_schemas

API_PATHS = {"/api/v1/events": "/api/v1/events", "/api/v1/events/": "/api/v1/events/{slug}"}


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    check_schemas(document)
    return document


@pytest.fixture
def api(client, openapi):
    """GET an API address; the answer is checked against the OpenAPI document before it is returned."""
    def get(url, **kwargs):
        response = client.get(url, **kwargs)
        path = url.split("?")[0]
        template = "/api/v1/events" if path == "/api/v1/events" else "/api/v1/events/{slug}"
        body = json.loads(response.data) if response.data else None
        check(openapi, template, response.status_code, body, response.mimetype)
        return response
    return get


def entries(calendar_bytes: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(calendar_bytes)
    return {str(entry["UID"]): entry for entry in calendar.walk("VEVENT")}


def test_ics_feed_has_every_upcoming_public_event_as_its_own_file_has_it(client, db_session):
    soon = make_event(title="Soon", sequence=3, venue="Room XXIV, Palais des Nations")
    cancelled = make_event(title="Called off", status=EventStatus.CANCELLED,
                           starts_at=now_utc() + timedelta(days=2))
    draft = make_event(title="Not yet public", status=EventStatus.DRAFT)
    past = make_event(title="Over", starts_at=now_utc() - timedelta(days=3))

    response = client.get("/events.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    found = entries(response.data)
    domain = public_domain()
    assert set(found) == {calendar_uid(soon, domain), calendar_uid(cancelled, domain)}
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Called off", "Soon"]  # soonest first
    entry = found[calendar_uid(soon, domain)]
    assert int(entry["SEQUENCE"]) == 3 and str(entry["LOCATION"]) == "Room XXIV, Palais des Nations"
    assert entry["DTSTART"].dt == soon.starts_at and entry["DTEND"].dt == soon.ends_at
    assert str(entry["URL"]).endswith(f"/events/{soon.slug}")
    assert str(found[calendar_uid(cancelled, domain)]["STATUS"]) == "CANCELLED"
    assert str(entry["STATUS"]) == "CONFIRMED"
    # The same UID and SEQUENCE as the event's own calendar file: a calendar holding both keeps one.
    own = entries(client.get(f"/events/{soon.slug}/event.ics").data)
    assert set(own) == {calendar_uid(soon, domain)}
    assert int(own[calendar_uid(soon, domain)]["SEQUENCE"]) == 3
    text = response.get_data(as_text=True)
    assert "secret-join-link" not in text and draft.title not in text and past.title not in text


def test_ics_feed_is_in_the_language_asked_for_where_translated(client, db_session):
    translated = make_event(title="Rights at risk")
    add_translation(translated, "fr", "Droits en danger", "Un dialogue.")
    untranslated = make_event(title="Only in English")
    found = entries(client.get("/events.ics?lang=fr").data)
    domain = public_domain()
    french = found[calendar_uid(translated, domain)]
    assert str(french["SUMMARY"]) == "Droits en danger" and french["SUMMARY"].params["LANGUAGE"] == "fr"
    assert str(french["URL"]).endswith(f"/events/{translated.slug}?lang=fr")
    english = found[calendar_uid(untranslated, domain)]
    assert str(english["SUMMARY"]) == "Only in English" and english["SUMMARY"].params["LANGUAGE"] == "en"
    # An unknown code is ignored: the main language.
    plain = entries(client.get("/events.ics?lang=xx").data)[calendar_uid(translated, domain)]
    assert str(plain["SUMMARY"]) == "Rights at risk"


def test_json_feed_gives_public_fields_times_languages_and_links(api, db_session):
    event = make_event(title="Rights at risk", session="HRC59", format=EventFormat.HYBRID,
                       venue="Room XXIV", livestream_url="https://webtv.un.org/x", floor_language="en",
                       interpretation_languages=["fr", "es"], caption_languages=["en", "ar"],
                       timezone="Europe/Zurich", display_timezones=["America/New_York"])
    add_translation(event, "es", "Derechos en riesgo", "Un diálogo.")
    body = api("/api/v1/events").get_json()
    assert body["language"] is None
    assert {link["language"] for link in body["translations"]} == {"en", "fr", "es", "pt", "ru", "zh", "ar"}
    [entry] = body["events"]
    assert entry["slug"] == event.slug and entry["title"] == "Rights at risk"
    assert entry["language"] == entry["main_language"] == "en"
    assert entry["starts_at"] == event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert entry["timezone"] == "Europe/Zurich" and entry["display_timezones"] == ["America/New_York"]
    assert entry["languages"] == {"floor": "en", "interpretation": ["fr", "es"], "captions": ["en", "ar"]}
    assert entry["session"] == "HRC59" and entry["format"] == "hybrid" and entry["venue"] == "Room XXIV"
    assert entry["registration"]["state"] == "open"
    assert entry["registration"]["url"].endswith(f"/events/{event.slug}/register")
    assert [(t["language"], t["url"].rsplit("/", 1)[1]) for t in entry["translations"]] == [
        ("en", f"{event.slug}?lang=en"), ("es", f"{event.slug}?lang=es")]
    assert api(f"/api/v1/events/{event.slug}").get_json() == entry


def test_json_feed_translates_per_lang_and_says_what_fell_back(api, db_session):
    event = make_event(title="Rights at risk", summary="A dialogue.", description="The **text**.")
    add_translation(event, "fr", "Droits en danger", "Un dialogue.")
    entry = api(f"/api/v1/events/{event.slug}?lang=fr").get_json()
    assert entry["language"] == "fr" and entry["title"] == "Droits en danger"
    assert entry["text_languages"] == {"title": "fr", "summary": "fr", "description": "en"}
    assert entry["description"] == "The **text**."
    assert entry["description_html"] == "<p>The <strong>text</strong>.</p>"
    assert entry["url"].endswith(f"/events/{event.slug}?lang=fr")
    assert entry["registration"]["url"].endswith(f"/events/{event.slug}/register?lang=fr")
    listing = api("/api/v1/events?lang=fr").get_json()
    assert listing["language"] == "fr" and listing["events"] == [entry]
    # Arabic has no translation: the main language, said so; an unknown code is ignored.
    arabic = api(f"/api/v1/events/{event.slug}?lang=ar").get_json()
    assert arabic["language"] == "ar" and arabic["title"] == "Rights at risk"
    assert arabic["text_languages"]["title"] == "en"
    assert api(f"/api/v1/events/{event.slug}?lang=xx").get_json()["language"] == "en"


def test_registration_states(api, db_session):
    now = now_utc()
    make_event(slug="open")
    make_event(slug="full", capacity_online=1, taken_online=1)
    make_event(slug="full-in-part", format=EventFormat.HYBRID, capacity_in_person=1,
               taken_in_person=1)
    make_event(slug="later", registration_opens_at=now + timedelta(days=1))
    make_event(slug="closed", registration_closes_at=now - timedelta(hours=1),
               registration_opens_at=now - timedelta(days=2))
    make_event(slug="cancelled", status=EventStatus.CANCELLED)
    make_event(slug="under-way", starts_at=now - timedelta(minutes=30))
    states = {e["slug"]: e["registration"]["state"] for e in api("/api/v1/events").get_json()["events"]}
    assert states == {"open": "open", "full": "full", "full-in-part": "open", "later": "not_yet_open",
                      "closed": "closed", "cancelled": "closed", "under-way": "closed"}


def test_unknown_draft_and_past_events_are_404_in_json(api, db_session):
    draft = make_event(status=EventStatus.DRAFT)
    past = make_event(starts_at=now_utc() - timedelta(days=3))
    for slug in ("no-such-event", draft.slug, past.slug):
        response = api(f"/api/v1/events/{slug}")
        assert response.status_code == 404 and response.get_json() == {"error": "not_found"}


def test_no_join_link_and_no_attendee_data_in_any_feed(client, api, db_session):
    event = make_event(title="Rights at risk", join_url="https://meet.example.org/secret-join-link")
    make_registration(event, email="defender@example.org", name="Ana Defender",
                      organisation="Hidden Org", attendance_mode=AttendanceMode.ONLINE)
    bodies = [client.get(url).get_data(as_text=True)
              for url in ("/events.ics", "/events.ics?lang=fr", "/api/v1/openapi.json")]
    bodies += [api(url).get_data(as_text=True)
               for url in ("/api/v1/events", f"/api/v1/events/{event.slug}?lang=es")]
    assert all("Rights at risk" in body for body in bodies[:2] + bodies[3:])
    for body in bodies:
        for private in ("secret-join-link", "meet.example.org", "defender@example.org", "Ana Defender",
                        "Hidden Org", "join_url"):
            assert private not in body


@pytest.mark.parametrize("url", ["/events.ics", "/api/v1/events?lang=fr", "/api/v1/events/{slug}",
                                 "/api/v1/openapi.json"])
def test_feeds_are_cacheable_and_conditional(client, db_session, url):
    event = make_event(title="Rights at risk")
    url = url.format(slug=event.slug)
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert client.get(url).headers["ETag"] == etag  # the same bytes, the same tag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"another"'}).status_code == 200
    if "openapi" not in url:
        event.title = "Moved to Room XX"
        db.session.commit()
        changed = client.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert "Moved to Room XX" in changed.get_data(as_text=True)


def test_feeds_are_kept_in_memory_and_still_answer_304(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    monkeypatch.setattr("rsvp.web._page_cache", {})
    event = make_event(title="Before the edit")
    first = client.get("/api/v1/events")
    event.title = "After the edit"
    db.session.commit()
    cached = client.get("/api/v1/events")
    assert cached.data == first.data and cached.mimetype == "application/json"
    assert cached.headers["ETag"] == first.headers["ETag"]
    assert cached.headers["Cache-Control"] == "public, max-age=60"
    assert client.get("/api/v1/events", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # Each language is its own copy.
    french = client.get("/api/v1/events?lang=fr")
    assert french.get_json()["language"] == "fr" and "After the edit" in french.get_data(as_text=True)
