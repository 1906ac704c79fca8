"""Per-event roles: what each role allows, and changes to a team.

Owner > manager > viewer > co-sponsor: each may do what the roles below it
may. A co-sponsor (a State or organisation lending its name to the event) sees
the counts and the interpretation demand, never an attendee's name, address or
organisation. Check-in is a separate capability, held by check-in staff and
also by managers and owners, never by viewers or co-sponsors. Site admins may
do everything on every event.
Functions here flush, never commit.
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.exc import IntegrityError

from rsvp.auth.models import EventRole, Organiser, Role
from rsvp.auth.services import find_by_email
from rsvp.events.models import Event
from rsvp.extensions import db

_RANK = {Role.CO_SPONSOR: 0, Role.VIEWER: 1, Role.MANAGER: 2, Role.OWNER: 3}
#: Roles that may check people in.
_CHECKS_IN = frozenset({Role.OWNER, Role.MANAGER, Role.CHECK_IN})
#: WSGI environ key of the roles one request has looked up (role_on).
_HELD = "rsvp.roles_held"


class TeamError(Exception):
    """A change to an event's team that cannot be made; the caller rolls back."""


class UnknownOrganiser(TeamError):
    """No active organiser account has this email."""


class AlreadyOnTeam(TeamError):
    def __init__(self, role: Role) -> None:
        super().__init__(role.value)
        self.role = role


class NotOnTeam(TeamError):
    """The organiser holds no role on this event."""


class LastOwner(TeamError):
    """The change would leave the event without an owner."""


def satisfies(held: Role, needed: Role) -> bool:
    """Whether holding ``held`` on an event allows what ``needed`` guards."""
    if needed is Role.CHECK_IN:
        return held in _CHECKS_IN
    return held in _RANK and _RANK[held] >= _RANK[needed]


def role_on(organiser: Organiser, event: Event) -> Role | None:
    """The organiser's role on the event, looked up once per request: a page asks for it in its
    access check, its tabs and its own decisions (grant, change and remove forget it)."""
    held = _held()
    key = (organiser.id, event.id)
    if key not in held:
        held[key] = db.session.scalar(sa.select(EventRole.role).where(
            EventRole.event_id == event.id, EventRole.organiser_id == organiser.id))
    return held[key]


def _held() -> dict[tuple[int, int], Role | None]:
    """This request's roles already looked up (a new dict each call outside a request: the worker
    and commands look again every time)."""
    if not has_request_context():
        return {}
    return request.environ.setdefault(_HELD, {})  # the request's own, never another's


def can(organiser: Organiser, event: Event, needed: Role) -> bool:
    if organiser.is_admin:
        return True
    held = role_on(organiser, event)
    return held is not None and satisfies(held, needed)


def event_for(organiser: Organiser, event_public_id: str, needed: Role) -> Event | None:
    """The event if ``organiser`` may do what ``needed`` guards on it; None when there is no
    such event or they may not (callers answer both the same way).

    The event and the organiser's role on it in one statement (every organiser page asks),
    or none when read_ahead read them with the organiser: the role is kept for the rest of
    the request as role_on keeps it."""
    ahead = _read_ahead()
    if ahead is not None and (ahead.organiser.public_id, ahead.event_public_id) == (
            organiser.public_id, event_public_id):
        event, held = ahead.event, ahead.role
    else:
        found = db.session.execute(_EVENT_AND_ROLE, {"public_id": event_public_id,
                                                     "organiser_id": organiser.id}).first()
        event, held = found if found is not None else (None, None)
    if event is None:
        return None
    _held()[(organiser.id, event.id)] = held
    if not can(organiser, event, needed):
        return None
    return event


#: An event by its public id, with the role one organiser holds on it (None for none): built
#: once, with the values bound at each request.
_EVENT_AND_ROLE = sa.select(Event, EventRole.role).outerjoin(EventRole, sa.and_(
    EventRole.event_id == Event.id, EventRole.organiser_id == sa.bindparam("organiser_id"))).where(
    Event.public_id == sa.bindparam("public_id"))


def read_ahead(organiser_public_id: str, event_public_id: str) -> Organiser | None:
    """The organiser of a login session, read with the event of the page and the role they
    hold on it, in one statement: an organiser page of an event needs all three, and
    reading them apart cost a statement more (on PostgreSQL a round trip more) on every
    page, the check-in desk's included. Kept for the request: the login's loader takes the
    organiser from here (rsvp.auth.access.load_organiser, which still checks them) and
    event_for the event and the role. None when there is no such organiser."""
    found = db.session.execute(_ORGANISER_EVENT_AND_ROLE, {
        "organiser_public_id": organiser_public_id, "event_public_id": event_public_id}).first()
    if found is None:
        return None
    request.environ[_AHEAD] = ReadAhead(event_public_id, *found)
    return found[0]


