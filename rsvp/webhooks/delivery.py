"""The worker's webhook step: claim what is due, write each body once, sign it, POST it, log the
attempt, and retry with exponential backoff until WEBHOOK_MAX_ATTEMPTS (then give up).

Runs only in the worker (rsvp.jobs): no web request ever makes an outgoing request. A
redirect is not followed, and addresses on this machine or its private networks are refused
unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES (a tool on the organisation's own network, the tests).
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from rsvp.db import writing
from rsvp.extensions import db
from rsvp.registrations.models import Registration, RegistrationChange
from rsvp.speakers.models import Speaker
from rsvp.timeutil import now_utc
from rsvp.webhooks import signing
from rsvp.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookType


@dataclass
class DeliveryResult:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def _iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def _registration_data(change: RegistrationChange, details: bool) -> dict[str, Any]:
    registration: Registration = change.registration
    data: dict[str, Any] = {
        "event": {"id": registration.event.public_id, "slug": registration.event.slug},
        "registration": {
            "id": registration.public_id, "code": registration.door_code,
            "status": change.to_status.value,
            "previous_status": change.from_status.value if change.from_status else None,
            "attendance_mode": registration.attendance_mode.value,
            "checked_in_at": _iso(registration.checked_in_at),
            "confidential": bool(registration.confidential)}}
    # Full details never name someone who asked for confidentiality, nor someone erased.
    if details and not registration.confidential and registration.erased_at is None:
        data["registration"]["person"] = {
            "name": registration.name, "email": registration.email,
            "organisation": registration.organisation, "country": registration.country,
            "language": registration.language}
    return data


def _speaker_data(speaker: Speaker, details: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event": {"id": speaker.event.public_id, "slug": speaker.event.slug},
        "speaker": {"id": speaker.public_id, "state": speaker.state.value,
                    "category": speaker.category.value, "delegation": speaker.delegation,
                    "country": speaker.country, "language": speaker.language}}
    if details and speaker.name:
        data["speaker"]["person"] = {"name": speaker.name, "email": speaker.email}
    return data


def body_of(delivery: WebhookDelivery) -> str:
    """The JSON told: the Standard Webhooks envelope (type, timestamp, data)."""
    details = delivery.endpoint.details
    if delivery.type is WebhookType.SPEAKER_INSCRIBED:
        speaker = db.session.get(Speaker, delivery.speaker_id)
        data = _speaker_data(speaker, details) if speaker else {}
    else:
        change = db.session.get(RegistrationChange, delivery.registration_change_id)
        data = _registration_data(change, details) if change else {}
    return json.dumps({"type": delivery.type.value, "timestamp": _iso(delivery.occurred_at),
                       "data": data}, ensure_ascii=False, separators=(",", ":"))


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now),
        sa.and_(WebhookDelivery.status == DeliveryStatus.SENDING, WebhookDelivery.lease_expires_at < now))


def claim(limit: int, now: datetime) -> list[int]:
    """Take up to ``limit`` due deliveries for this worker (two workers never take the same)."""
    token = secrets.token_hex(16)
    candidates = (sa.select(WebhookDelivery.id).where(_due(now))
                  .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit))
    chosen: Any = candidates.scalar_subquery()
    if db.session.get_bind().dialect.name == "postgresql":
        chosen = list(db.session.scalars(candidates.with_for_update(skip_locked=True)))
    lease = timedelta(seconds=current_app.config["WEBHOOK_TIMEOUT_SECONDS"] * 2 + 60)
    db.session.execute(sa.update(WebhookDelivery)
                       .where(WebhookDelivery.id.in_(chosen), _due(now))
                       .values(status=DeliveryStatus.SENDING, claim=token, lease_expires_at=now + lease)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(sa.select(WebhookDelivery.id).where(WebhookDelivery.claim == token)
                                   .order_by(WebhookDelivery.id)))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is the receiver's answer, not a new address to call


class Refused(Exception):
    """An address the worker will not call."""


def check_address(url: str) -> None:
    """:raises Refused: not http(s), or a private address while those are not allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("only http and https addresses")
    if current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]:
        return
    for info in socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP):
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise Refused(f"{address} is not a public address")


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """The receiver's status code. :raises OSError: no answer (refused, timed out, DNS)."""
    check_address(url)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only: check_address
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"]) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def attempt(delivery_id: int, now: datetime, result: DeliveryResult) -> None:
    """One try at one claimed delivery; its outcome and its log line committed together."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return
    if delivery.body is None:
        delivery.body = body_of(delivery)
        db.session.commit()
    body = delivery.body.encode()
    url, secret, message_id = delivery.endpoint.url, delivery.endpoint.secret, delivery.message_id
    db.session.commit()  # no transaction stays open while the receiver answers
    code: int | None = None
    error = ""
    try:
        code = post(url, body, signing.headers(secret, message_id, int(now.timestamp()), body))
    except Refused as refused:
        error = f"refused: {refused}"
    except (OSError, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"[:300]
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:  # pragma: no cover - its endpoint was deleted meanwhile
        return
    delivery.log.append(WebhookAttempt(at=now, status_code=code, error=error[:300]))
    delivery.attempts += 1
    delivery.claim, delivery.lease_expires_at = None, None
    config = current_app.config
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at, delivery.body = DeliveryStatus.DELIVERED, now, None
        result.delivered += 1
    elif delivery.attempts >= config["WEBHOOK_MAX_ATTEMPTS"] or error.startswith("refused"):
        delivery.status, delivery.body = DeliveryStatus.FAILED, None
        result.failed += 1
    else:
        delay = min(config["WEBHOOK_RETRY_BASE_SECONDS"] * 2 ** (delivery.attempts - 1),
                    config["WEBHOOK_RETRY_MAX_SECONDS"])
        delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now + timedelta(seconds=delay)
        result.retried += 1
    db.session.commit()


def deliver_webhooks(now: datetime | None = None) -> DeliveryResult:
    """The worker's step: every due delivery, a batch at a time, then delivered bodies older than
    WEBHOOK_KEEP_DAYS go (they may name people)."""
    now = now or now_utc()
    result = DeliveryResult()
    size = current_app.config["WEBHOOK_BATCH_SIZE"]
    with writing():
        while True:
            claimed = claim(size, now)
            for delivery_id in claimed:
                attempt(delivery_id, now, result)
            if len(claimed) < size:
                break
        forget_old(now)
        db.session.commit()
    return result


def forget_old(now: datetime) -> None:
    """Deliveries finished long ago go with their log (their bodies, which may name someone, went
    as soon as they were delivered or given up)."""
    kept = now - timedelta(days=current_app.config["WEBHOOK_KEEP_DAYS"])
    db.session.execute(sa.delete(WebhookDelivery).where(
        WebhookDelivery.status.in_((DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)),
        WebhookDelivery.occurred_at < kept))
