"""What an event announces: who must register, whose grounds pass, the contact, the webcast and the
recording, the image's description; the bugs of issue 16 on the editor and the event page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from rsvp.editor import lifecycle
from rsvp.editor import services as editor
from rsvp.events.demo import load_events
from rsvp.events.models import Event, EventFormat, RegistrationRule, UnPremises
from rsvp.events.services import own_time
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from tests.events.test_editor_views import form_of, page_of
from tests.factories import make_event, set_image


def new_york_side_event(**fields) -> Event:
    """In person at UN Headquarters; pass holders walk in; webcast live."""
    values = {"format": EventFormat.IN_PERSON, "venue": "Conference Room 1, UN Headquarters, New York",
              "timezone": "America/New_York", "display_timezones": [], "join_url": None,
              "un_premises": UnPremises.NEW_YORK, "registration_rule": RegistrationRule.WITHOUT_PASS,
              "grounds_pass_required": True, "livestream_url": "https://webtv.un.org/",
              "organiser_name": "ISHR New York office", "organiser_email": "newyork@example.org"}
    return make_event(**{**values, **fields})


def watch_only_event() -> Event:
    return make_event(registration_rule=RegistrationRule.NOBODY, un_premises=UnPremises.NONE,
                      livestream_url="https://webtv.un.org/live", join_url=None,
                      timezone="America/New_York")


# -- who must register ------------------------------------------------------------------------------

def test_a_pass_holder_is_told_on_the_event_page_they_need_not_register(client, db_session):
    event = new_york_side_event()
    page = page_of(client.get(f"/events/{event.slug}"))
    assert ("Do you hold a UN grounds pass for UN Headquarters in New York? Then you need not register "
            "to attend in person: come straight in.") in page
    assert "Register without a UN grounds pass</a>" in page
    assert "Palais des Nations" not in page
    assert "sent to registered participants only" not in page


def test_the_registration_form_names_new_york_and_asks_only_what_a_pass_request_needs(client, db_session):
    event = new_york_side_event()
    page = page_of(client.get(f"/events/{event.slug}/register"))
    assert "To enter UN Headquarters in New York you need a UN grounds pass: we request it for you." in page
    assert "need not register" in page
    assert 'name="has_grounds_pass" value="no"' in page and 'type="radio" name="has_grounds_pass"' not in page
    assert "Full name as in your passport" in page and "Palais des Nations" not in page


def test_the_grounds_pass_question_names_each_venue(client, db_session):
    geneva = make_event(format=EventFormat.IN_PERSON, grounds_pass_required=True)
    nairobi = make_event(format=EventFormat.IN_PERSON, grounds_pass_required=True,
                         un_premises=UnPremises.OTHER, duty_station="the UN Office at Nairobi")
    new_york = make_event(format=EventFormat.IN_PERSON, grounds_pass_required=True,
                          un_premises=UnPremises.NEW_YORK)
    asked = {event.slug: page_of(client.get(f"/events/{event.slug}/register"))
             for event in (geneva, nairobi, new_york)}
    assert "Do you hold a valid UN grounds pass for the Palais des Nations (UN Geneva)?" in asked[geneva.slug]
    assert "Do you hold a valid UN grounds pass for the UN Office at Nairobi?" in asked[nairobi.slug]
    assert "Do you hold a valid UN grounds pass for UN Headquarters in New York?" in asked[new_york.slug]
    assert "Palais des Nations" not in asked[new_york.slug] + asked[nairobi.slug]
    no_pass = make_event(format=EventFormat.IN_PERSON, grounds_pass_required=True,
                         un_premises=UnPremises.NONE)
    no_pass_page = page_of(client.get(f"/events/{no_pass.slug}/register"))
    assert "Do you hold a valid UN grounds pass" not in no_pass_page


def test_a_watch_only_event_has_no_form_no_join_link_and_links_to_its_livestream(client, db_session):
    event = watch_only_event()
    page = page_of(client.get(f"/events/{event.slug}"))
    assert "No registration is needed: this event is followed on its public livestream." in page
    assert 'href="https://webtv.un.org/live" rel="noopener noreferrer">Watch live</a>' in page
    assert "sent to registered participants only" not in page
    assert f"/events/{event.slug}/register" not in page
    response = client.get(f"/events/{event.slug}/register")
    assert response.status_code == 303 and response.location.endswith(f"/events/{event.slug}")
    assert client.post(f"/events/{event.slug}/register", data={"name": "x"}).status_code == 303


# -- the editor ------------------------------------------------------------------------------------

def test_the_editor_saves_the_announcement_and_the_page_shows_it(client, manager):
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, format="in_person", venue="Conference Room 1, UN Headquarters", join_url="",
        un_premises="new_york", registration_rule="without_pass", grounds_pass_required="y",
        livestream_url="https://webtv.un.org/", recording_url="https://webtv.un.org/recording",
        organiser_name="ISHR New York", organiser_email="newyork@example.org",
        social_account="@ISHRglobal", hashtag="HRCelections2021"))
    assert response.status_code == 303
    db.session.expire_all()
    assert (manager.un_premises, manager.registration_rule) == (UnPremises.NEW_YORK,
                                                                RegistrationRule.WITHOUT_PASS)
    assert manager.hashtag == "#HRCelections2021" and manager.organiser_email == "newyork@example.org"
    page = page_of(client.get(f"/events/{manager.slug}"))
    assert '<a href="mailto:newyork@example.org"><bdi>newyork@example.org</bdi></a>' in page
    assert "@ISHRglobal" in page and "#HRCelections2021" in page
    assert 'href="https://webtv.un.org/recording" rel="noopener noreferrer">Watch the recording</a>' in page
    edit = page_of(client.get(f"/manage/events/{manager.public_id}/edit"))
    assert '<input checked id="un_premises-1" name="un_premises" type="radio" value="new_york">' in edit


def test_a_rule_that_cannot_hold_is_explained_and_what_was_typed_is_kept(client, manager):
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, registration_rule="nobody", livestream_url="", title="Kept title"))
    assert response.status_code == 422
    page = page_of(response)
    assert "A watch-only event needs its public livestream" in page and 'value="Kept title"' in page
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, registration_rule="without_pass", un_premises="none"))
    assert "Pass holders can come straight in only to an event on UN premises" in page_of(response)
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, un_premises="other", duty_station=""))
    assert "Name the UN duty station below." in page_of(response)
    db.session.expire_all()
    assert manager.title == "Voices of Uyghur camp survivors"


def test_a_watch_only_event_keeps_no_join_link(client, manager):
    client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, registration_rule="nobody", livestream_url="https://webtv.un.org/"))
    db.session.expire_all()
    assert manager.registration_rule is RegistrationRule.NOBODY and manager.join_url is None


def test_saving_the_details_unchanged_records_no_change(client, manager):
    """A browser sends the description's line breaks as CRLF and the languages in the form's order."""
    manager.description = "First paragraph.\n\nSecond paragraph."
    manager.interpretation_languages = ["es", "fr"]
    manager.reminder_offsets = [1440]  # what form_of ticks
    manager.starts_at = manager.starts_at.replace(second=0)
    manager.ends_at = manager.ends_at.replace(second=0)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = client.post(f"/manage/events/{manager.public_id}/edit", data=form_of(
        manager, description="First paragraph.\r\n\r\nSecond paragraph.", interpretation=["fr", "es"]))
    assert response.status_code == 303
    assert "Nothing was changed." in page_of(client.get(response.location))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
    db.session.expire_all()
    assert manager.interpretation_languages == ["es", "fr"]


def test_a_long_title_gives_an_address_cut_between_words():
    title = ("High-level virtual event on the situation of Uyghurs and other Turkic Muslim minorities "
             "in Xinjiang")
    slug = editor.slugify(title)
    assert slug == "high-level-virtual-event-on-the-situation-of-uyghurs-and-other-turkic-muslim"
    assert len(slug) <= editor.SLUG_MAX
    assert editor.slugify("x" * 100) == "x" * editor.SLUG_MAX


def test_the_image_description_is_its_alt_text(client, manager):
    set_image(manager)
    client.post(f"/manage/events/{manager.public_id}/edit/image",
                data={"image_alt": "Delegates in Room XXIV", "image_credit": "Photo: UN Photo"})
    db.session.expire_all()
    assert manager.image_alt == "Delegates in Room XXIV"
    page = page_of(client.get(f"/events/{manager.slug}"))
    assert 'alt="Delegates in Room XXIV"' in page and "Photo: UN Photo" in page


# -- times -----------------------------------------------------------------------------------------

def test_your_time_names_the_zone_once(app):
    event = Event(starts_at=datetime(2031, 5, 12, 13, 27, tzinfo=UTC),
                  ends_at=datetime(2031, 5, 12, 13, 57, tzinfo=UTC), timezone="America/New_York",
                  display_timezones=[])
    with app.test_request_context():
        utc = own_time(event, "UTC")
        assert utc is not None and " ".join(utc.split()).endswith("1:27 – 1:57 PM UTC")
        assert "(UTC)" not in utc
        assert own_time(event, "Asia/Kolkata").endswith("(Asia/Kolkata)")
        assert own_time(event, "America/New_York") is None  # printed already


def test_the_browsers_own_time_has_no_leading_zero():
    script = open("static/js/local-time.js", encoding="utf-8").read()
    assert 'hour: "2-digit"' not in script and 'hour: "numeric"' in script


# -- the demo --------------------------------------------------------------------------------------

def test_the_demo_enters_the_new_york_side_event_and_the_watch_only_event_faithfully(db_session):
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    added = {event.slug: event for event in load_events(now)}
    new_york = added["civil-society-voices-at-un-headquarters-2013"]
    assert new_york.format is EventFormat.IN_PERSON and new_york.venue.startswith("Conference Room 1")
    assert (new_york.un_premises, new_york.registration_rule) == (UnPremises.NEW_YORK,
                                                                  RegistrationRule.WITHOUT_PASS)
    assert new_york.livestream_url and new_york.join_url is None
    zone = ZoneInfo("America/New_York")
    closes, starts = new_york.registration_closes_at.astimezone(zone), new_york.starts_at.astimezone(zone)
    assert (closes.hour, closes.minute) == (12, 0) and (starts.date() - closes.date()).days == 5
    xinjiang = added["high-level-event-uyghurs-turkic-muslim-minorities-xinjiang"]
    assert xinjiang.registration_rule is RegistrationRule.NOBODY
    assert xinjiang.join_url is None and xinjiang.livestream_url == "https://webtv.un.org/"
    assert lifecycle.publish_problems(xinjiang, now) == []