def read_ahead_organiser(public_id: str) -> Organiser | None:
    """The organiser read_ahead read in this request for ``public_id``, if it did."""
    ahead = _read_ahead()
    return ahead.organiser if ahead is not None and ahead.organiser.public_id == public_id else None


class ReadAhead(NamedTuple):
    """What read_ahead read for the request."""

    event_public_id: str
    organiser: Organiser
    event: Event | None
    role: Role | None


def _read_ahead() -> ReadAhead | None:
    return request.environ.get(_AHEAD) if has_request_context() else None


#: WSGI environ key of what read_ahead read (ReadAhead).
_AHEAD = "rsvp.organiser_event_and_role"
#: An organiser by public id, an event by public id (or none) and the role the one holds on
#: the other (or none), built once.
_EVENT_OF_PAGE = sa.orm.aliased(Event, name="page_event")
_ORGANISER_EVENT_AND_ROLE = sa.select(Organiser, _EVENT_OF_PAGE, EventRole.role).select_from(
    Organiser).outerjoin(
    _EVENT_OF_PAGE, _EVENT_OF_PAGE.public_id == sa.bindparam("event_public_id")).outerjoin(
    EventRole, sa.and_(EventRole.event_id == _EVENT_OF_PAGE.id,
                       EventRole.organiser_id == Organiser.id)).where(
    Organiser.public_id == sa.bindparam("organiser_public_id"))


def team(event: Event) -> list[EventRole]:
    """Who holds which role on ``event``: owners first, then by name."""
    members = db.session.scalars(
        sa.select(EventRole).join(EventRole.organiser).where(EventRole.event_id == event.id)
        .order_by(Organiser.name, Organiser.email))
    order = [Role.OWNER, Role.MANAGER, Role.CHECK_IN, Role.VIEWER, Role.CO_SPONSOR]
    return sorted(members, key=lambda member: order.index(member.role))


def _membership(event: Event, organiser: Organiser) -> EventRole:
    # Locks the event's row on PostgreSQL: two owners demoting each other at once
    # must not both see another owner left (SQLite serialises writers anyway).
    db.session.execute(sa.select(Event.id).where(Event.id == event.id).with_for_update())
    member = db.session.scalar(sa.select(EventRole).where(
        EventRole.event_id == event.id, EventRole.organiser_id == organiser.id))
    if member is None:
        raise NotOnTeam(organiser.public_id)
    return member


def _keep_an_owner(event: Event, member: EventRole) -> None:
    if member.role is not Role.OWNER:
        return
    owners = db.session.scalar(sa.select(sa.func.count()).select_from(EventRole).where(
        EventRole.event_id == event.id, EventRole.role == Role.OWNER))
    if (owners or 0) <= 1:
        raise LastOwner(event.public_id)


def grant(event: Event, email: str, role: Role) -> EventRole:
    """Give the organiser with ``email`` a role on ``event``.

    :raises UnknownOrganiser: no active organiser account has this email.
    :raises AlreadyOnTeam: they hold a role on the event already (change it instead).
    """
    organiser = find_by_email(email)
    if organiser is None or not organiser.is_active:
        raise UnknownOrganiser(email)
    existing = role_on(organiser, event)
    if existing is not None:
        raise AlreadyOnTeam(existing)
    _held().pop((organiser.id, event.id), None)
    member = EventRole(event_id=event.id, organiser_id=organiser.id, role=role)
    try:
        with db.session.begin_nested():
            db.session.add(member)
    except IntegrityError as error:  # granted by someone else meanwhile
        raise AlreadyOnTeam(role_on(organiser, event) or role) from error
    return member


def change(event: Event, organiser: Organiser, role: Role) -> EventRole:
    """Give a team member another role.

    :raises NotOnTeam: they hold no role on the event.
    :raises LastOwner: they are its only owner and ``role`` is not owner.
    """
    member = _membership(event, organiser)
    _held().pop((organiser.id, event.id), None)
    if role is not Role.OWNER:
        _keep_an_owner(event, member)
    member.role = role
    db.session.flush()
    return member


def remove(event: Event, organiser: Organiser) -> None:
    """Take ``organiser`` off the event's team.

    :raises NotOnTeam: they hold no role on the event.
    :raises LastOwner: they are its only owner.
    """
    member = _membership(event, organiser)
    _held().pop((organiser.id, event.id), None)
    _keep_an_owner(event, member)
    db.session.delete(member)
    db.session.flush()
