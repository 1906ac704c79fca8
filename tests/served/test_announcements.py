"""What an event announces, on the real servers: a person without a UN pass registers for the New York
side event and is emailed the webcast and the contact; a watch-only event offers no form anywhere."""

from __future__ import annotations

from rsvp.events.models import EventFormat, RegistrationRule, UnPremises
from tests.factories import make_event
from tests.served.conftest import setting_up
from tests.served.test_register import stored


def test_a_person_without_a_pass_registers_and_is_told_of_the_webcast(served):
    with setting_up():
        event = make_event(format=EventFormat.IN_PERSON, join_url=None, timezone="America/New_York",
                           venue="Conference Room 1, UN Headquarters, New York", display_timezones=[],
                           un_premises=UnPremises.NEW_YORK, registration_rule=RegistrationRule.WITHOUT_PASS,
                           grounds_pass_required=True, livestream_url="https://webtv.un.org/",
                           organiser_name="ISHR New York office", organiser_email="newyork@example.org")
        slug = event.slug

    person = served.visitor(language="en")
    page = person.get(f"/events/{slug}")
    assert "Then you need not register to attend in person: come straight in." in page.text
    form_page = person.get(f"/events/{slug}/register")
    assert 'type="radio" name="has_grounds_pass"' not in form_page.text
    response = person.submit(form_page, f"/events/{slug}/register", {
        "name": "Amina Diallo", "email": "amina@example.org", "organisation_type": "ngo",
        "passport_name": "DIALLO Amina", "nationality": "SN", "date_of_birth": "1990-04-02",
        "pass_organisation": "Human rights defenders' network", "pass_function": "Coordinator",
        "consent": "y"})
    assert response.status_code == 303, response.text[:3000]
    registration = stored("amina@example.org")
    assert registration.has_grounds_pass is False and registration.passport_name == "DIALLO Amina"

    (confirmation,) = served.wait_for_email("amina@example.org")
    text = " ".join(confirmation.get_body(("plain",)).get_content().split())
    assert "The event is also webcast live, for anyone to watch: https://webtv.un.org/" in text
    assert "Contact: ISHR New York office, newyork@example.org" in text
    assert "Where: Conference Room 1, UN Headquarters, New York" in text


def test_a_watch_only_event_offers_no_form_anywhere(served):
    with setting_up():
        event = make_event(registration_rule=RegistrationRule.NOBODY, un_premises=UnPremises.NONE,
                           join_url=None, livestream_url="https://webtv.un.org/live")
        slug = event.slug

    visitor = served.visitor(language="en")
    page = visitor.get(f"/events/{slug}")
    assert "No registration is needed" in page.text and 'href="https://webtv.un.org/live"' in page.text
    assert f"/events/{slug}/register" not in page.text
    assert f"/events/{slug}/register" not in visitor.get("/").text
    response = visitor.get(f"/events/{slug}/register")
    assert response.status_code == 303 and response.headers["location"].endswith(f"/events/{slug}")
    entry = visitor.get(f"/api/v1/events/{slug}").json()
    assert entry["registration"]["who"] == "nobody" and entry["livestream_url"] == "https://webtv.un.org/live"
