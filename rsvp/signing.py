"""itsdangerous' timed signer, its key derived once per secret and its HMAC computed in C.

The session cookie (rsvp.session_cookie) and the forms' CSRF tokens (rsvp.csrf) are signed and
checked on every request. itsdangerous derives the key from the secret anew each time (a hash),
and signs through the hmac module's Python path when the digest is given as a function, as
Flask's session gives it: together most of a token's cost. What is signed is the same.
"""

from __future__ import annotations

import hmac
from typing import Any

from itsdangerous import TimestampSigner
from itsdangerous.signer import HMACAlgorithm


class _HMAC(HMACAlgorithm):
    """itsdangerous' HMAC, through the hmac module's one call in C (hmac.digest) for a digest
    hashlib knows by name: the HMAC object itsdangerous builds for a digest given as a
    function, as Flask's session gives it, takes the module's Python path (26 calls)."""

    def __init__(self, digest_method: Any, name: str) -> None:
        super().__init__(digest_method)
        self.name = name

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, self.name)


class KeptKeySigner(TimestampSigner):
    """itsdangerous' signer, which derives its key from the secret anew for each token read or
    written (a hash each time); the key derived is kept, per secret and salt. Its HMAC is _HMAC."""

    _derived: dict[tuple[Any, ...], bytes] = {}
    _algorithms: dict[Any, HMACAlgorithm] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("algorithm") is None and isinstance(self.algorithm, HMACAlgorithm):
            method = self.digest_method
            if (algorithm := self._algorithms.get(method)) is None:
                algorithm = self._algorithms[method] = _HMAC(method, method().name)
            self.algorithm = algorithm

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        about = (secret_key if secret_key is not None else self.secret_keys[-1], self.salt,
                 self.key_derivation, self.digest_method)
        if (derived := self._derived.get(about)) is None:
            derived = self._derived[about] = super().derive_key(secret_key)
        return derived
