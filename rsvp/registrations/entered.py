"""What a posted registration form's values mean, as the services take them.

The form reads them from its fields (form.data, rsvp.registrations.forms), and
posted.plainly_valid from a post it found plainly valid without building the form: both
build the services' input here, so it is the same whichever judged the post.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from rsvp.events.labels import pass_holders_walk_in
from rsvp.events.models import AttendanceMode, Event, Question
from rsvp.events.questions import answer_from_field, field_name
from rsvp.registrations.models import OrganisationType
from rsvp.registrations.selfservice import Details
from rsvp.registrations.services import GroundsPass, RegistrationData, asks_grounds_pass

#: The details a grounds-pass request needs, when someone holds no pass.
PASS_DETAILS = ("passport_name", "nationality", "date_of_birth", "pass_organisation",
                "pass_function")


def held_pass_answer(event: Event, posted: Any) -> Any:
    """Whether a pass is held, as the form takes it: "no" where pass holders walk in (those
    who hold one do not register, so none of those registering does), else what was posted."""
    return "no" if pass_holders_walk_in(event) else posted


def asks_pass(event: Event, values: Mapping[str, Any]) -> bool:
    """Whether the grounds-pass questions apply to the way of attending chosen in ``values``."""
    mode = values.get("attendance_mode")
    return mode in _MODES and asks_grounds_pass(event, AttendanceMode(mode))


_MODES = frozenset(m.value for m in AttendanceMode)


def grounds_pass_errors(event: Event, values: Mapping[str, Any]) -> dict[str, Any]:
    """The grounds-pass answers ``values`` lack for ``event``: each field's message, by name."""
    if not asks_pass(event, values):
        return {}
    held = values.get("has_grounds_pass")
    if held not in ("yes", "no"):
        return {"has_grounds_pass": _l(
            "Tell us whether you hold a UN grounds pass; we request one for you if not.")}
    if held == "yes":
        return {}
    return {name: _l("The UN needs this to issue your grounds pass.")
            for name in PASS_DETAILS if not values.get(name)}


def grounds_pass(event: Event, values: Mapping[str, Any]) -> GroundsPass | None:
    held = values.get("has_grounds_pass")
    if not asks_pass(event, values) or held not in ("yes", "no"):
        return None
    if held == "yes":
        return GroundsPass(holds_pass=True)
    return GroundsPass(
        holds_pass=False, passport_name=values["passport_name"] or "",
        nationality=values["nationality"] or None, date_of_birth=values["date_of_birth"],
        organisation=values["pass_organisation"] or "", function=values["pass_function"] or "")


def answers(questions: list[Question], values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the event's own ``questions`` as stored, leaving out those not answered."""
    found = {}
    for question in questions:
        value = answer_from_field(question, values[field_name(question)])
        if value is not None:
            found[question.key] = value
    return found


def details(event: Event, questions: list[Question], values: Mapping[str, Any]) -> Details:
    """How the person takes part, as the services take it."""
    return Details(
        attendance_mode=AttendanceMode(values["attendance_mode"]),
        interpretation_language=values["interpretation_language"] or None,
        captions=bool(values["captions"]) and bool(event.caption_languages),
        accessibility_needs=values["accessibility_needs"] or "",
        answers=answers(questions, values), grounds_pass=grounds_pass(event, values))


def registration_data(event: Event, questions: list[Question], values: Mapping[str, Any],
                      language: str) -> RegistrationData:
    """The whole registration as services.register takes it; ``language`` is for their emails."""
    taking_part = details(event, questions, values)
    return RegistrationData(
        name=values["name"], email=values["email"], organisation=values["organisation"] or "",
        organisation_type=OrganisationType(values["organisation_type"]),
        country=values["country"] or None, attendance_mode=taking_part.attendance_mode,
        interpretation_language=taking_part.interpretation_language,
        captions=taking_part.captions, accessibility_needs=taking_part.accessibility_needs,
        language=language, timezone=values["timezone"] or None, answers=taking_part.answers,
        grounds_pass=taking_part.grounds_pass, discreet_emails=bool(values["discreet_emails"]),
        confidential=bool(values["confidential"]))
