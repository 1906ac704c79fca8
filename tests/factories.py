"""Test data: events and registrations with sensible defaults.

Committed, which inside the db_session fixture releases a savepoint only.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from rsvp.auth.models import EventRole, Organiser, Role
from rsvp.auth.services import hash_password
from rsvp.events import uploads
from rsvp.events.models import (
    AttendanceMode,
    Event,
    EventDocument,
    EventFormat,
    EventPerson,
    EventStatus,
    EventTranslation,
    ProgrammeRole,
    Question,
    QuestionKind,
)
from rsvp.extensions import db
from rsvp.mail import outbox
from rsvp.mail.models import OutboxMessage
from rsvp.registrations.models import OrganisationType, Registration, RegistrationStatus
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakersList
from rsvp.speakers.services import delegation_key
from rsvp.timeutil import now_utc

_numbers = itertools.count(1)


def make_event(**fields: Any) -> Event:
    n = next(_numbers)
    # Noon UTC a week ahead: the same day in every zone the tests use, whatever the hour of the
    # run (an event starting at 22:40 in Geneva would end the next day, and forms post one date).
    starts_at = fields.pop("starts_at", (now_utc() + timedelta(days=7)).replace(
        hour=12, minute=0, second=0, microsecond=0))
    values: dict[str, Any] = {
        "slug": f"event-{n}",
        "title": f"Side event {n}: rights at risk",
        "summary": "A dialogue among UN and civil society panelists.",
        "description": "Join us for an **exciting** dialogue.",
        "format": EventFormat.ONLINE,
        "status": EventStatus.PUBLISHED,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=90),
        "timezone": "Europe/Zurich",
        "display_timezones": ["America/New_York"],
        "interpretation_languages": ["fr", "es"],
        "caption_languages": ["en"],
        "join_url": "https://meet.example.org/secret-join-link",
    }
    values.update(fields)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()  # survives a rollback in the code under test
    return event


def add_person(event: Event, name: str, role: ProgrammeRole, segment: str | None = None,
               affiliation: str | None = None) -> EventPerson:
    position = len(event.people)
    person = EventPerson(event=event, name=name, role=role, segment=segment,
                         affiliation=affiliation, position=position)
    db.session.add(person)
    db.session.commit()  # survives a rollback in the code under test
    return person


def make_registration(event: Event, **fields: Any) -> Registration:
    n = next(_numbers)
    values: dict[str, Any] = {
        "event": event,
        "email": f"person{n}@example.org",
        "name": f"Person {n}",
        "organisation_type": OrganisationType.NGO,
        "attendance_mode": AttendanceMode.ONLINE,
        "consent_at": now_utc(),
        "status": RegistrationStatus.CONFIRMED,
    }
    values.update(fields)
    registration = Registration(**values)
    db.session.add(registration)
    db.session.commit()  # survives a rollback in the code under test
    return registration


def make_organiser(password: str | None = "a long enough password", **fields: Any) -> Organiser:  # noqa: S107
    """An active organiser who can log in with ``password`` (None: invited, no password yet)."""
    n = next(_numbers)
    values: dict[str, Any] = {"email": f"organiser{n}@example.org", "name": f"Organiser {n}"}
    values.update(fields)
    organiser = Organiser(**values)
    if password is not None:
        organiser.password_hash = hash_password(password)
    db.session.add(organiser)
    db.session.commit()  # survives a rollback in the code under test
    return organiser


def grant_role(event: Event, organiser: Organiser, role: Role) -> EventRole:
    member = EventRole(event_id=event.id, organiser_id=organiser.id, role=role)
    db.session.add(member)
    db.session.commit()  # survives a rollback in the code under test
    return member


def make_speakers_list(event: Event, **fields: Any) -> SpeakersList:
    """An enabled list, open since an hour ago, floor at the event's start."""
    values: dict[str, Any] = {"event": event, "opens_at": now_utc() - timedelta(hours=1)}
    values.update(fields)
    speakers_list = SpeakersList(**values)
    db.session.add(speakers_list)
    db.session.commit()  # survives a rollback in the code under test
    return speakers_list


def make_speaker(event: Event, **fields: Any) -> Speaker:
    n = next(_numbers)
    values: dict[str, Any] = {
        "event": event,
        "name": f"Speaker {n}",
        "delegation": f"Organisation {n}",
        "category": SpeakerCategory.NGO,
        "language": event.floor_language,
        "email": f"speaker{n}@example.org",
        "seconds_allowed": 120 if fields.get("on_behalf_of_group") else 60,
    }
    values.update(fields)
    values.setdefault("delegation_key", delegation_key(
        values["category"], values["delegation"], values.get("country"), values.get("group_name")))
    if "speakers_list" not in values and "list_id" not in values and db.session.scalar(
            sa.select(SpeakersList.id).where(SpeakersList.event_id == event.id).limit(1)) is None:
        make_speakers_list(event)  # a speaker is always on one of the event's lists
    speaker = Speaker(**values)
    db.session.add(speaker)
    db.session.commit()  # survives a rollback in the code under test
    return speaker


#: The smallest well-formed PDF and PNG files the upload checks accept.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>"
             b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def png_bytes(width: int = 8, height: int = 6, color: str = "steelblue", **save: Any) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), color).save(out, format=save.pop("format", "PNG"), **save)
    return out.getvalue()


def add_document(event: Event, title: str = "Flyer", language: str = "en", url: str | None = None,
                 data: bytes | None = PDF_BYTES) -> EventDocument:
    """A document of ``event``: a link when ``url`` is given, otherwise a stored file."""
    stored = {"file_name": uploads.store(data, "pdf"), "media_type": "application/pdf",
              "size_bytes": len(data)} if url is None and data is not None else {}
    owner = db.session.get(Event, event.id)  # the caller's event may belong to another session
    assert owner is not None
    document = EventDocument(title=title, language=language, url=url, position=len(owner.documents),
                             **stored)
    owner.documents.append(document)
    db.session.commit()  # survives a rollback in the code under test
    return document


def set_image(event: Event, data: bytes | None = None) -> str:
    """Give ``event`` a stored PNG image; returns its stored name."""
    owner = db.session.get(Event, event.id)  # the caller's event may belong to another session
    assert owner is not None
    owner.image_path = name = uploads.store(data or png_bytes(), "png")
    db.session.commit()  # survives a rollback in the code under test
    return name


def written(message: OutboxMessage | None) -> OutboxMessage:
    """An outbox message as the worker writes it just before sending (see outbox.queue_later)."""
    assert message is not None, "no message was queued"
    assert outbox.render_pending(message), "the message has nothing to send"
    return message


def add_translation(event: Event, language: str, title: str, summary: str = "",
                    description: str = "") -> EventTranslation:
    """``event``'s title, summary and description in ``language``."""
    translation = EventTranslation(event_id=event.id, language=language, title=title, summary=summary,
                                   description=description)
    db.session.add(translation)
    db.session.commit()  # survives a rollback in the code under test
    db.session.expire(event, ["translations"])
    return translation


def add_question(event: Event, label: str, kind: QuestionKind = QuestionKind.SHORT_TEXT,
                 **fields: Any) -> Question:
    """One of ``event``'s own registration questions, after those it has."""
    position = fields.pop("position", None)
    if position is None:
        position = len(db.session.scalars(sa.select(Question.id).where(Question.event_id == event.id)).all())
    question = Question(event_id=event.id, kind=kind, label=label, position=position, **fields)
    db.session.add(question)
    db.session.commit()  # survives a rollback in the code under test
    return question
