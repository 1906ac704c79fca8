"""The registration form over HTTP: success, every kind of bad input, CSRF."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from rsvp.events.models import EventFormat, EventStatus
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.sealing import digest
from rsvp.timeutil import now_utc
from tests.factories import add_question, make_event

VALID = {
    "name": "Glacier Kwong",
    "email": "glacier@example.org",
    "organisation": "Keep Hong Kong Free",
    "organisation_type": "ngo",
    "country": "DE",
    "attendance_mode": "online",
    "interpretation_language": "fr",
    "captions": "y",
    "accessibility_needs": "",
    "consent": "y",
}


def registrations(db_session, event) -> list[Registration]:
    return list(db_session.scalars(sa.select(Registration).where(Registration.event_id == event.id)))


def test_register_then_see_the_confirmation_page(client, db_session):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data=VALID)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{event.slug}/registered")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your email" in page and "glacier@example.org" in page
    (stored,) = registrations(db_session, event)
    assert stored.status is RegistrationStatus.CONFIRMED
    assert (stored.country, stored.interpretation_language, stored.captions) == ("DE", "fr", True)


def test_confirmation_page_shows_nothing_to_another_visitor(app, client, db_session):
    event = make_event()
    client.post(f"/events/{event.slug}/register", data=VALID)
    stranger = app.test_client()
    response = stranger.get(f"/events/{event.slug}/registered")
    assert response.status_code == 302
    assert "glacier" not in response.get_data(as_text=True)


def test_form_offers_only_the_events_interpretation_languages(client, db_session):
    event = make_event(interpretation_languages=["es", "fr"])
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert '<option value="fr">French</option>' in page
    assert '<option value="es">Spanish</option>' in page
    form = page.split("</main>")[0]  # the footer's language switcher aside
    assert 'value="pt"' not in form and 'value="ug"' not in form


def test_missing_fields_get_clear_messages_and_nothing_is_saved(client, db_session):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data={"email": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Enter your name.", "Enter your email address.",
                    "Choose what you are attending for.",
                    "Please accept the privacy notice to register."):
        assert message in page
    assert registrations(db_session, event) == []


def test_bad_email_is_explained(client, db_session):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data={**VALID, "email": "ana@"})
    assert response.status_code == 422
    assert "Enter a valid email address" in response.get_data(as_text=True)
    # what the person typed is kept in the form
    assert 'value="Glacier Kwong"' in response.get_data(as_text=True)


def test_language_not_offered_is_refused(client, db_session):
    event = make_event(interpretation_languages=["fr"])
    response = client.post(f"/events/{event.slug}/register",
                           data={**VALID, "interpretation_language": "ug"})
    assert response.status_code == 422
    assert "offers no interpretation into that language" in response.get_data(as_text=True)
    assert registrations(db_session, event) == []


def test_hybrid_event_asks_how_to_attend(client, db_session):
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations")
    form = {k: v for k, v in VALID.items() if k != "attendance_mode"}
    response = client.post(f"/events/{event.slug}/register", data=form)
    assert response.status_code == 422
    assert "Choose how you will attend." in response.get_data(as_text=True)
    response = client.post(f"/events/{event.slug}/register",
                           data={**form, "attendance_mode": "in_person"})
    assert response.status_code == 303
    (stored,) = registrations(db_session, event)
    assert stored.attendance_mode.value == "in_person"


def test_online_event_refuses_in_person_attendance(client, db_session):
    event = make_event(format=EventFormat.ONLINE)
    response = client.post(f"/events/{event.slug}/register",
                           data={**VALID, "attendance_mode": "in_person"})
    assert response.status_code == 422
    assert registrations(db_session, event) == []


def test_second_registration_looks_like_a_first_and_emails_the_existing_link(app, client,
                                                                             db_session):
    event = make_event(capacity_online=1)
    fresh = client.post(f"/events/{event.slug}/register", data=VALID, follow_redirects=True)
    first_page = fresh.get_data(as_text=True)
    again = app.test_client().post(f"/events/{event.slug}/register",
                                   data={**VALID, "email": "Glacier@Example.org", "name": "Other"},
                                   follow_redirects=True)
    # Nobody can learn from the form whether an address is registered.
    assert (again.status_code, again.get_data(as_text=True)) == (200, first_page)
    (stored,) = registrations(db_session, event)
    assert stored.name == "Glacier Kwong" and stored.status is RegistrationStatus.CONFIRMED
    assert db_session.get(type(event), event.id).taken_online == 1  # no second seat kept
    kinds = list(db_session.scalars(sa.select(OutboxMessage.kind).where(
        OutboxMessage.recipient_hash == digest("glacier@example.org")).order_by(OutboxMessage.id)))
    assert kinds == ["registration-confirmed", "registration-links"]


def test_full_event_without_waitlist_says_so(client, db_session):
    event = make_event(capacity_online=0, waitlist_enabled=False)
    response = client.post(f"/events/{event.slug}/register", data=VALID)
    assert response.status_code == 409
    assert "no seats left" in response.get_data(as_text=True)


def test_full_event_with_waitlist_puts_people_on_it(client, db_session):
    event = make_event(capacity_online=0)
    response = client.post(f"/events/{event.slug}/register", data=VALID, follow_redirects=True)
    assert "Check your email" in response.get_data(as_text=True)
    (stored,) = registrations(db_session, event)
    assert stored.status is RegistrationStatus.WAITLISTED


def test_closed_window_says_when_and_saves_nothing(client, db_session):
    event = make_event(registration_closes_at=now_utc() - timedelta(hours=1))
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Registration closed on" in page and "<form" not in page.split("<main")[1].split("</main>")[0]
    response = client.post(f"/events/{event.slug}/register", data=VALID)
    assert "Registration closed on" in response.get_data(as_text=True)
    assert registrations(db_session, event) == []


def test_cancelled_event_cannot_be_registered_for(client, db_session):
    event = make_event(status=EventStatus.CANCELLED)
    client.post(f"/events/{event.slug}/register", data=VALID)
    assert registrations(db_session, event) == []


def test_draft_and_unknown_events_are_404(client, db_session):
    draft = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/events/{draft.slug}/register").status_code == 404
    assert client.post(f"/events/{draft.slug}/register", data=VALID).status_code == 404
    assert client.get("/events/nothing-here/register").status_code == 404
    assert registrations(db_session, draft) == []


def test_forged_csrf_token_is_refused_with_a_clear_page(csrf_client, db_session):
    event = make_event()
    response = csrf_client.post(f"/events/{event.slug}/register",
                                data={**VALID, "csrf_token": "forged"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert registrations(db_session, event) == []


def test_real_csrf_token_is_accepted(csrf_client, db_session):
    import re

    event = make_event()
    page = csrf_client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post(f"/events/{event.slug}/register",
                                data={**VALID, "csrf_token": token})
    assert response.status_code == 303


def test_oversized_input_is_refused_without_500(client, db_session):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register",
                           data={**VALID, "name": "x" * 5000, "accessibility_needs": "y" * 5000})
    assert response.status_code == 422
    assert registrations(db_session, event) == []


def test_the_form_asks_a_question_as_it_reads_now_in_each_language(client, db_session):
    """The form's class is kept per process by its questions' wording: an edit shows at once,
    and each language gets its own wording (and the interpretation choices in its words)."""
    event = make_event(interpretation_languages=["fr"])
    question = add_question(event, "Your question to the panel",
                            translations={"fr": {"label": "Votre question au panel"}})
    page = client.get(f"/events/{event.slug}/register?lang=en").get_data(as_text=True)
    assert "Your question to the panel" in page and "Votre question" not in page
    french = client.get(f"/events/{event.slug}/register?lang=fr").get_data(as_text=True)
    assert "Votre question au panel" in french and "Your question to the panel" not in french
    assert "Français" in french or "français" in french
    question.label = "What would you ask the panel?"
    question.translations = {"fr": {"label": "Que demanderiez-vous au panel ?"}}
    db.session.commit()
    page = client.get(f"/events/{event.slug}/register?lang=en").get_data(as_text=True)
    assert "What would you ask the panel?" in page and "Your question to the panel" not in page
    french = client.get(f"/events/{event.slug}/register?lang=fr").get_data(as_text=True)
    assert "Que demanderiez-vous au panel ?" in french and "Votre question au panel" not in french
    answered = {**VALID, f"question_{question.id}": "Who decides?"}
    assert client.post(f"/events/{event.slug}/register", data=answered).status_code == 303
    registration = db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert registration.answers == {str(question.id): "Who decides?"}
