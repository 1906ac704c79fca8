"""Signed links: one salt and one maximum age per purpose, typed errors.

A token carries data (a registration's public id and its token_version) and
is only valid for the purpose it was signed for.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

#: Purpose -> maximum age in seconds.
PURPOSES: dict[str, int] = {
    "confirm-email": 60 * 60 * 48,
    "manage-registration": 60 * 60 * 24 * 365,
    "speaker": 60 * 60 * 24 * 180,
    "check-in": 60 * 60 * 24 * 365,
    "password-reset": 60 * 30,
    "organiser-invite": 60 * 60 * 24 * 3,
}


class TokenInvalid(Exception):
    """Tampered, malformed, or signed for another purpose."""


class TokenExpired(TokenInvalid):
    """Genuine but older than its purpose allows."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"rsvp:{purpose}")


def sign(purpose: str, data: Any) -> str:
    return _serializer(purpose).dumps(data)


def verify(purpose: str, token: str, max_age: int | None = None) -> Any:
    """The data signed into ``token`` for ``purpose``, no older than ``max_age`` seconds.

    ``max_age`` defaults to the purpose's.

    :raises TokenExpired: older than the purpose's maximum age.
    :raises TokenInvalid: tampered, malformed or signed for another purpose.
    """
    try:
        return _serializer(purpose).loads(token, max_age=max_age or PURPOSES[purpose])
    except SignatureExpired as error:
        raise TokenExpired(purpose) from error
    except BadSignature as error:
        raise TokenInvalid(purpose) from error


def verify_record(purpose: str, token: str, max_age: int | None = None) -> tuple[str, int]:
    """The (public id, token_version) a link for a record carries; the caller checks the version.

    :raises TokenExpired: older than the purpose's maximum age.
    :raises TokenInvalid: tampered, for another purpose, or not a [public id, version] pair.
    """
    data = verify(purpose, token, max_age=max_age)
    try:
        public_id, version = data
    except (TypeError, ValueError) as error:
        raise TokenInvalid(purpose) from error
    return str(public_id), version
