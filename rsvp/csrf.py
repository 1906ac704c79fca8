"""Flask-WTF's CSRF protection, its token checked by a serializer built once per secret.

Flask-WTF's validate_csrf builds an itsdangerous serializer for every form posted, whose signer
derives its key from the secret anew (a hash) and signs through the hmac module's Python path:
about 190 calls a post, a twentieth of a registration's. validate() is the same check with the
same messages, its serializer kept per secret and signing as the session cookie's does
(rsvp.signing). A token either makes, the other accepts (tests/test_csrf.py).
"""

from __future__ import annotations

import hmac
from functools import lru_cache
from typing import Any

from flask import current_app, g, request, session
from flask_wtf import csrf as flask_wtf_csrf
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

from rsvp.signing import KeptKeySigner

#: Flask-WTF's salt for its tokens: tokens made by its generate_csrf are checked here.
SALT = "wtf-csrf-token"


class CSRFProtect(flask_wtf_csrf.CSRFProtect):
    """Flask-WTF's CSRFProtect, checking each form's token with validate()."""

    def protect(self, apply_exemptions: bool = False) -> None:
        """Flask-WTF's protect(): exemptions, the token, over HTTPS the Referer of this host."""
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            validate(self._get_csrf_token())
        except ValidationError as error:
            flask_wtf_csrf.logger.info(error.args[0])
            self._error_response(error.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not flask_wtf_csrf.same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # as Flask-WTF marks it: the form's own check is then skipped


def validate(data: str | None) -> None:
    """Flask-WTF's validate_csrf(data) with the app's settings: ``data``, a token from its
    generate_csrf(), signed with WTF_CSRF_SECRET_KEY or SECRET_KEY, is younger than
    WTF_CSRF_TIME_LIMIT and holds the session's token.

    :raises ValidationError: saying what is wrong, in Flask-WTF's words.
    """
    config = current_app.config
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if not secret:
        raise RuntimeError("A secret key is required to use CSRF.")
    field = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field not in session:
        raise ValidationError("The CSRF session token is missing.")
    try:
        token = _serializer(secret).loads(data, max_age=config.get("WTF_CSRF_TIME_LIMIT", 3600))
    except SignatureExpired as error:
        raise ValidationError("The CSRF token has expired.") from error
    except BadData as error:
        raise ValidationError("The CSRF token is invalid.") from error
    if not isinstance(token, str) or not hmac.compare_digest(session[field], token):
        raise ValidationError("The CSRF tokens do not match.")


@lru_cache(maxsize=8)
def _serializer(secret: Any) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT, signer=KeptKeySigner)
