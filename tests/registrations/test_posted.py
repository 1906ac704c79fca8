"""A post judged plainly valid without the form (posted.py) is one the form accepts, read the same.

Each post is judged both ways: the quick judgement either gives exactly the values the
form's fields hold after validating it (and so the same RegistrationData), or None, and
never None for the plain posts people make. Through the test client, posts it leaves to
the form still get their message, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from rsvp.events.models import EventFormat, QuestionKind, RegistrationRule, UnPremises
from rsvp.events.questions import field_name
from rsvp.events.services import public_event_and_questions
from rsvp.registrations.entered import registration_data
from rsvp.registrations.forms import registration_form_class
from rsvp.registrations.models import Registration
from rsvp.registrations.posted import plainly_valid
from tests.factories import add_question, make_event

PLAIN = {"name": "Glacier Kwong", "email": "glacier@example.org", "organisation_type": "ngo",
         "attendance_mode": "online", "consent": "y"}
FULL = {**PLAIN, "organisation": "Keep Hong Kong Free", "country": "DE",
        "interpretation_language": "fr", "captions": "y", "accessibility_needs": "Step-free access",
        "timezone": "Asia/Hong_Kong", "discreet_emails": "y", "confidential": "y"}
IN_PERSON = {**PLAIN, "attendance_mode": "in_person"}
PASS_REQUEST = {**IN_PERSON, "has_grounds_pass": "no", "passport_name": "KWONG Glacier",
                "nationality": "DE", "date_of_birth": "1990-05-04", "pass_organisation": "KHKF",
                "pass_function": "Director"}

#: The events the posts go to, by name.
EVENTS: dict[str, dict[str, Any]] = {
    "online": {},
    "no extras": {"caption_languages": [], "interpretation_languages": []},
    "grounds pass": {"format": EventFormat.HYBRID, "grounds_pass_required": True},
    "pass holders walk in": {"format": EventFormat.IN_PERSON, "grounds_pass_required": True,
                             "un_premises": UnPremises.NEW_YORK,
                             "registration_rule": RegistrationRule.WITHOUT_PASS},
    "questions": {},
}
ANSWERS = {"question_diet": "Vegetarian", "question_track": "Policy",
           "question_topics": ["Housing", "Health"], "question_member": "yes",
           "question_home": "KE", "question_arrival": "2030-01-15"}

QUICK, REFUSED, BOT = "plainly valid", "refused", "a bot's"

#: (event, post, what the form makes of it); the post is PLAIN's fields with these changed
#: (None: left out). REFUSED and BOT posts are the form's to answer.
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("plain", "online", {}, QUICK),
    ("every field filled", "online", {**FULL}, QUICK),
    ("email written with capitals", "online", {"email": "Glacier@EXAMPLE.org"}, QUICK),
    ("organisation of spaces", "online", {"organisation": "   "}, QUICK),
    ("captions where none are given", "no extras", {"captions": "y"}, QUICK),
    ("checkbox sent as false", "online", {"confidential": "false"}, QUICK),
    ("name missing", "online", {"name": None}, REFUSED),
    ("name of spaces", "online", {"name": "   "}, REFUSED),
    ("name too long", "online", {"name": "N" * 201}, REFUSED),
    ("email missing", "online", {"email": None}, REFUSED),
    ("email not an address", "online", {"email": "ana@"}, REFUSED),
    ("email too long", "online", {"email": "a" * 250 + "@example.org"}, REFUSED),
    ("way of attending unknown", "online", {"attendance_mode": "teleport"}, REFUSED),
    ("way of attending not offered", "online", {"attendance_mode": "in_person"}, REFUSED),
    ("way of attending missing", "online", {"attendance_mode": None}, REFUSED),
    ("organisation type unknown", "online", {"organisation_type": "corporation"}, REFUSED),
    ("organisation type not chosen", "online", {"organisation_type": ""}, REFUSED),
    ("no consent", "online", {"consent": None}, REFUSED),
    ("country unknown", "online", {"country": "XX"}, REFUSED),
    ("interpretation not offered", "online", {"interpretation_language": "de"}, REFUSED),
    ("interpretation where none is", "no extras", {"interpretation_language": "fr"}, REFUSED),
    ("organisation too long", "online", {"organisation": "O" * 301}, REFUSED),
    ("accessibility needs too long", "online", {"accessibility_needs": "A" * 1001}, REFUSED),
    ("time zone too long", "online", {"timezone": "Z" * 65}, REFUSED),
    ("honeypot filled", "online", {"website": "http://spam.example"}, BOT),
    ("online where a pass is asked in person", "grounds pass", {}, QUICK),
    ("in person with a pass", "grounds pass", {**IN_PERSON, "has_grounds_pass": "yes"}, QUICK),
    ("in person, a pass requested", "grounds pass", {**PASS_REQUEST}, QUICK),
    ("in person, pass question unanswered", "grounds pass", {**IN_PERSON}, REFUSED),
    ("in person, pass answer unknown", "grounds pass",
     {**IN_PERSON, "has_grounds_pass": "maybe"}, REFUSED),
    ("pass requested without a function", "grounds pass", {**PASS_REQUEST, "pass_function": ""},
     REFUSED),
    ("pass requested without a passport name", "grounds pass",
     {**PASS_REQUEST, "passport_name": None}, REFUSED),
    ("pass requested, born in the future", "grounds pass",
     {**PASS_REQUEST, "date_of_birth": "2999-01-01"}, REFUSED),
    ("pass requested, birth date not a date", "grounds pass",
     {**PASS_REQUEST, "date_of_birth": "4 May 1990"}, REFUSED),
    ("pass requested, nationality unknown", "grounds pass",
     {**PASS_REQUEST, "nationality": "XX"}, REFUSED),
    ("walk-in event, pass details given", "pass holders walk in", {**PASS_REQUEST}, QUICK),
    ("walk-in event, holding a pass said", "pass holders walk in",
     {**PASS_REQUEST, "has_grounds_pass": "yes"}, QUICK),
    ("walk-in event, no pass details", "pass holders walk in", {**IN_PERSON}, REFUSED),
    ("every question answered", "questions", {**ANSWERS}, QUICK),
    ("optional questions left out", "questions",
     {**ANSWERS, "question_track": None, "question_home": "", "question_arrival": " "}, QUICK),
    ("required text missing", "questions", {**ANSWERS, "question_diet": ""}, REFUSED),
    ("required text too long", "questions", {**ANSWERS, "question_diet": "D" * 501}, REFUSED),
    ("required multiple choice missing", "questions", {**ANSWERS, "question_topics": None},
     REFUSED),
    ("multiple choice not offered", "questions",
     {**ANSWERS, "question_topics": ["Housing", "Sport"]}, REFUSED),
    ("single choice not offered", "questions", {**ANSWERS, "question_track": "Sport"}, REFUSED),
    ("yes or no missing", "questions", {**ANSWERS, "question_member": None}, REFUSED),
    ("yes or no of another word", "questions", {**ANSWERS, "question_member": "perhaps"},
     REFUSED),
    ("country question unknown", "questions", {**ANSWERS, "question_home": "XX"}, REFUSED),
    ("date question not a date", "questions", {**ANSWERS, "question_arrival": "soon"}, REFUSED),
]


def make(kind: str) -> Any:
    """An event of ``kind``; its questions' field names are in QUESTIONS, by the names above."""
    event = make_event(**EVENTS[kind])
    QUESTIONS.clear()
    if kind == "questions":
        for name, label, question_kind, fields in [
            ("diet", "Diet", QuestionKind.SHORT_TEXT, {"required": True}),
            ("track", "Track", QuestionKind.SINGLE_CHOICE, {"options": ["Policy", "Practice"]}),
            ("topics", "Topics", QuestionKind.MULTIPLE_CHOICE,
             {"required": True, "options": ["Housing", "Health", "Work"]}),
            ("member", "Member?", QuestionKind.YES_NO, {"required": True}),
            ("home", "Home", QuestionKind.COUNTRY, {}),
            ("arrival", "Arrival", QuestionKind.DATE, {}),
        ]:
            QUESTIONS[f"question_{name}"] = add_question(event, label, question_kind, **fields)
    return event


