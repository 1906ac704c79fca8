"""What the API answers about an event's people: pages of registrations and speakers, counts.

Pages are read by cursor, in id order, ``limit`` rows at a time with one indexed query: an
event of 100,000 registrants is never loaded whole. What a reader sees follows the pages: a
registration that asked for confidentiality is a door code, without name, address or
organisation, for anyone below manager (rsvp.registrations.views.back_office.hidden).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.auth.roles import satisfies
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.registrations.tracking import COUNTED
from rsvp.speakers.models import Speaker, SpeakerState

#: Rows per page unless ``limit`` asks for fewer (or more, up to MAX_LIMIT).
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class BadCursor(ValueError):
    """A cursor this API did not give, or a limit out of range: answered 400."""


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id the page starts after (0 for the first page).

    :raises BadCursor: not one of ours.
    """
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "after" or not number.isdigit() or int(number) >= 2**63:
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor("cursor") from error
    return int(number)


def page_limit(asked: str | None) -> int:
    """:raises BadCursor: not a number from 1 to MAX_LIMIT."""
    if asked is None or asked == "":
        return DEFAULT_LIMIT
    if not asked.isdigit() or not 1 <= int(asked) <= MAX_LIMIT:
        raise BadCursor("limit")
    return int(asked)


def _page(query: sa.Select[Any], id_column: Any, cursor: str | None,
          limit: int) -> tuple[list[Any], str | None]:
    rows = list(db.session.scalars(query.where(id_column > decode_cursor(cursor))
                                   .order_by(id_column).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more else None)


def sees_confidential(role: Role) -> bool:
    """Managers and owners see who asked for confidentiality; viewers see a code."""
    return satisfies(role, Role.MANAGER)


def registration_entry(registration: Registration, role: Role) -> dict[str, Any]:
    """One registration as the API gives it to a reader holding ``role`` (viewer or above)."""
    hidden = registration.confidential and not sees_confidential(role)
    erased = registration.erased_at is not None
    person = None if hidden or erased else {
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "country": registration.country,
    }
    return {
        "id": registration.public_id,
        "code": registration.door_code,
        "status": registration.status.value,
        "confidential": bool(registration.confidential),
        "person": person,
        "organisation_type": registration.organisation_type.value,
        "attendance_mode": registration.attendance_mode.value,
        "language": registration.language,
        "interpretation_language": registration.interpretation_language,
        "captions": bool(registration.captions),
        "created_at": iso(registration.created_at),
        "updated_at": iso(registration.updated_at),
        "checked_in_at": iso(registration.checked_in_at),
        "erased": erased,
    }


def registrations_page(event: Event, role: Role, cursor: str | None, limit: int,
                       status: RegistrationStatus | None = None) -> Page:
    """:raises BadCursor: the cursor is not one of ours."""
    query = sa.select(Registration).where(Registration.event_id == event.id)
    if status is not None:
        query = query.where(Registration.status == status)
    rows, following = _page(query, Registration.id, cursor, limit)
    return Page([registration_entry(r, role) for r in rows], following)


def registration_of(event: Event, public_id: str) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(
        Registration.public_id == public_id, Registration.event_id == event.id))


def speaker_entry(speaker: Speaker) -> dict[str, Any]:
    """One inscription, as the speakers console shows it to a viewer."""
    erased = speaker.name == ""
    return {
        "id": speaker.public_id,
        "state": speaker.state.value,
        "name": None if erased else speaker.name,
        "delegation": speaker.delegation,
        "category": speaker.category.value,
        "country": speaker.country,
        "on_behalf_of_group": bool(speaker.on_behalf_of_group),
        "group_name": speaker.group_name,
        "language": speaker.language,
        "position": speaker.position,
        "seconds_allowed": speaker.seconds_allowed,
        "seconds_used": speaker.seconds_used,
        "inscribed_at": iso(speaker.inscribed_at),
        "has_statement": speaker.statement_stored_as is not None,
    }


def speakers_page(event: Event, cursor: str | None, limit: int,
                  state: SpeakerState | None = None) -> Page:
    """:raises BadCursor: the cursor is not one of ours."""
    query = sa.select(Speaker).where(Speaker.event_id == event.id)
    if state is not None:
        query = query.where(Speaker.state == state)
    rows, following = _page(query, Speaker.id, cursor, limit)
    return Page([speaker_entry(s) for s in rows], following)


def counts(event: Event) -> dict[str, Any]:
    """What every role may read, co-sponsors too: numbers, never a person."""
    by_status = dict.fromkeys((s.value for s in RegistrationStatus), 0)
    by_mode: dict[str, int] = {}
    for status, mode, number in db.session.execute(
            sa.select(Registration.status, Registration.attendance_mode, sa.func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.status, Registration.attendance_mode)):
        by_status[status.value] += number
        if status in COUNTED:
            by_mode[mode.value] = by_mode.get(mode.value, 0) + number
    checked_in = db.session.scalar(sa.select(sa.func.count()).where(
        Registration.event_id == event.id, Registration.checked_in_at.is_not(None))) or 0
    speakers = db.session.scalar(sa.select(sa.func.count()).where(
        Speaker.event_id == event.id, Speaker.state != SpeakerState.WITHDRAWN)) or 0
    return {"registrations": {"by_status": by_status, "by_attendance_mode": by_mode,
                              "checked_in": checked_in},
            "speakers": speakers}


def event_entry(event: Event, role: Role, can_write: bool) -> dict[str, Any]:
    return {"id": event.public_id, "slug": event.slug, "title": event.title,
            "status": event.status.value, "starts_at": iso(event.starts_at),
            "ends_at": iso(event.ends_at), "timezone": event.timezone, "role": role.value,
            "may_read_people": satisfies(role, Role.VIEWER),
            "may_change": can_write and satisfies(role, Role.MANAGER),
            "may_check_in": can_write and satisfies(role, Role.CHECK_IN)}
