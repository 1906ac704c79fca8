"""Standard Webhooks signatures (https://www.standardwebhooks.com/): the receiver checks
``webhook-signature`` = ``v1,`` + base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"))
where the key is the base64 after the secret's ``whsec_`` prefix."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key_of(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key_of(secret), signed, hashlib.sha256).digest()).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body),
            "Content-Type": "application/json", "User-Agent": "RSVP-Webhooks/1"}


def verify(secret: str, given: dict[str, str], body: bytes) -> bool:
    """What a receiver does (the tests use it): one of the ``v1,`` signatures matches."""
    expected = sign(secret, given["webhook-id"], int(given["webhook-timestamp"]), body)
    return any(hmac.compare_digest(expected, candidate)
               for candidate in given.get("webhook-signature", "").split())