#: The questions of the last event made, by the names the posts above give their fields.
QUESTIONS: dict[str, Any] = {}


def posted(changes: dict[str, Any]) -> dict[str, Any]:
    post = {**PLAIN, **changes}
    return {field_name(QUESTIONS[name]) if name in QUESTIONS else name: value
            for name, value in post.items() if value is not None}


def judged_both_ways(app: Any, event: Any, post: dict[str, Any],
                     token: str | None = None) -> tuple[dict[str, Any] | None, Any, bool]:
    """The quick judgement of ``post``, the form that judged it, and whether the form found it
    valid; ``token``: "good" for the request's own CSRF token, else what to send as one."""
    with app.test_request_context(f"/events/{event.slug}/register", method="POST"):
        _, questions = public_event_and_questions(event.slug)
        if token is not None:
            post = {**post, "csrf_token": generate_csrf() if token == "good" else token}
        formdata = MultiDict(post)
        form_class = registration_form_class(questions)
        quick = plainly_valid(form_class, formdata, event)
        form = form_class(event, questions, formdata=formdata)
        valid = form.validate()
        if quick is not None:  # the same input for the services, whichever judged the post
            assert registration_data(event, questions, quick, "fr") == form.registration_data("fr")
        return quick, form, valid


@pytest.mark.parametrize(("event_kind", "changes", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_quick_judgement_is_the_forms_or_none(app, db_session, event_kind, changes, expected):
    event = make(event_kind)
    quick, form, valid = judged_both_ways(app, event, posted(changes))
    if quick is not None:
        assert valid and not form.is_bot
        assert quick == {name: data for name, data in form.data.items() if name != "csrf_token"}
    assert (valid, form.is_bot if valid else False, quick is not None) == {
        QUICK: (True, False, True), REFUSED: (False, False, False), BOT: (True, True, False),
    }[expected]


def test_an_address_is_taken_as_the_form_writes_it(app, db_session):
    quick, _form, _valid = judged_both_ways(app, make("online"),
                                            posted({"email": "Glacier@EXAMPLE.org"}))
    assert quick is not None and quick["email"] == "Glacier@example.org"


def test_a_walk_in_event_takes_no_pass_as_held(app, db_session):
    quick, _form, _valid = judged_both_ways(app, make("pass holders walk in"),
                                            posted({**PASS_REQUEST, "has_grounds_pass": "yes"}))
    assert quick is not None and quick["has_grounds_pass"] == "no"


@pytest.mark.parametrize(("token", "quick_too"), [("good", True), ("forged", False), ("", False)])
def test_the_csrf_token_is_checked_as_the_form_checks_it(app, db_session, monkeypatch, token,
                                                         quick_too):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    quick, form, valid = judged_both_ways(app, make("online"), posted({}), token=token)
    assert (valid, quick is not None) == (quick_too, quick_too)
    if not valid:
        assert "csrf_token" in form.errors


def test_a_form_whose_choices_are_checked_has_them_on_its_class(app, db_session):
    """plainly_valid reads the choices on the class: a form that set others when built would
    be judged by the wrong ones."""
    event = make("questions")
    with app.test_request_context(f"/events/{event.slug}/register"):
        _, questions = public_event_and_questions(event.slug)
        form_class = registration_form_class(questions)
        form = form_class(event, questions)
        checked = [field for field in form if getattr(field, "validate_choice", False)]
        assert {field.name for field in checked} >= {
            "organisation_type", field_name(QUESTIONS["question_track"])}
        for field in checked:
            unbound = getattr(form_class, field.name)
            assert field.choices == unbound.kwargs["choices"], field.name


def registrations(db_session, event) -> list[Registration]:
    return list(db_session.scalars(sa.select(Registration).where(Registration.event_id == event.id)))


@pytest.mark.parametrize(("event_kind", "changes", "message"), [
    ("online", {"name": "   "}, "Enter your name."),
    ("online", {"email": "ana@"}, "Enter a valid email address"),
    ("online", {"organisation_type": "corporation"}, "Not a valid choice"),
    ("online", {"attendance_mode": "in_person"}, "Choose how you will attend."),
    ("online", {"consent": None}, "Please accept the privacy notice to register."),
    ("online", {"country": "XX"}, "Choose a country from the list."),
    ("online", {"interpretation_language": "de"}, "This event offers no interpretation"),
    ("grounds pass", {**IN_PERSON}, "Tell us whether you hold a UN grounds pass"),
    ("grounds pass", {**PASS_REQUEST, "pass_function": ""}, "The UN needs this to issue"),
    ("questions", {**ANSWERS, "question_topics": None}, "Answer this question."),
], ids=["name", "email", "organisation type", "way of attending", "consent", "country",
        "interpretation", "pass question", "pass details", "question"])
def test_a_post_the_form_refuses_gets_its_message_and_stores_nothing(client, db_session,
                                                                      event_kind, changes, message):
    event = make(event_kind)
    response = client.post(f"/events/{event.slug}/register", data=posted(changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert registrations(db_session, event) == []


@pytest.mark.parametrize(("event_kind", "changes"), [
    ("online", {**FULL}), ("grounds pass", {**PASS_REQUEST}), ("questions", {**ANSWERS}),
], ids=["every field", "pass request", "questions"])
def test_a_plain_post_registers_with_what_was_posted(client, db_session, event_kind, changes):
    event = make(event_kind)
    response = client.post(f"/events/{event.slug}/register", data=posted(changes))
    assert response.status_code == 303
    (stored,) = registrations(db_session, event)
    assert (stored.name, stored.email) == ("Glacier Kwong", "glacier@example.org")
    if event_kind == "online":
        assert (stored.organisation, stored.country, stored.interpretation_language,
                stored.captions, stored.timezone, stored.confidential, stored.discreet_emails) == (
            "Keep Hong Kong Free", "DE", "fr", True, "Asia/Hong_Kong", True, True)
    if event_kind == "grounds pass":
        assert (stored.has_grounds_pass, stored.passport_name, stored.pass_function,
                stored.date_of_birth.isoformat()) == (False, "KWONG Glacier", "Director", "1990-05-04")
    if event_kind == "questions":
        assert stored.answers == {QUESTIONS[f"question_{name}"].key: answer for name, answer in [
            ("diet", "Vegetarian"), ("track", "Policy"), ("topics", ["Housing", "Health"]),
            ("member", True), ("home", "KE"), ("arrival", "2030-01-15")]}


def test_a_bot_filling_the_honeypot_is_told_the_same_and_nothing_is_stored(client, db_session):
    event = make("online")
    response = client.post(f"/events/{event.slug}/register",
                           data=posted({"website": "http://spam.example"}))
    assert response.status_code == 303 and response.headers["Location"].endswith("/registered")
    assert registrations(db_session, event) == []


def test_a_full_event_shows_the_form_again_as_posted(client, db_session):
    event = make_event(capacity_online=0, waitlist_enabled=False)
    response = client.post(f"/events/{event.slug}/register", data=posted({}))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "no seats left" in page and 'value="Glacier Kwong"' in page
    assert registrations(db_session, event) == []


def test_a_forged_token_through_the_client_stores_nothing(csrf_client, db_session):
    event = make("online")
    response = csrf_client.post(f"/events/{event.slug}/register",
                                data=posted({"csrf_token": "forged"}))
    assert response.status_code == 400
    assert registrations(db_session, event) == []
