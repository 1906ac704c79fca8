"""The privacy notice of an event's form, field by field, from the declarations (rsvp.personal).

Each personal column of a registration that the form asks for is a line: the
field's own label (as the form shows it, in the reader's language), who sees
it, and how long it is kept, from what erasing does to it and when its group
goes. A personal column the form fills without showing it says here what it is
(``HIDDEN_FIELDS``) or why it is not a line of its own (``NOT_LISTED``);
tests/privacy/test_notice.py fails for a personal column in neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from rsvp.events.models import AttendanceMode, Event
from rsvp.personal import KEY, Erase, Personal, personal_columns
from rsvp.registrations.forms import RegistrationForm
from rsvp.registrations.models import Registration

#: Personal columns the form fills without showing them: what they are, in words.
HIDDEN_FIELDS = {
    "timezone": _l("Your time zone, as your browser reports it (for the times in your emails)"),
}
#: Personal columns that are not a line of their own, and why.
NOT_LISTED = {
    "email_hash": "the address's keyed hash: the address's line says it all",
    "answers": "one line per question instead, with the question's own label",
}


@dataclass(frozen=True)
class NoticeLine:
    label: str
    seen_by: str
    kept: str


def _seen_by(declared: Personal, name: str) -> str:
    if declared.group == "grounds_pass":
        return str(_l("The event's organisers, and the UN to issue your grounds pass"))
    if name == "timezone":
        return str(_l("No one: it sets the times in your emails"))
    return str(_l("The event's organisers"))


def _kept(declared: Personal, days: int) -> str:
    if declared.group == "grounds_pass":
        return str(_l("Until the event is over"))
    if declared.erase is Erase.KEEP:
        return str(_l("%(days)s days after the event; then only counted, without your name",
                      days=days))
    if declared.erase is Erase.MARK:
        return str(_l("%(days)s days after the event; then only whether you asked stays counted",
                      days=days))
    return str(_l("%(days)s days after the event", days=days))


def notice_lines(event: Event, form: FlaskForm) -> list[NoticeLine]:
    """What the form keeps about the person, in the form's order: who sees it, for how long."""
    lines: list[tuple[int, NoticeLine]] = []
    fields: dict[str, Any] = form._fields
    # As the page shows them: "About you" (the registration form's own fields) first, then how
    # they take part and the questions (fields of the classes it builds on, made earlier).
    about_you = [name for name in fields if name in vars(RegistrationForm)]
    order = {name: position for position, name in
             enumerate(about_you + [name for name in fields if name not in about_you])}
    asks_for_a_pass = (event.grounds_pass_required
                       and AttendanceMode.IN_PERSON in event.attendance_modes)
    for column in personal_columns(Registration.__table__):
        declared: Personal = column.info[KEY]
        if declared.group == "grounds_pass" and not asks_for_a_pass:
            continue
        if column.name == "answers":
            for name, field in fields.items():
                if name.startswith("question_"):
                    lines.append((order[name], NoticeLine(str(field.label.text),
                                                          _seen_by(declared, name),
                                                          _kept(declared, event.retention_days))))
            continue
        if column.name in HIDDEN_FIELDS:
            label = str(HIDDEN_FIELDS[column.name])
        elif column.name in fields:
            label = str(fields[column.name].label.text)
        else:
            continue  # NOT_LISTED
        lines.append((len(order) if column.name in HIDDEN_FIELDS else order[column.name],
                      NoticeLine(label, _seen_by(declared, column.name),
                                 _kept(declared, event.retention_days))))
    return [line for _position, line in sorted(lines, key=lambda pair: pair[0])]
