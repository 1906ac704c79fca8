"""Public pages over HTTP: listings, the event page, the .ics file."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from rsvp.events.models import (
    EventDocument,
    EventFormat,
    EventPartner,
    EventStatus,
    PartnerKind,
    PartnerRole,
    ProgrammeRole,
)
from rsvp.extensions import db
from rsvp.timeutil import now_utc
from tests.factories import add_person, make_event, png_bytes, set_image


def test_upcoming_page_lists_events_with_times_in_their_zones(client, db_session):
    event = make_event(title="Voices of Uyghur camp survivors")
    draft = make_event(title="Secret draft", status=EventStatus.DRAFT)
    page = client.get("/").get_data(as_text=True)
    assert event.title in page and draft.title not in page
    assert "CET" in page or "CEST" in page
    assert "EST" in page or "EDT" in page
    assert f'href="/events/{event.slug}/register"' in page


def test_past_page_lists_ended_events_without_register_buttons(client, db_session):
    past = make_event(title="Launching the study", starts_at=now_utc() - timedelta(days=30))
    page = client.get("/past").get_data(as_text=True)
    assert past.title in page
    assert f"/events/{past.slug}/register" not in page
    assert past.title not in client.get("/").get_data(as_text=True)


def test_event_page_shows_everything_public_and_never_the_join_link(client, db_session):
    event = make_event(
        format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations",
        livestream_url="https://webtv.un.org/", image_credit="Photo: Flickr/Ivan Radic",
        join_url="https://meet.example.org/private-room", session="HRC47",
        description="We will highlight the **OURs** Trends Report.")
    add_person(event, "Victor Mallet", ProgrammeRole.MODERATOR, "Moderator", "Financial Times")
    add_person(event, "Mary Lawlor", ProgrammeRole.PANELIST, "Panel segment I")
    db.session.add_all([
        EventPartner(event=event, name="Sweden", kind=PartnerKind.STATE,
                     role=PartnerRole.CO_ORGANISER, position=0),
        EventPartner(event=event, name="ILGA World", kind=PartnerKind.NGO,
                     role=PartnerRole.CO_ORGANISER, position=1),
        EventDocument(event=event, title="Flyer", language="fr",
                      url="https://ishr.ch/flyer-fr.pdf", position=0),
    ])
    db.session.flush()
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Photo: Flickr/Ivan Radic" not in page  # a credit for no image says nothing
    for text in ("Room XXIV, Palais des Nations", "https://webtv.un.org/",
                 "HRC47", "<strong>OURs</strong>", "Victor Mallet", "Financial Times",
                 "Panel segment I", "Sweden", "ILGA World", "Co-organised by",
                 "Simultaneous interpretation: French and Spanish", "Closed captions: English",
                 "Flyer (French)", "Floor language: English", "data-local-span"):
        assert text in page, text
    assert "private-room" not in page


def test_cancelled_event_page_says_so_and_offers_no_registration(client, db_session):
    event = make_event(status=EventStatus.CANCELLED)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "This event has been cancelled." in page
    assert f"/events/{event.slug}/register" not in page


def test_draft_and_unknown_event_pages_are_404(client, db_session):
    draft = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/events/{draft.slug}").status_code == 404
    assert client.get(f"/events/{draft.slug}/event.ics").status_code == 404
    response = client.get("/events/not-an-event")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_ics_download(client, db_session):
    event = make_event(join_url="https://meet.example.org/private-room")
    response = client.get(f"/events/{event.slug}/event.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert f'filename="{event.slug}.ics"' in response.headers["Content-Disposition"]
    (entry,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert entry.decoded("dtstart") == event.starts_at
    assert b"private-room" not in response.data


def test_event_image_is_served_by_the_app_itself_with_its_credit(client, db_session):
    event = make_event(image_credit="Photo: UN Photo/Jean-Marc Ferré")
    name = set_image(event, png_bytes())
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f'<img src="/events/{event.slug}/image/{name}" alt="">' in page
    assert "<figcaption class=\"credit\">Photo: UN Photo/Jean-Marc Ferré</figcaption>" in page
    response = client.get(f"/events/{event.slug}/image/{name}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data == png_bytes()
    assert client.get(f"/events/{event.slug}/image/another-name.png").status_code == 404


def test_public_pages_are_served_from_memory_to_visitors_only(app, client, db_session,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    monkeypatch.setattr("rsvp.web._page_cache", {})
    event = make_event(title="Before the edit")
    assert "Before the edit" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    event.title = "After the edit"
    db_session.commit()
    # A visitor may see the page up to a minute old; the same bytes, no database work.
    assert "Before the edit" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    organiser = app.test_client()
    with organiser.session_transaction() as session:
        session["_flashes"] = [("success", "Saved.")]  # anyone with a session gets a fresh page
    assert "After the edit" in organiser.get(f"/events/{event.slug}").get_data(as_text=True)
    monkeypatch.setattr("rsvp.web._page_cache", {})  # the minute is over
    assert "After the edit" in client.get(f"/events/{event.slug}").get_data(as_text=True)
