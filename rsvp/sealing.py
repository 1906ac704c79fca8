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
import io
import json
import os
import struct
from datetime import date
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from flask.globals import _cv_app

PREFIX = "enc1:"
#: Where a sealed value's key id lies (ids are 8 hexadecimal digits).
_ID_START, _ID_END = len(PREFIX), len(PREFIX) + 8
#: A sealed file's first line; the key's id follows on the second.
FILE_MAGIC = b"RSVP sealed file 1\n"
#: Plain bytes per sealed frame of a file.
FRAME = 64 * 1024
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
        key_id = stored[_ID_START:_ID_END]  # enc1:<8 hexadecimal digits>:<base64>
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnopenableValue(f"a value is sealed under key {key_id}, which RSVP_DATA_KEYS lacks")
        raw = binascii.a2b_base64(stored[_ID_END + 1:])
        try:
            return cipher.decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag:
            raise UnopenableValue(f"a value sealed under key {key_id} does not open: altered") from None

    def sealed_under_active(self, stored: str | None) -> bool:
        """Whether a stored value needs nothing from a rotation (sealed under the first key, or empty)."""
        return not stored or stored.startswith(self._prefix)

    def file_writer(self, out: IO[bytes]) -> SealingWriter:
        """A writer that seals what is written to ``out``, frame by frame (see SealingWriter)."""
        return SealingWriter(out, self.active, self._seal_with)

    def file_key(self, path: Path) -> str:
        """The id of the key a sealed file is sealed under."""
        with open(path, "rb") as sealed:
            if sealed.read(len(FILE_MAGIC)) != FILE_MAGIC:
                raise UnopenableValue(f"{path.name} is not a sealed file")
            return sealed.readline().decode().strip()

    def open_file(self, path: Path) -> io.BufferedReader:
        """The plain bytes of a file a SealingWriter wrote, read as they are needed.

        :raises UnopenableValue: not a sealed file, a key the ring lacks, altered or cut short.
        """
        key_id = self.file_key(path)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnopenableValue(f"a file is sealed under key {key_id}, which RSVP_DATA_KEYS lacks")
        return io.BufferedReader(_OpenedFile(path, len(FILE_MAGIC) + len(key_id) + 1, cipher),
                                 buffer_size=FRAME)

    def digest(self, text: str) -> str:
        """The keyed hash of ``text`` under the sealing key (64 hexadecimal digits)."""
        return hmac.new(self._hash_keys[0], text.encode(), hashlib.sha256).hexdigest()

    def digests(self, text: str) -> list[str]:
        """The keyed hash of ``text`` under every key: what a lookup asks for."""
        return [hmac.new(key, text.encode(), hashlib.sha256).hexdigest() for key in self._hash_keys]


def _frame_data(index: int, last: bool) -> bytes:
    """What each frame is bound to: its place, and whether the file ends with it (no frame can be
    moved, and a file cut short does not open)."""
    return struct.pack(">Q?", index, last)


class SealingWriter:
    """Seals a file as frames of FRAME plain bytes: length, nonce, ciphertext; the last is marked."""

    def __init__(self, out: IO[bytes], key_id: str, cipher: AESGCM) -> None:
        self._out, self._cipher = out, cipher
        self._buffer = bytearray()
        self._index = 0
        out.write(FILE_MAGIC + key_id.encode() + b"\n")

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > FRAME:
            self._frame(bytes(self._buffer[:FRAME]), last=False)
            del self._buffer[:FRAME]
        return len(data)

    def close(self) -> None:
        """Write the last frame (possibly empty); the file is complete only after this."""
        self._frame(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _frame(self, plain: bytes, last: bool) -> None:
        nonce = os.urandom(12)
        sealed = self._cipher.encrypt(nonce, plain, _frame_data(self._index, last))
        self._out.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        self._index += 1


class _OpenedFile(io.RawIOBase):
    """The plain bytes of a sealed file, a frame at a time."""

    def __init__(self, path: Path, start: int, cipher: AESGCM) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed with this reader
        self._file.seek(start)
        self._cipher = cipher
        self._pending = b""
        self._index = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._ended:
            self._pending = self._next_frame()
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def _next_frame(self) -> bytes:
        head = self._file.read(4)
        if len(head) < 4:
            raise UnopenableValue("a sealed file is cut short")
        (length,) = struct.unpack(">I", head)
        body = self._file.read(12 + length)
        at_end = self._file.read(1) == b""
        if not at_end:
            self._file.seek(-1, os.SEEK_CUR)
        try:
            plain = self._cipher.decrypt(body[:12], body[12:], _frame_data(self._index, at_end))
        except InvalidTag:
            raise UnopenableValue("a sealed file does not open: altered or cut short") from None
        self._index += 1
        self._ended = at_end
        return plain

    def close(self) -> None:
        self._file.close()
        super().close()


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
    """The app's keyring (create_app puts it in ``app.extensions``).

    Read from the app context itself rather than through ``current_app``'s proxy: every sealed
    value read or written asks for it.
    """
    context = _cv_app.get(None)
    if context is None:
        return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]  # raises the usual error
    return context.app.extensions[EXTENSION]  # type: ignore[no-any-return]


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
