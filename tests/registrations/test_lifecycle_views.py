"""Over HTTP: changing and erasing through the manage link, double opt-in, fresh links,
custom questions and the UN grounds-pass questions on the form."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from rsvp.events.models import EventFormat, Question, QuestionKind
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.notify import confirm_url, manage_url
from tests.factories import make_event, make_registration, written
from tests.registrations.test_views import VALID

S = RegistrationStatus


def local(url: str) -> str:
    return url.removeprefix("http://localhost")


def outbox(kind: str) -> list[OutboxMessage]:
    return [written(m) for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == kind))]


def stored(event) -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id)))


def add_question(event, kind: QuestionKind, label: str, **fields) -> Question:
    question = Question(event_id=event.id, kind=kind, label=label, **fields)
    db.session.add(question)
    db.session.commit()
    return question


def test_manage_page_changes_the_interpretation_language(client, db_session):
    registration = make_registration(make_event(), interpretation_language="fr")
    response = client.post(local(manage_url(registration)), data={
        "attendance_mode": "online", "interpretation_language": "es"}, follow_redirects=True)
    assert "Your changes are saved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert registration.interpretation_language == "es"


def test_a_bad_change_gets_a_message_and_keeps_what_was_saved(client, db_session):
    registration = make_registration(make_event(), interpretation_language="fr",
                                     accessibility_needs="Wheelchair access")
    response = client.post(local(manage_url(registration)), data={
        "attendance_mode": "online", "interpretation_language": "xx",
        "accessibility_needs": "changed"})
    assert response.status_code == 422
    assert "This event offers no interpretation into that language." in response.get_data(
        as_text=True)
    db.session.expire_all()
    assert (registration.interpretation_language, registration.accessibility_needs) == (
        "fr", "Wheelchair access")


def test_erasing_needs_the_box_ticked_then_the_link_dies(client, db_session):
    registration = make_registration(make_event(), email="defender@example.org", name="Ana")
    path = local(manage_url(registration))
    refused = client.post(path + "/erase", data={})
    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.get_data(as_text=True)
    done = client.post(path + "/erase", data={"confirm": "y"})
    assert "Your details are erased" in done.get_data(as_text=True)
    (row,) = stored(registration.event)
    assert row.name == "" and row.status is S.CANCELLED and "defender" not in row.email
    assert client.get(path).status_code == 404


def test_bad_link_page_offers_a_fresh_link_without_telling_who_is_registered(client, db_session):
    make_registration(make_event(), email="known@example.org")
    page = client.get("/r/not-a-token").get_data(as_text=True)
    assert 'action="/my-registrations"' in page
    known = client.post("/my-registrations", data={"email": "known@example.org"})
    unknown = client.post("/my-registrations", data={"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert (known.get_data(as_text=True).replace("known@", "X@")
            == unknown.get_data(as_text=True).replace("unknown@", "X@"))
    (message,) = outbox("registration-links")
    assert message.recipient == "known@example.org"


def test_double_opt_in_counts_only_after_the_button_is_pressed(client, db_session):
    event = make_event(double_opt_in=True, capacity_online=3)
    client.post(f"/events/{event.slug}/register", data=VALID)
    (registration,) = stored(event)
    assert registration.status is S.PENDING_EMAIL and event.taken_online == 0
    (message,) = outbox("registration-confirm-email")
    link = re.search(r"http://localhost(/confirm/\S+)", message.text_body).group(1)
    page = client.get(link)  # a mail scanner opening the link confirms nothing
    assert "Confirm my registration" in page.get_data(as_text=True)
    assert stored(event)[0].status is S.PENDING_EMAIL
    response = client.post(link)
    assert response.status_code == 303 and "/r/" in response.headers["Location"]
    assert stored(event)[0].status is S.CONFIRMED
    assert [m.recipient for m in outbox("registration-confirmed")] == ["glacier@example.org"]


def test_confirm_links_that_are_tampered_revoked_or_expired_get_a_clear_page(client, db_session,
                                                                            monkeypatch):
    registration = make_registration(make_event(double_opt_in=True), status=S.PENDING_EMAIL)
    good = local(confirm_url(registration))
    manage_token = local(manage_url(registration)).removeprefix("/r/")
    for path in (good[:-2] + "xx", f"/confirm/{manage_token}"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)
    monkeypatch.setitem(client.application.config, "REGISTRATION_CONFIRM_HOURS", -1)
    response = client.get(good)
    assert response.status_code == 410 and "This link has expired" in response.get_data(
        as_text=True)


def test_custom_questions_are_asked_stored_and_shown_back(client, db_session):
    event = make_event()
    topic = add_question(event, QuestionKind.LONG_TEXT, "Your question to the candidates",
                         required=True, position=1)
    sessions = add_question(event, QuestionKind.MULTIPLE_CHOICE, "Sessions you follow",
                            options=["HRC57", "HRC58"], position=2)
    press = add_question(event, QuestionKind.YES_NO, "Are you a journalist?", position=3,
                         personal_data=False)
    form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert form.index("Your question to the candidates") < form.index("Sessions you follow")
    missing = client.post(f"/events/{event.slug}/register", data=VALID)
    assert missing.status_code == 422 and "Answer this question." in missing.get_data(as_text=True)
    assert stored(event) == []
    client.post(f"/events/{event.slug}/register", data={
        **VALID, f"question_{topic.id}": "How will you protect defenders?",
        f"question_{sessions.id}": ["HRC58"], f"question_{press.id}": "no"})
    (registration,) = stored(event)
    assert registration.answers == {str(topic.id): "How will you protect defenders?",
                                    str(sessions.id): ["HRC58"], str(press.id): False}
    page = client.get(local(manage_url(registration))).get_data(as_text=True)
    assert "How will you protect defenders?" in page and "HRC58" in page


def test_in_person_without_a_grounds_pass_must_give_what_the_un_needs(client, db_session):
    event = make_event(format=EventFormat.IN_PERSON, venue="Room XXIV", grounds_pass_required=True)
    form = {**VALID, "attendance_mode": "in_person"}
    unanswered = client.post(f"/events/{event.slug}/register", data=form)
    assert "Tell us whether you hold a UN grounds pass" in unanswered.get_data(as_text=True)
    incomplete = client.post(f"/events/{event.slug}/register",
                             data={**form, "has_grounds_pass": "no", "passport_name": "Glacier"})
    assert incomplete.status_code == 422
    assert "The UN needs this to issue your grounds pass." in incomplete.get_data(as_text=True)
    assert stored(event) == []
    client.post(f"/events/{event.slug}/register", data={
        **form, "has_grounds_pass": "no", "passport_name": "KWONG Glacier", "nationality": "DE",
        "date_of_birth": "1996-07-28", "pass_organisation": "Keep Hong Kong Free",
        "pass_function": "Director"})
    (registration,) = stored(event)
    assert registration.has_grounds_pass is False
    assert (registration.passport_name, registration.date_of_birth) == ("KWONG Glacier",
                                                                        date(1996, 7, 28))


def test_online_attendees_are_not_asked_for_a_grounds_pass(client, db_session):
    event = make_event(format=EventFormat.HYBRID, venue="Room XXIV", grounds_pass_required=True)
    client.post(f"/events/{event.slug}/register", data=VALID)  # online, no pass answers
    (registration,) = stored(event)
    assert registration.has_grounds_pass is None and registration.passport_name is None
