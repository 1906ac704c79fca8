"""Personal data sealed at rest: AES-GCM per value, keys apart from the database.

A column typed ``Sealed``, ``SealedJSON`` or ``SealedDate`` stores every value as
``enc1:<key id>:<nonce and ciphertext, base64>``, so a stolen database file, WAL or
dump shows no name, address or answer. Values are opened in the application
as rows are read; the database never sees a key.

The keys come from RSVP_DATA_KEYS (``DATA_KEYS``), separate from the secret key and
kept apart from the database's backups: base64 keys of 32 bytes separated by commas,
the first sealing new values, every one opening what it sealed. ``rsvp keys
rotate`` re-seals every row under the first (rsvp.keys).

An address someone must be found by (one active registration per address) is also
kept as a keyed hash (``digest``): equal addresses give equal digests, and no one
without the key can test a guess. Lookups ask for the digest under every key
(``digests``), so they still match while a rotation is half done.

The empty string is stored as it is: erasing blanks columns in SQL, and counting
"has a need" compares with "". A value without the ``enc1:`` prefix is read as it
is, which is what erasure leaves ("(erased)", ``erased-7@invalid``) and what rows
written before sealing hold until the upgrade or a rotation seals them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

PREFIX = "enc1:"
#: The key in ``app.extensions``.
EXTENSION = "rsvp.keyring"


class UnopenableValue(LookupError):
    """A sealed value names a key the ring does not hold, or does not open under it."""


class Keyring:
    """The data keys: the first seals, each opens what it sealed."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("no data key")
        for key in keys:
            if len(key) != 32:
                raise ValueError("a data key is 32 bytes (base64 of 32 random bytes)")
        self.ids = [hashlib.sha256(b"rsvp key id" + key).hexdigest()[:8] for key in keys]
        self.active = self.ids[0]
        self._ciphers = {key_id: AESGCM(key) for key_id, key in zip(self.ids, keys, strict=True)}
        self._hash_keys = [hmac.new(key, b"rsvp digest", hashlib.sha256).digest() for key in keys]
        self._prefix = f"{PREFIX}{self.active}:"
        self._seal_with = self._ciphers[self.active]

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """From RSVP_DATA_KEYS: base64 keys separated by commas, the sealing key first.

        :raises ValueError: no key, or one that is not base64 of 32 bytes.
        """
        keys = []
        for part in text.replace("\n", ",").split(","):
            if part.strip():
                try:
                    keys.append(base64.b64decode(part.strip(), validate=True))
                except binascii.Error:
                    raise ValueError("RSVP_DATA_KEYS holds something that is not base64") from None
        return cls(keys)

    def seal(self, text: str) -> str:
        nonce = os.urandom(12)
        sealed = self._seal_with.encrypt(nonce, text.encode(), None)
        return self._prefix + base64.b64encode(nonce + sealed).decode()

    def open(self, stored: str) -> str:
        """The text ``stored`` seals; a value written without sealing comes back as it is.

        :raises UnopenableValue: sealed under a key that is not in the ring, or altered.
        """
        if not stored.startswith(PREFIX):
            return stored
        key_id, _, payload = stored[len(PREFIX):].partition(":")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnopenableValue(f"a value is sealed under key {key_id}, which RSVP_DATA_KEYS lacks")
        raw = base64.b64decode(payload)
        try:
            return cipher.decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag:
            raise UnopenableValue(f"a value sealed under key {key_id} does not open: altered") from None

    def sealed_under_active(self, stored: str | None) -> bool:
        """Whether a stored value needs nothing from a rotation (sealed under the first key, or empty)."""
        return not stored or stored.startswith(self._prefix)

    def digest(self, text: str) -> str:
        """The keyed hash of ``text`` under the sealing key (64 hexadecimal digits)."""
        return hmac.new(self._hash_keys[0], text.encode(), hashlib.sha256).hexdigest()

    def digests(self, text: str) -> list[str]:
        """The keyed hash of ``text`` under every key: what a lookup asks for."""
        return [hmac.new(key, text.encode(), hashlib.sha256).hexdigest() for key in self._hash_keys]


def new_key() -> str:
    """A fresh data key, as RSVP_DATA_KEYS holds it."""
    return base64.b64encode(os.urandom(32)).decode()


def development_keys(instance_path: str) -> str:
    """The keys in ``instance/data-keys``, made on first use (development and demos only)."""
    path = Path(instance_path) / "data-keys"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(new_key() + "\n")
    return path.read_text()


def keyring() -> Keyring:
    """The app's keyring (create_app puts it in ``app.extensions``)."""
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def digest(text: str) -> str:
    return keyring().digest(text)


def digests(text: str) -> list[str]:
    return keyring().digests(text)


class Sealed(sa.types.TypeDecorator[str]):
    """Text sealed at rest; ``length`` is what the forms allow, the stored value is longer."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, length: int | None = None) -> None:
        super().__init__()
        self.length = length

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        if not value:
            return value
        return keyring().seal(value)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> str | None:
        if not value:
            return value
        return keyring().open(value)

    def copy(self, **kw: Any) -> Sealed:
        return Sealed(self.length)


class SealedJSON(sa.types.TypeDecorator[Any]):
    """A JSON value (answers to questions, an email's attachments) sealed at rest."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return keyring().seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return json.loads(keyring().open(value))


class SealedDate(sa.types.TypeDecorator[date]):
    """A date (of birth) sealed at rest."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return keyring().seal(value.isoformat())

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> date | None:
        if not value:
            return None
        return date.fromisoformat(keyring().open(value))


SEALED_TYPES = (Sealed, SealedJSON, SealedDate)


def is_sealed(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, SEALED_TYPES)
