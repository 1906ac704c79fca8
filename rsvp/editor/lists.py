"""An event's ordered lists as organisers edit them, and its image.

The programme (people), partners, registration questions and documents are
each saved as a whole list: the rows in their new order, each either an
existing item (``ref`` = its id) or a new one. Items of the list left out are
removed. Functions flush, never commit; stored files that are no longer used
are returned so the caller deletes them after its commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa

from rsvp.editor.services import EditorError
from rsvp.events import uploads
from rsvp.events.models import Event, EventDocument, EventPartner, EventPerson, Question, QuestionKind
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.registrations.models import Registration

Item = TypeVar("Item", EventPerson, EventPartner, Question, EventDocument)

CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class KindLocked(EditorError):
    """People have answered this question: its kind stays, or their answers would not fit."""

    def __init__(self, question_id: int, label: str) -> None:
        super().__init__(label)
        self.question_id = question_id
        self.label = label


@dataclass
class Row:
    """One line of a list as saved: ``ref`` is the existing item's id, None for a new item."""

    ref: int | None
    values: dict[str, Any]


@dataclass
class Tally:
    added: int = 0
    changed: int = 0
    removed: int = 0
    moved: bool = False
    #: Stored files the removed items used; delete them once the change is committed.
    unused_files: list[str] = field(default_factory=list)

    def describe(self, what: str) -> str:
        parts = [f"{count} {word}" for count, word in
                 ((self.added, "added"), (self.changed, "changed"), (self.removed, "removed")) if count]
        if self.moved:
            parts.append("reordered")
        return f"{what}: " + (", ".join(parts) or "no change")

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.moved)


def _save(event: Event, model: type[Item], existing: Sequence[Item], rows: list[Row],
          check: Callable[[Item, Row], None] | None = None,
          on_remove: Callable[[Item], None] | None = None) -> Tally:
    tally = Tally()
    by_id = {item.id: item for item in existing}
    for position, row in enumerate(rows):
        item = by_id.pop(row.ref, None) if row.ref is not None else None
        if item is None:
            db.session.add(model(event_id=event.id, position=position, **row.values))
            tally.added += 1
            continue
        if check is not None:
            check(item, row)
        if any(getattr(item, name) != value for name, value in row.values.items()):
            tally.changed += 1
            for name, value in row.values.items():
                setattr(item, name, value)
        if item.position != position:
            tally.moved = True
            item.position = position
    for item in by_id.values():
        if on_remove is not None:
            on_remove(item)
        db.session.delete(item)
        tally.removed += 1
    db.session.flush()
    return tally


def _record(event: Event, actor: str, tally: Tally, what: str) -> Tally:
    if tally.any:
        audit.record(event, actor, AuditAction.CHANGED_EVENT, tally.describe(what))
    return tally


def save_people(event: Event, rows: list[Row], actor: str) -> Tally:
    """The programme: name, affiliation, role, segment per row, in order."""
    tally = _save(event, EventPerson, list(event.people), rows)
    db.session.expire(event, ["people"])
    return _record(event, actor, tally, "programme")


def save_partners(event: Event, rows: list[Row], actor: str) -> Tally:
    """Co-organisers, co-sponsors and hosts: name, kind, role per row, in order."""
    tally = _save(event, EventPartner, list(event.partners), rows)
    db.session.expire(event, ["partners"])
    return _record(event, actor, tally, "partners")


def questions_of(event: Event) -> list[Question]:
    return list(db.session.scalars(sa.select(Question).where(Question.event_id == event.id)
                                   .order_by(Question.position, Question.id)))


def answer_counts(event: Event) -> dict[int, int]:
    """Question id -> how many registrations hold an answer to it."""
    counts: dict[int, int] = {}
    for answers in db.session.scalars(sa.select(Registration.answers)
                                      .where(Registration.event_id == event.id)):
        for key in answers or {}:
            if key.isdigit():
                counts[int(key)] = counts.get(int(key), 0) + 1
    return counts


def save_questions(event: Event, rows: list[Row], actor: str) -> Tally:
    """The registration form's own questions, in order. Removing a question deletes the
    answers people gave to it.

    :raises KindLocked: the kind of a question people have answered would change.
    """
    answered = answer_counts(event)

    def keep_kind(question: Question, row: Row) -> None:
        if row.values["kind"] is not question.kind and answered.get(question.id):
            raise KindLocked(question.id, question.label)

    def drop_answers(question: Question) -> None:
        if not answered.get(question.id):
            return
        for registration in db.session.scalars(sa.select(Registration)
                                               .where(Registration.event_id == event.id)):
            if question.key in (registration.answers or {}):
                registration.answers = {k: v for k, v in registration.answers.items()
                                        if k != question.key}

    tally = _save(event, Question, questions_of(event), rows, check=keep_kind, on_remove=drop_answers)
    return _record(event, actor, tally, "questions")


def save_documents(event: Event, rows: list[Row], actor: str) -> Tally:
    """Titles, languages and order of the documents; those left out are removed."""

    def forget_file(document: EventDocument) -> None:
        if document.file_name:
            tally_files.append(document.file_name)

    tally_files: list[str] = []
    tally = _save(event, EventDocument, list(event.documents), rows, on_remove=forget_file)
    tally.unused_files = tally_files
    db.session.expire(event, ["documents"])
    return _record(event, actor, tally, "documents")


def add_document(event: Event, title: str, language: str, actor: str, *, url: str | None = None,
                 data: bytes | None = None, filename: str = "") -> EventDocument:
    """A link, or an uploaded file checked by its content and stored outside the web root.

    :raises uploads.UploadRefused: not a PDF, DOCX or ODT file, or too large.
    """
    position = len(event.documents)
    if data is not None:
        kind = uploads.check_document(data, filename)
        document = EventDocument(event_id=event.id, title=title, language=language, position=position,
                                 file_name=uploads.store(data, kind), media_type=uploads.MEDIA_TYPES[kind],
                                 size_bytes=len(data))
    else:
        document = EventDocument(event_id=event.id, title=title, language=language, url=url,
                                 position=position)
    db.session.add(document)
    db.session.flush()
    db.session.expire(event, ["documents"])
    audit.record(event, actor, AuditAction.CHANGED_EVENT, f"documents: added {document.public_id}")
    return document


def set_image(event: Event, credit: str | None, actor: str, *, data: bytes | None = None,
              filename: str = "", remove: bool = False, alt: str | None = None) -> str | None:
    """Replace or remove the event's image, and set its credit and its description (alt text).

    :returns: the stored file no longer used, to delete after the commit.
    :raises uploads.UploadRefused: not a PNG, JPEG or WebP image, or too large.
    """
    unused = None
    if data is not None:
        image, kind = uploads.prepare_image(data, filename)
        unused, event.image_path = event.image_path, uploads.store(image, kind)
    elif remove:
        unused, event.image_path = event.image_path, None
    changes = ["image"] if unused or data is not None else []
    if (credit or None) != event.image_credit:
        event.image_credit = credit or None
        changes.append("image credit")
    if (alt or None) != event.image_alt:
        event.image_alt = alt or None
        changes.append("image description")
    db.session.flush()
    if changes:
        audit.record(event, actor, AuditAction.CHANGED_EVENT, "changed " + ", ".join(changes))
    return unused
