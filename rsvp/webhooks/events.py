"""Writes a delivery row for each endpoint told of a change, in the change's own transaction.

Every registration's step is a RegistrationChange row (rsvp.registrations.services.register,
move_status, checkin.check_in all add one), and an inscription is a new Speaker: after each
flush, the new ones are turned into deliveries by plain INSERTs on the flush's connection; a
change written as a row by its own INSERT (rsvp.rows.insert_row: a new registration's first
step) right after that INSERT. A change rolled back (a savepoint included: a second
registration refused) takes its delivery with it; nothing is sent from a web request: the
worker delivers (rsvp.webhooks.delivery).
The registration and speakers services are not touched: create_app installs the listener.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rsvp.db import Session as AppSession
from rsvp.events.models import READ_AHEAD, Event
from rsvp.registrations.models import RegistrationChange, RegistrationStatus
from rsvp.rows import on_insert
from rsvp.speakers.models import Speaker
from rsvp.timeutil import now_utc
from rsvp.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookType


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(24)


def types_of(from_status: RegistrationStatus | None, to_status: RegistrationStatus,
             note: str) -> list[WebhookType]:
    """What a registration's step tells: created, a status change (and a cancellation), check-in."""
    if from_status is None:
        return [WebhookType.REGISTRATION_CREATED]
    if from_status != to_status:
        told = [WebhookType.REGISTRATION_STATUS_CHANGED]
        if to_status is RegistrationStatus.CANCELLED:
            told.append(WebhookType.REGISTRATION_CANCELLED)
        return told
    if note == "checked in":  # rsvp.registrations.checkin.check_in's step
        return [WebhookType.REGISTRATION_CHECKED_IN]
    return []


#: The endpoints told of one event's changes: its own and the site-wide ones. Built once.
_ENDPOINTS = sa.select(WebhookEndpoint.id, WebhookEndpoint.types).where(sa.or_(
    WebhookEndpoint.event_id == sa.bindparam("event_id"), WebhookEndpoint.event_id.is_(None)))


def _endpoints(connection: sa.Connection, event_id: int, cache: dict[int, list[Any]]) -> list[Any]:
    """The endpoints told of ``event_id``'s changes: its own and the site-wide ones."""
    if event_id not in cache:
        cache[event_id] = list(connection.execute(_ENDPOINTS, {"event_id": event_id}))
    return cache[event_id]


#: Session.info key: the endpoints read ahead in the session's transaction, by event id.
_READ_AHEAD = "webhook_endpoints_read_ahead"


#: Event's attribute (read with the registration form's event, group READ_AHEAD): whether any
#: endpoint, the event's own or a site-wide one, hears of its changes when it was read.
_TOLD = "webhook_endpoints_told"


def _read_ahead(session: Session, event_id: int) -> bool:
    """Read now, in the transaction that will write the change, the endpoints of ``event_id``
    (rsvp.rows.expect_insert): a new registration reads them before its seat, not while the
    registrations of the same event queue behind it on PostgreSQL. Nothing is read when the
    event, read with _TOLD, had none (most events): one statement fewer a registration. An
    endpoint added since is told of the next registration, as one added after this read
    always was. True when some endpoint hears of the event's changes."""
    read = session.info.setdefault(_READ_AHEAD, {})
    event = session.identity_map.get(sa.orm.util.identity_key(Event, event_id))
    if event is not None and event.__dict__.get(_TOLD) is False:
        read[event_id] = []
        return False
    return bool(_endpoints(session.connection(), event_id, read))


def _transaction_over(session: Session, *_args: Any) -> None:
    """What was read ahead holds for the transaction that read it only."""
    session.info.pop(_READ_AHEAD, None)


def _tell(session: Session, told: list[tuple[int, WebhookType, dict[str, Any]]]) -> None:
    """A pending delivery of each of ``told`` to each endpoint that asked for its type."""
    if not told:
        return
    connection = session.connection()
    cache: dict[int, list[Any]] = dict(session.info.get(_READ_AHEAD, {}))
    now = now_utc()
    rows = [{"endpoint_id": endpoint_id, "message_id": new_message_id(), "type": kind,
             "occurred_at": now, "next_attempt_at": now, "status": "pending", "attempts": 0,
             "registration_change_id": None, "speaker_id": None, **about}
            for event_id, kind, about in told
            for endpoint_id, types in _endpoints(connection, event_id, cache) if kind.value in types]
    if rows:
        connection.execute(sa.insert(WebhookDelivery), rows)


def _told_of(change: RegistrationChange) -> list[tuple[int, WebhookType, dict[str, Any]]]:
    return [(change.registration.event_id, kind, {"registration_change_id": change.id})
            for kind in types_of(change.from_status, change.to_status, change.note)]


def _after_flush(session: Session, context: Any) -> None:
    told: list[tuple[int, WebhookType, dict[str, Any]]] = []
    for obj in session.new:
        if isinstance(obj, RegistrationChange):
            told.extend(_told_of(obj))
        elif isinstance(obj, Speaker):
            told.append((obj.event_id, WebhookType.SPEAKER_INSCRIBED, {"speaker_id": obj.id}))
    _tell(session, told)


def _change_inserted(session: Session, change: dict[str, Any], *, event_id: int) -> None:
    """A change written as a row (rsvp.rows.insert_row), of a registration for ``event_id``."""
    _tell(session, [(event_id, kind, {"registration_change_id": change["id"]})
                    for kind in types_of(change["from_status"], change["to_status"], change["note"])])


def install() -> None:
    """Listen to every session of the app, and give Event the _TOLD column read ahead with it
    (idempotent: create_app runs once per app)."""
    if not Event.__mapper__.has_property(_TOLD):
        Event.__mapper__.add_property(_TOLD, sa.orm.column_property(
            sa.exists().where(sa.or_(WebhookEndpoint.event_id == Event.id,
                                     WebhookEndpoint.event_id.is_(None)))
            .correlate_except(WebhookEndpoint), deferred=True, group=READ_AHEAD))
    if not sa.event.contains(AppSession, "after_flush", _after_flush):
        sa.event.listen(AppSession, "after_flush", _after_flush)
    for ended in ("after_commit", "after_rollback", "after_soft_rollback"):
        if not sa.event.contains(AppSession, ended, _transaction_over):
            sa.event.listen(AppSession, ended, _transaction_over)
    on_insert(RegistrationChange, _change_inserted, ahead=_read_ahead)
