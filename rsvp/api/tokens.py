"""Making, finding and revoking personal access tokens, and what a token may reach.

A token acts for its organiser: on an event it covers, it may do what their role there
allows (rsvp.auth.roles, the same checks as the pages), never more, and changes only with
``can_write``. Making, revoking and using a token is written to the audit log. Functions
flush, never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa

from rsvp.api.models import TOKEN_PREFIX, ApiToken
from rsvp.auth import roles
from rsvp.auth.models import EventRole, Organiser, Role
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.timeutil import now_utc

#: Random bytes in a secret (256 bits): guessing one is hopeless, so a fast hash suffices.
SECRET_BYTES = 32
#: Letters of the secret kept as its hint, after the prefix.
HINT_LETTERS = 4


class TokenRefused(Exception):
    """No such token, or revoked, or expired, or its organiser deactivated: answered 401."""


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(organiser: Organiser, name: str, events: list[Event] | None, can_write: bool,
           expires_at: datetime, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here once and never stored.

    ``events`` None: every event the organiser holds a role on, now and later.
    """
    now = now or now_utc()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken(organiser=organiser, name=name.strip(), can_write=can_write,
                     all_events=events is None, expires_at=expires_at, created_at=now,
                     hint=secret[:len(TOKEN_PREFIX) + HINT_LETTERS], secret_hash=secret_hash(secret))
    token.events = list(events or [])
    db.session.add(token)
    db.session.flush()
    _record(token, organiser.email,
            f"made, {'read and write' if can_write else 'read only'}, "
            f"expires {expires_at:%Y-%m-%d}", now)
    return token, secret


def revoke(token: ApiToken, actor: str, now: datetime | None = None) -> None:
    now = now or now_utc()
    if token.revoked_at is None:
        token.revoked_at = now
        _record(token, actor, "revoked", now)
        db.session.flush()


def _record(token: ApiToken, actor: str, what: str, now: datetime) -> None:
    """One entry per event the token names (the event's own log shows it), else one for the site."""
    detail = f"API token {token.hint}… “{token.name}” {what}"
    named: list[Event | None] = [*([] if token.all_events else token.events)]
    for event in named or [None]:
        audit.record(event, actor, AuditAction.CHANGED_TOKENS, detail, now)


def tokens_of(organiser: Organiser) -> list[ApiToken]:
    """An organiser's tokens, newest first, revoked and expired ones included (their last use)."""
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.organiser_id == organiser.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def get_own(organiser: Organiser, public_id: str) -> ApiToken | None:
    return db.session.scalar(sa.select(ApiToken).where(
        ApiToken.public_id == public_id, ApiToken.organiser_id == organiser.id))


def authenticate(secret: str, now: datetime | None = None) -> ApiToken:
    """The usable token whose secret this is (record_use notes its use).

    :raises TokenRefused: unknown, revoked, expired, or its organiser deactivated.
    """
    now = now or now_utc()
    if not secret.startswith(TOKEN_PREFIX):
        raise TokenRefused("not a token")
    wanted = secret_hash(secret)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.secret_hash == wanted))
    if token is None or not hmac.compare_digest(token.secret_hash, wanted) or not token.usable(now):
        raise TokenRefused("unknown, revoked or expired")
    return token


def covers(token: ApiToken, event: Event) -> bool:
    return token.all_events or any(e.id == event.id for e in token.events)


def reach(token: ApiToken, event_public_id: str) -> tuple[Event, Role] | None:
    """The event and the role the token acts with on it, if the token covers it and its
    organiser holds a role there (site admins act as owners); else None: no such event, not
    covered, no role, all answered alike (404)."""
    event = db.session.scalar(sa.select(Event).where(Event.public_id == event_public_id))
    if event is None or not covers(token, event):
        return None
    role = Role.OWNER if token.organiser.is_admin else roles.role_on(token.organiser, event)
    return (event, role) if role is not None else None


def organiser_events(organiser: Organiser, among: list[int] | None = None) -> list[tuple[Event, Role]]:
    """The events an organiser holds a role on (site admins: every event, as owners), soonest
    first, with that role; only those in ``among`` (event ids) when given."""
    if organiser.is_admin:
        query = sa.select(Event, sa.literal(Role.OWNER.value))
    else:
        query = (sa.select(Event, EventRole.role).join(EventRole, EventRole.event_id == Event.id)
                 .where(EventRole.organiser_id == organiser.id))
    if among is not None:
        query = query.where(Event.id.in_(among))
    return [(event, Role(role)) for event, role in db.session.execute(
        query.order_by(Event.starts_at, Event.id))]


def events_of(token: ApiToken) -> list[tuple[Event, Role]]:
    """The events the token reaches, with the role it acts with on each."""
    return organiser_events(token.organiser,
                            None if token.all_events else [event.id for event in token.events])


def actor(token: ApiToken) -> str:
    """Who the audit log says acted: the organiser, through which token."""
    return f"{token.organiser.email[:200]} (API token {token.hint}…)"


def record_use(token: ApiToken, event: Event | None, action: AuditAction, detail: str,
               now: datetime | None = None) -> None:
    """The audit entry of one use, and the token's last use (written after the request's reads:
    see rsvp.db.write_after_reading)."""
    now = now or now_utc()
    audit.record(event, actor(token), action, f"{detail} (through the API)", now)
    token.last_used_at = now
