"""The announcement beyond the event page: the confirmation email, the translation editor and the
French reader, the feeds, and the migration that adds it to events already there."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from icalendar import Calendar

from rsvp.auth.models import Role
from rsvp.editor import translations as translating
from rsvp.editor.translations import Translation
from rsvp.events.models import (
    EventFormat,
    EventPartner,
    PartnerKind,
    PartnerRole,
    ProgrammeRole,
    RegistrationRule,
    UnPremises,
)
from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.registrations import notify
from rsvp.registrations.models import AttendanceMode
from tests.auth.conftest import log_in
from tests.events.test_announcements import new_york_side_event
from tests.factories import (
    add_person,
    add_translation,
    grant_role,
    make_event,
    make_organiser,
    make_registration,
)
from tests.feeds.test_feeds import api, openapi  # noqa: F401 - fixtures
from tests.mail.conftest import smtp  # noqa: F401 - the real SMTP server
from tests.mail.test_delivery import parts
from tests.speakers.test_migration import NOW, empty_app, event_row, insert  # noqa: F401 - a fixture

JOIN_WORDING = "Join online with this link, sent only to registered participants (please do not pass it on):"


def test_the_confirmation_mentions_the_webcast_and_the_contact_and_names_the_zone_once(
        db_session, smtp):  # noqa: F811
    event = new_york_side_event()
    make_registration(event, email="ny@example.org", attendance_mode=AttendanceMode.IN_PERSON,
                      timezone="UTC")
    notify.status_email(db.session.scalars(sa.select(notify.Registration)).one())
    db.session.commit()
    worker.send_pending()
    (message,) = smtp.inbox.to("ny@example.org")
    text, html = parts(message)
    text = " ".join(text.split())
    assert "The event is also webcast live, for anyone to watch: https://webtv.un.org/" in text
    assert "Where: Conference Room 1, UN Headquarters, New York" in text
    assert "Contact: ISHR New York office, newyork@example.org" in text
    assert '<a href="mailto:newyork@example.org">newyork@example.org</a>' in html
    assert "Your time:" in text and "UTC (UTC)" not in text


def test_the_join_link_is_not_called_personal(db_session, smtp):  # noqa: F811
    event = make_event()
    make_registration(event, email="online@example.org")
    notify.status_email(db.session.scalars(sa.select(notify.Registration)).one())
    db.session.commit()
    worker.send_pending()
    (message,) = smtp.inbox.to("online@example.org")
    text, html = parts(message)
    assert "personal link" not in text + html
    assert JOIN_WORDING in " ".join(text.split())


def french_event():
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations, Geneva",
                       organiser_name="ISHR Geneva office", organiser_email="geneva@example.org")
    add_person(event, "Victor Mallet", ProgrammeRole.MODERATOR, segment="Panel segment I",
               affiliation="Financial Times")
    db.session.add(EventPartner(event=event, name="International Service for Human Rights",
                                kind=PartnerKind.NGO, role=PartnerRole.CO_ORGANISER, position=0))
    db.session.commit()
    return event


FRENCH = {"Room XXIV, Palais des Nations, Geneva": "Salle XXIV, Palais des Nations, Genève",
          "Panel segment I": "Premier segment du panel",
          "International Service for Human Rights": "Service international pour les droits de l'homme",
          "ISHR Geneva office": "Bureau de l'ISHR à Genève"}


def test_a_french_visitor_reads_headings_partners_and_venue_in_french(client, db_session):
    event = french_event()
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    form = client.get(f"/manage/events/{event.public_id}/edit/translations/fr").get_data(as_text=True)
    assert "Panel segment I" in form and "Financial Times" in form and "ISHR Geneva office" in form
    changed = translating.save_translation(
        event, "fr", Translation(title="Les droits en danger", phrases={**FRENCH, "Gone": "Parti"}), [],
        organiser.email)
    db.session.commit()
    assert changed == ["added"]
    assert "Gone" not in event.translations[0].phrases  # only the event's own texts are kept

    client.set_cookie("lang", "fr")
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    for french in FRENCH.values():
        assert french.replace("'", "&#39;") in page, french
    assert "Room XXIV" not in page and "Panel segment I<" not in page
    event.format = EventFormat.IN_PERSON  # the form names the venue where nobody chooses
    db.session.commit()
    form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Salle XXIV, Palais des Nations, Genève" in form
    # "Financial Times" is not translated: the page says part of it is in English, and marks it
    assert '<bdi class="person-affiliation" lang="en">Financial Times</bdi>' in page
    assert "certains de ses textes" in page or "une partie de son texte" in page


def test_the_confirmation_reaches_a_french_registrant_with_the_french_venue(db_session, smtp):  # noqa: F811
    event = french_event()
    translation = add_translation(event, "fr", "Les droits en danger")
    translation.phrases = FRENCH
    db.session.commit()
    make_registration(event, email="fr@example.org", language="fr", attendance_mode=AttendanceMode.IN_PERSON)
    notify.status_email(db.session.scalars(sa.select(notify.Registration)).one())
    db.session.commit()
    worker.send_pending()
    (message,) = smtp.inbox.to("fr@example.org")
    text, _html = parts(message)
    assert "Salle XXIV, Palais des Nations, Genève" in text and "Bureau de l'ISHR à Genève" in text


def test_the_feeds_carry_the_public_announcement_and_never_the_join_link(client, db_session, api):  # noqa: F811
    event = new_york_side_event(recording_url="https://webtv.un.org/rec", hashtag="#UNGA",
                                social_account="@ISHRglobal")
    entry = api(f"/api/v1/events/{event.slug}").get_json()
    assert entry["contact"] == {"name": "ISHR New York office", "email": "newyork@example.org"}
    assert (entry["recording_url"], entry["hashtag"], entry["social_account"]) == (
        "https://webtv.un.org/rec", "#UNGA", "@ISHRglobal")
    assert entry["registration"]["who"] == "without_pass"
    assert entry["registration"]["un_premises"] == "new_york"
    body = client.get(f"/events/{event.slug}/event.ics").data
    (vevent,) = Calendar.from_ical(body).walk("VEVENT")
    description = str(vevent["DESCRIPTION"])
    assert "https://webtv.un.org/" in description and "newyork@example.org" in description


def test_the_migration_gives_events_already_there_the_rule_they_had(empty_app):  # noqa: F811
    with empty_app.app_context():
        upgrade(revision="b1c2d3e4f5a6")
        with db.engine.begin() as connection:
            values = event_row("launch", None)
            del values["speakers_list"]
            insert(connection, "events", **values)
            event_id = connection.execute(sa.text("SELECT id FROM events")).scalar_one()
            insert(connection, "event_translations", event_id=event_id, language="fr", title="Lancement",
                   summary="", description="", created_at=NOW, updated_at=NOW)
        upgrade()
        with db.engine.connect() as connection:
            row = connection.execute(sa.text(
                "SELECT registration_rule, un_premises, organiser_email FROM events")).one()
            assert tuple(row) == (RegistrationRule.EVERYONE.value, UnPremises.GENEVA.value, None)
            phrases = connection.execute(sa.text("SELECT phrases FROM event_translations")).scalar_one()
            assert phrases in ("{}", {})
        downgrade(revision="b1c2d3e4f5a6")
        with db.engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("events")}
            assert "registration_rule" not in columns and "hashtag" not in columns


def test_a_translation_is_complete_only_with_the_shorter_texts(db_session):
    event = french_event()
    add_translation(event, "fr", "Les droits en danger", summary="Un dialogue.",
                    description="Rejoignez-nous.")
    assert translating.coverage(event, [])["fr"] is translating.Coverage.PART
    event.translations[0].phrases = {**FRENCH, "Financial Times": "Financial Times"}
    assert translating.coverage(event, [])["fr"] is translating.Coverage.COMPLETE


def test_another_duty_station_is_named_in_the_readers_language(client, db_session):
    event = make_event(format=EventFormat.IN_PERSON, grounds_pass_required=True,
                       un_premises=UnPremises.OTHER, duty_station="the UN Office at Nairobi")
    add_translation(event, "fr", "Un événement").phrases = {
        "the UN Office at Nairobi": "l'Office des Nations Unies à Nairobi"}
    db.session.commit()
    client.set_cookie("lang", "fr")
    form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "badge d'accès de l'ONU valide pour l'Office des Nations Unies à Nairobi" in form
