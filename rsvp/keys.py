"""Rotating the data keys: every sealed value re-sealed under the first key, while the app serves.

To rotate: make a key (``rsvp keys new``), put it first in RSVP_DATA_KEYS with
the old ones after it, restart the web servers and the worker (they now seal
under the new key and still open the old values), then run ``rsvp keys
rotate``. It walks every table with sealed columns (rsvp.sealing) in batches
of BATCH rows, each batch its own short transaction, re-sealing what is
under an older key and writing the keyed hashes of addresses again, then the
prepared exports waiting in the instance folder. A row the
app changed meanwhile is left as the app wrote it (the update asks for the old
value), and it is sealed under the new key already. Once it reports nothing
left, the old key can leave RSVP_DATA_KEYS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rsvp import sealing
from rsvp.db import Base, erasing_personal_data, writing
from rsvp.exports.jobs import reseal_files
from rsvp.extensions import db

#: Rows read and re-sealed per transaction.
BATCH = 500


@dataclass
class Rotation:
    #: Rows re-sealed, and values sealed under an older key still found after the last pass.
    rows: int = 0
    left: int = 0
    #: Prepared exports re-sealed.
    files: int = 0


def _sealed_tables() -> list[tuple[sa.Table, list[str], dict[str, str]]]:
    """Each table with sealed columns: its sealed columns, and {hash column: address column}."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c.name for c in table.columns if sealing.is_sealed(c)]
        hashes = {c.name: c.info["digest_of"] for c in table.columns if "digest_of" in c.info}
        if columns:
            found.append((table, columns, hashes))
    return found


def _raw(table: sa.Table, names: list[str]) -> sa.TableClause:
    """The table's columns as the stored text, unopened."""
    return sa.table(table.name, sa.column("id", sa.Integer()),
                    *(sa.column(name, sa.Text()) for name in names))


def _rotate_table(table: sa.Table, columns: list[str], hashes: dict[str, str]) -> tuple[int, int]:
    """One pass over ``table``: (rows re-sealed, rows the app changed first)."""
    ring = sealing.keyring()
    raw = _raw(table, columns + list(hashes))
    done = skipped = 0
    after = 0
    while True:
        with writing():
            rows = db.session.execute(
                sa.select(raw.c.id, *(raw.c[name] for name in columns))
                .where(raw.c.id > after).order_by(raw.c.id).limit(BATCH)).all()
            if not rows:
                db.session.commit()
                return done, skipped
            for row in rows:
                stored = dict(zip(columns, row[1:], strict=True))
                stale = [name for name, value in stored.items() if not ring.sealed_under_active(value)]
                if not stale:
                    continue
                values: dict[str, Any] = {name: ring.seal(ring.open(stored[name])) for name in stale}
                for hash_column, address_column in hashes.items():
                    address = ring.open(stored[address_column] or "")
                    if address and not address.endswith("@invalid"):
                        values[hash_column] = ring.digest(address.lower())
                result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
                    sa.update(raw).where(raw.c.id == row[0],
                                         *(raw.c[name] == stored[name] for name in stale))
                    .values(values))
                if result.rowcount == 1:
                    done += 1
                else:
                    skipped += 1
            erasing_personal_data(db.session())  # on SQLite the old values leave the WAL
            db.session.commit()
            after = rows[-1][0]


def left_under_older_keys() -> int:
    """Sealed values not under the first key: what a rotation still has to do."""
    active = f"{sealing.PREFIX}{sealing.keyring().active}:"
    left = 0
    for table, columns, _hashes in _sealed_tables():
        raw = _raw(table, columns)
        stale = sa.or_(*(sa.and_(raw.c[name].like(f"{sealing.PREFIX}%"),
                                 sa.not_(raw.c[name].like(f"{active}%"))) for name in columns))
        left += db.session.scalar(sa.select(sa.func.count()).select_from(raw).where(stale)) or 0
    db.session.commit()
    return left


def rotate(passes: int = 3) -> Rotation:
    """Re-seal every row under the first key; passes again while the app changed rows meanwhile."""
    rotation = Rotation()
    for _ in range(passes):
        skipped = 0
        for table, columns, hashes in _sealed_tables():
            done, missed = _rotate_table(table, columns, hashes)
            rotation.rows += done
            skipped += missed
        if not skipped:
            break
    rotation.files = reseal_files()
    rotation.left = left_under_older_keys()
    return rotation
