"""The editor's list forms: the programme, partners, questions and documents, one row per item.

Each list is one form: every row, in the order of its hidden ``position``
(which the drag-and-drop script rewrites), plus an empty row at the end for a
new item. The buttons beside a row ("move up", "move down", "remove") submit
the whole list with ``action`` set, so they work without JavaScript and lose
nothing typed meanwhile.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from rsvp.editor.choices import language_choices
from rsvp.editor.lists import CHOICE_KINDS, Row
from rsvp.events.models import PartnerKind, PartnerRole, ProgrammeRole, QuestionKind
from rsvp.events.questions import options

PERSON_ROLES = {
    ProgrammeRole.MODERATOR: _l("Moderator"),
    ProgrammeRole.WELCOME_REMARKS: _l("Welcome remarks"),
    ProgrammeRole.OPENING_REMARKS: _l("Opening remarks"),
    ProgrammeRole.PRESENTER: _l("Presenter"),
    ProgrammeRole.PANELIST: _l("Panellist"),
    ProgrammeRole.SPEAKER: _l("Speaker"),
    ProgrammeRole.CLOSING_REMARKS: _l("Closing remarks"),
}
PARTNER_KINDS = {
    PartnerKind.STATE: _l("State"),
    PartnerKind.NGO: _l("NGO"),
    PartnerKind.UN: _l("UN entity"),
    PartnerKind.NHRI: _l("National human rights institution"),
    PartnerKind.OTHER: _l("Other"),
}
PARTNER_ROLES = {
    PartnerRole.CO_ORGANISER: _l("Co-organiser"),
    PartnerRole.CO_SPONSOR: _l("Co-sponsor"),
    PartnerRole.HOST: _l("Host"),
}
QUESTION_KINDS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
    QuestionKind.SINGLE_CHOICE: _l("One choice from a list"),
    QuestionKind.MULTIPLE_CHOICE: _l("Several choices from a list"),
    QuestionKind.YES_NO: _l("Yes or no"),
    QuestionKind.COUNTRY: _l("Country"),
    QuestionKind.DATE: _l("Date"),
}


def _choices(labels: dict[Any, Any]) -> list:
    return options([(key.value, label) for key, label in labels.items()])


def _text(value: str | None) -> str:
    return (value or "").strip()


class RowForm(Form):
    """One item of a list. A row whose text fields are all empty is left out when saving."""

    ref = HiddenField()
    position = HiddenField()
    #: Fields whose emptiness makes the row blank, the first one required otherwise.
    text_fields: tuple[str, ...] = ()
    required_message: Any = ""

    def is_blank(self) -> bool:
        return all(not _text(self[name].data) for name in self.text_fields)

    def validate(self, extra_validators: Any = None) -> bool:
        if self.is_blank():
            return True
        valid = super().validate(extra_validators)
        first = self[self.text_fields[0]]
        if not _text(first.data):
            first.errors = [*first.errors, self.required_message]
            valid = False
        return valid

    def row(self) -> Row:
        ref = self.ref.data or ""
        return Row(int(ref) if ref.isdecimal() else None, self.values())

    def values(self) -> dict[str, Any]:
        raise NotImplementedError


class PersonRow(RowForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    affiliation = StringField(_l("Affiliation"), validators=[Optional(), Length(max=400)])
    role = SelectField(_l("Role"), choices=_choices(PERSON_ROLES), default=ProgrammeRole.SPEAKER.value)
    segment = StringField(_l("Segment heading"), validators=[Optional(), Length(max=200)])
    text_fields = ("name", "affiliation", "segment")
    required_message = _l("Enter the person's name.")

    def values(self) -> dict[str, Any]:
        return {"name": _text(self.name.data), "affiliation": _text(self.affiliation.data) or None,
                "role": ProgrammeRole(self.role.data), "segment": _text(self.segment.data) or None}


class PartnerRow(RowForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=_choices(PARTNER_KINDS), default=PartnerKind.NGO.value)
    role = SelectField(_l("Role"), choices=_choices(PARTNER_ROLES), default=PartnerRole.CO_ORGANISER.value)
    text_fields = ("name",)
    required_message = _l("Enter the partner's name.")

    def values(self) -> dict[str, Any]:
        return {"name": _text(self.name.data), "kind": PartnerKind(self.kind.data),
                "role": PartnerRole(self.role.data)}


class QuestionRow(RowForm):
    label = StringField(_l("Question"), validators=[Optional(), Length(max=300)])
    kind = SelectField(_l("Kind of answer"), choices=_choices(QUESTION_KINDS),
                       default=QuestionKind.SHORT_TEXT.value)
    help_text = StringField(_l("Hint"), validators=[Optional(), Length(max=600)])
    choices = TextAreaField(_l("Choices, one per line"), validators=[Optional(), Length(max=4000)])
    required = BooleanField(_l("An answer is required"))
    personal_data = BooleanField(_l("Answers are personal data (erased with the registration)"),
                                 default=True)
    text_fields = ("label", "help_text", "choices")
    required_message = _l("Write the question.")

    def _options(self) -> list[str]:
        lines = [_text(line) for line in (self.choices.data or "").splitlines()]
        return list(dict.fromkeys(line for line in lines if line))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.is_blank() and QuestionKind(self.kind.data) in CHOICE_KINDS and len(self._options()) < 2:
            self.choices.errors = [*self.choices.errors, _l("Give at least two choices, one per line.")]
            valid = False
        return valid

    def values(self) -> dict[str, Any]:
        kind = QuestionKind(self.kind.data)
        return {"label": _text(self.label.data), "kind": kind, "help_text": _text(self.help_text.data),
                "options": self._options() if kind in CHOICE_KINDS else [],
                "required": bool(self.required.data), "personal_data": bool(self.personal_data.data)}


class DocumentRow(RowForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    language = SelectField(_l("Language"), validate_choice=False)
    text_fields = ("title",)
    required_message = _l("Enter the document's title.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = options(language_choices())

    def is_blank(self) -> bool:
        return False  # documents are added by upload; an emptied title is an error, not a removal

    def values(self) -> dict[str, Any]:
        return {"title": _text(self.title.data), "language": self.language.data}


class ListForm(FlaskForm):
    """A whole list; subclasses name the list (one page may hold two of them)."""

    action = StringField()
    list_name = ""
    #: "Person %(number)s", to say in the error summary which row a message is about.
    row_label: Any = ""

    @property
    def entries(self) -> list[FormField]:
        return self[self.list_name].entries

    def arrange(self) -> str:
        """Put the rows in their ``position`` order and apply the button pressed.

        :returns: "save", "up", "down" or "remove".
        """
        def position(entry: FormField) -> int:
            value = entry.form.position.data or ""
            return int(value) if value.isdecimal() else 10_000

        entries = self.entries
        entries.sort(key=position)
        verb, _, target = (self.action.data or "save").partition(":")
        index = next((i for i, e in enumerate(entries) if e.name == target), None)
        if index is not None and verb == "remove":
            entries.pop(index)
        elif index is not None and verb in ("up", "down"):
            other = index - 1 if verb == "up" else index + 1
            if 0 <= other < len(entries) and not entries[other].form.is_blank():
                entries[index], entries[other] = entries[other], entries[index]
        else:
            verb = "save"
        for number, entry in enumerate(entries):
            entry.form.position.data = str(number)
        return verb

    def rows(self) -> list[Row]:
        return [entry.form.row() for entry in self.entries if not entry.form.is_blank()]

    def summary(self) -> SimpleNamespace:
        """Errors as the error_summary macro reads them: field id -> messages, row named."""
        errors: dict[str, list[str]] = {}
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:
            errors["csrf_token"] = list(csrf.errors)
        for number, entry in enumerate(self.entries, 1):
            for field in entry.form:
                if field.errors:
                    label = self.row_label % {"number": number}
                    errors[field.id] = [f"{label}, {field.label.text}: {error}" for error in field.errors]
        return _Summary(errors)


class _Summary(SimpleNamespace):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors=errors)

    def __getitem__(self, name: str) -> SimpleNamespace:
        return SimpleNamespace(id=name)


def _list_form(name: str, row: type[RowForm], row_label: Any) -> type[ListForm]:
    return type(f"{row.__name__}List", (ListForm,), {
        name: FieldList(FormField(row), min_entries=0), "list_name": name, "row_label": row_label})


PeopleForm = _list_form("people", PersonRow, _l("Person %(number)s"))
PartnersForm = _list_form("partners", PartnerRow, _l("Partner %(number)s"))
QuestionsForm = _list_form("questions", QuestionRow, _l("Question %(number)s"))
DocumentsForm = _list_form("documents", DocumentRow, _l("Document %(number)s"))


def list_form(form_class: type[ListForm], items: list[dict[str, Any]], blank_row: bool = True) -> ListForm:
    """The form for a GET: each item as a row, then an empty row for a new one."""
    rows = [*items, *([{}] if blank_row else [])]
    for number, row in enumerate(rows):
        row["position"] = str(number)
    return form_class(data={form_class.list_name: rows})
