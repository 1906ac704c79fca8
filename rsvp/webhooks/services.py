"""Adding and removing webhook endpoints, and reading their delivery log. Functions flush,
never commit; each change is written to the audit log."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.privacy import audit
from rsvp.privacy.models import AuditAction
from rsvp.webhooks import signing
from rsvp.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookType

#: Deliveries the log page shows, newest first.
LOG_LENGTH = 50


class BadAddress(ValueError):
    """Not an http(s) address with a host."""


def check_url(url: str) -> str:
    """:raises BadAddress: not http or https, or no host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise BadAddress(url)
    return url


def add_endpoint(event: Event | None, url: str, types: list[WebhookType], details: bool,
                 actor: str) -> WebhookEndpoint:
    """An endpoint for ``event``'s changes (None: every event's), with a new secret.

    :raises BadAddress: see check_url.
    """
    endpoint = WebhookEndpoint(event_id=event.id if event else None, url=check_url(url),
                               secret=signing.new_secret(), types=[t.value for t in types],
                               details=details, created_by=actor)
    db.session.add(endpoint)
    db.session.flush()
    audit.record(event, actor, AuditAction.CHANGED_EVENT,
                 f"webhook to {urlsplit(endpoint.url).hostname} added "
                 f"({'full details' if details else 'ids only'}: {', '.join(endpoint.types)})")
    return endpoint


def remove_endpoint(endpoint: WebhookEndpoint, actor: str) -> None:
    """The endpoint goes, with its deliveries still waiting (nothing more is sent to it)."""
    audit.record(endpoint.event, actor, AuditAction.CHANGED_EVENT,
                 f"webhook to {urlsplit(endpoint.url).hostname} removed")
    db.session.delete(endpoint)
    db.session.flush()


def endpoints_of(event: Event | None) -> list[WebhookEndpoint]:
    condition = (WebhookEndpoint.event_id == event.id if event is not None
                 else WebhookEndpoint.event_id.is_(None))
    return list(db.session.scalars(sa.select(WebhookEndpoint).where(condition)
                                   .order_by(WebhookEndpoint.id)))


def endpoint_of(event: Event | None, public_id: str) -> WebhookEndpoint | None:
    return next((e for e in endpoints_of(event) if e.public_id == public_id), None)


def recent_deliveries(event: Event | None) -> list[WebhookDelivery]:
    """The last LOG_LENGTH deliveries to these endpoints, each with its attempts."""
    ids = [endpoint.id for endpoint in endpoints_of(event)]
    return list(db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id.in_(ids))
        .options(selectinload(WebhookDelivery.log), selectinload(WebhookDelivery.endpoint))
        .order_by(WebhookDelivery.id.desc()).limit(LOG_LENGTH)))
