"""What an event announces, as people see it: the 2013 New York side event entered through the editor,
a pass holder told they need not register, the watch-only Xinjiang event, a French visitor of a
translated event, and the visitor's own time without a leading zero. Screenshots in test-artifacts/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from rsvp.auth.models import Role
from rsvp.events.demo import load_events
from rsvp.events.models import (
    Event,
    EventPartner,
    EventStatus,
    PartnerKind,
    PartnerRole,
    ProgrammeRole,
    RegistrationRule,
    UnPremises,
)
from rsvp.extensions import db
from rsvp.timeutil import now_utc, to_local
from tests.browser.conftest import assert_accessible, log_in, open_page, screenshot
from tests.factories import add_person, add_translation, grant_role, make_event, make_organiser

pytestmark = pytest.mark.browser

NY = "America/New_York"
DESCRIPTION = ("Join us in Conference Room 1 at UN Headquarters in New York for a side event on the role "
               "of civil society and human rights defenders at the United Nations.\n\n"
               "If you do not have a UN pass and would like to attend, please RSVP by 12:00 pm on the "
               "Friday before the event.\n\nThe event will also be webcast live on UN Web TV.")


def test_the_new_york_side_event_entered_in_the_editor_reads_like_its_announcement(page, live_db):
    admin = make_organiser(email="ny-office@example.org", is_admin=True)
    day = (to_local(now_utc(), NY) + timedelta(days=20)).date()
    log_in(page, admin.email)
    page.goto("/manage/events/new")
    page.get_by_label("Title").fill("Civil society voices at the UN: a side event at UN Headquarters")
    page.get_by_label("Summary").fill("A side event in Conference Room 1 at UN Headquarters, webcast live.")
    page.get_by_label("Description", exact=True).fill(DESCRIPTION)
    page.get_by_label("The event's time zone").select_option(NY)
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Starts at").fill("13:15")
    page.get_by_label("Ends at").fill("14:30")
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("Venue").fill("Conference Room 1, UN Headquarters, New York")
    page.get_by_label("UN New York (UN Headquarters)").check()
    page.get_by_label("Public livestream", exact=True).fill("https://webtv.un.org/")
    page.get_by_label("Contact name").fill("ISHR New York office")
    page.get_by_label("Contact email").fill("newyork@example.org")
    page.get_by_label("Only people without a UN grounds pass register").check()
    page.get_by_label("Registration closes on").fill((day - timedelta(days=5)).isoformat())
    page.locator("#closes_time").fill("12:00")
    page.get_by_label("Ask in-person participants whether they hold a UN grounds pass").check()
    screenshot(page, "announce-editor-new-york")
    page.get_by_role("button", name="Save the draft").first.click()
    page.wait_for_url("**/edit")
    assert "The draft is saved." in page.get_by_role("status").first.inner_text()
    assert_accessible(page)
    details = page.url
    page.goto(details + "?lang=ar")
    assert page.get_by_label("الأمم المتحدة في نيويورك (المقر)").is_checked()
    screenshot(page, "announce-editor-new-york-ar")
    page.goto(details + "?lang=en")
    page.get_by_role("link", name="Publish, cancel, copy").click()
    page.get_by_role("button", name="Publish the event").click()
    assert "The event is published" in page.get_by_role("status").first.inner_text()

    db.session.remove()
    event = db.session.scalar(sa.select(Event).where(Event.title.like("Civil society voices%")))
    assert event.status is EventStatus.PUBLISHED
    assert event.un_premises is UnPremises.NEW_YORK
    assert event.registration_rule is RegistrationRule.WITHOUT_PASS
    closes = to_local(event.registration_closes_at, NY)
    assert (closes.hour, (to_local(event.starts_at, NY).date() - closes.date()).days) == (12, 5)

    page.goto(f"/events/{event.slug}")
    article = " ".join(page.locator("article").inner_text().split())  # CLDR's narrow spaces
    for text in ("Conference Room 1, UN Headquarters, New York", "1:15", "2:30", "ISHR New York office",
                 "Watch the public livestream", "12:00 PM"):
        assert text in article, text
    assert "sent to registered participants only" not in article and "Palais des Nations" not in article
    notice = page.locator(".panel-register .rule-pass-holders")
    assert notice.inner_text() == ("Do you hold a UN grounds pass for UN Headquarters in New York? Then you "
                                   "need not register to attend in person: come straight in.")
    assert page.get_by_role("link", name="newyork@example.org").get_attribute("href") == (
        "mailto:newyork@example.org")
    assert_accessible(page)
    screenshot(page, "announce-new-york-event-en")
    page.goto(f"/events/{event.slug}?lang=ar")
    assert "مقر الأمم المتحدة في نيويورك" in page.locator(".panel-register").inner_text()
    assert_accessible(page)
    screenshot(page, "announce-new-york-event-ar")


def test_a_pass_holder_is_told_they_need_not_register_and_others_give_only_pass_details(page, live_db):
    event = make_event(title="Civil society voices at the UN", format="in_person", join_url=None,
                       venue="Conference Room 1, UN Headquarters, New York", timezone=NY,
                       un_premises=UnPremises.NEW_YORK, registration_rule=RegistrationRule.WITHOUT_PASS,
                       grounds_pass_required=True, display_timezones=[])
    page.goto(f"/events/{event.slug}")
    register = page.get_by_role("link", name="Register without a UN grounds pass")
    come_in = page.get_by_text("Then you need not register to attend in person: come straight in.")
    expect(come_in).to_be_visible()
    register.click()
    expect(page.get_by_label("Full name as in your passport")).to_be_visible()  # the form, now
    expect(page.get_by_text("Then you need not register to attend in person")).to_be_visible()
    assert page.get_by_role("radiogroup", name=re.compile("Do you hold")).count() == 0
    assert_accessible(page)
    screenshot(page, "announce-register-without-pass")


def test_the_watch_only_event_shows_no_form_and_links_to_its_livestream(page, live_db):
    load_events(now_utc())
    db.session.commit()
    slug = "high-level-event-uyghurs-turkic-muslim-minorities-xinjiang"
    page.goto(f"/events/{slug}")
    panel = page.locator(".panel-register")
    assert "No registration is needed" in panel.inner_text()
    assert panel.get_by_role("link", name="Watch live").get_attribute("href") == "https://webtv.un.org/"
    assert page.get_by_role("link", name="Register").count() == 0
    assert "sent to registered participants only" not in page.content()
    assert_accessible(page)
    screenshot(page, "announce-watch-only-en")
    page.goto(f"/events/{slug}/register")
    page.wait_for_url(f"**/events/{slug}")
    page.goto(f"/events/{slug}?lang=ar")
    assert page.locator(".panel-register").get_by_role("link").count() == 1
    screenshot(page, "announce-watch-only-ar")


def test_a_french_visitor_reads_the_venue_and_partners_in_french(browser, live_server):
    load_events(now_utc())
    db.session.commit()
    with open_page(browser, live_server, {"width": 1280, "height": 900}, locale="fr-FR") as page:
        page.goto("/events/rights-at-risk-time-for-action")
        article = page.locator("article").inner_text()
        assert "Salle XXIV, Palais des Nations, Genève" in article
        assert "Mission permanente de la Suède auprès de l'ONU à Genève" in article
        assert "Service international pour les droits de l'homme" in article
        assert "Room XXIV" not in article and "Permanent Mission of Sweden" not in article
        assert "n'ont pas traduit" not in article  # all of it is in French
        assert_accessible(page)
        screenshot(page, "announce-translated-fr")


def test_a_french_visitor_reads_the_programme_headings_and_affiliations_in_french(browser, live_server):
    event = make_event(title="Assessing the National Security Law in Hong Kong")
    add_person(event, "Victor Mallet", ProgrammeRole.MODERATOR, affiliation="Financial Times")
    add_person(event, "Clément Voule", ProgrammeRole.PANELIST, segment="Panel segment I",
               affiliation="Special Rapporteur on the Rights to Freedom of Peaceful Assembly")
    translation = add_translation(event, "fr", "La loi sur la sécurité nationale à Hong Kong")
    translation.phrases = {"Panel segment I": "Premier segment du panel",
                           "Financial Times": "Financial Times",
                           "Special Rapporteur on the Rights to Freedom of Peaceful Assembly":
                               "Rapporteur spécial sur le droit de réunion pacifique"}
    db.session.commit()
    with open_page(browser, live_server, {"width": 1280, "height": 900}, locale="fr-FR") as page:
        page.goto(f"/events/{event.slug}")
        programme = page.locator("section", has=page.get_by_role("heading", name="Programme")).inner_text()
        assert "Premier segment du panel" in programme and "Modérateur" in programme
        assert "Rapporteur spécial sur le droit de réunion pacifique" in programme
        assert "Panel segment I" not in programme
        screenshot(page, "announce-programme-fr")


def test_the_visitors_own_time_has_no_leading_zero(browser, live_server):
    event = make_event(starts_at=now_utc().replace(hour=17, minute=0, second=0, microsecond=0)
                       + timedelta(days=3), display_timezones=[])
    context = browser.new_context(base_url=live_server, timezone_id="America/Sao_Paulo", locale="en-US")
    try:
        page = context.new_page()
        page.goto(f"/events/{event.slug}")
        line = page.locator(".when-local").inner_text()
        assert line.startswith("Your time:") and "(America/Sao Paulo)" in line
        assert "2:00 PM" in line and not re.search(r"\b0\d:\d\d", line), line
    finally:
        context.close()


def test_an_organiser_translates_the_programme_partners_and_venue_in_the_editor(page, browser, live_server):
    event = make_event(title="Rights at Risk: Time for Action", format="hybrid",
                       venue="Room XXIV, Palais des Nations, Geneva")
    add_person(event, "Marianne Bertrand", ProgrammeRole.MODERATOR, segment="Panel segment I",
               affiliation="International Service for Human Rights")
    db.session.add(EventPartner(event=event, name="Permanent Mission of Sweden", kind=PartnerKind.STATE,
                                role=PartnerRole.CO_ORGANISER, position=0))
    db.session.commit()
    organiser = make_organiser(email="translator@example.org")
    grant_role(event, organiser, Role.MANAGER)
    log_in(page, organiser.email)
    page.goto(f"/manage/events/{event.public_id}/edit/translations/fr")
    texts = page.get_by_role("group", name="Programme, partners, venue, documents and contact")
    page.get_by_label("Title").fill("Les droits en danger : il est temps d'agir")
    for original, french in (("Room XXIV, Palais des Nations, Geneva",
                              "Salle XXIV, Palais des Nations, Genève"),
                             ("Panel segment I", "Premier segment du panel"),
                             ("International Service for Human Rights",
                              "Service international pour les droits de l'homme"),
                             ("Permanent Mission of Sweden", "Mission permanente de la Suède")):
        texts.get_by_label(original, exact=True).fill(french)
    assert_accessible(page)
    screenshot(page, "announce-translation-editor-fr")
    page.get_by_role("button", name="Save the translation").first.click()
    page.get_by_text("Your changes are saved.").wait_for()
    page.goto(f"/manage/events/{event.public_id}/edit/translations/fr?lang=ar")
    screenshot(page, "announce-translation-editor-fr-ar")

    with open_page(browser, live_server, {"width": 1280, "height": 900}, locale="fr-FR") as french:
        french.goto(f"/events/{event.slug}")
        article = french.locator("article").inner_text()
        for text in ("Salle XXIV, Palais des Nations, Genève", "Premier segment du panel",
                     "Service international pour les droits de l'homme", "Mission permanente de la Suède"):
            assert text in article, text
        # The description is not translated: the note says so, once.
        assert french.locator(".content-note").count() == 1
