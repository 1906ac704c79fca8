"""Personal data, declared once where each column is defined.

Every text, JSON, date or binary column says in its ``info`` whether it can hold
someone's personal data, and if so what erasing does to it::

    name: Mapped[str] = mapped_column(Sealed(200), info=personal(Erase.BLANK))
    country: Mapped[str | None] = mapped_column(sa.String(2), info=personal(Erase.KEEP, why=...))
    title: Mapped[str] = mapped_column(sa.String(300), info=not_personal("the event's public title"))

A table whose columns are all public (an event's published programme) says so
once in its ``__table_args__`` info instead. Erasing on request, the retention
purge and the grounds-pass drop build their UPDATE from these declarations
(``erased_values``); the data download lists the declared columns; and
tests/privacy/test_declared.py fails for any column declared neither way, and for a
personal column stored in plain text without saying why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

#: The key in a column's or table's ``info``.
KEY = "personal"


class Erase(enum.StrEnum):
    """What erasing leaves in a personal column."""

    #: An empty string.
    BLANK = "blank"
    #: NULL.
    NULL = "null"
    #: "(erased)" where there was something, else empty: whether there was a need stays countable.
    MARK = "mark"
    #: ``erased-<row id>@invalid``: stays unique (one active registration per address), reaches no one.
    ADDRESS = "address"
    #: An empty JSON object.
    EMPTY = "empty"
    #: Kept on purpose: a fact the counts need that names no one by itself (a country code).
    KEEP = "keep"
    #: The whole row is deleted (an email to the person, a prepared list): nothing to blank.
    ROW = "row"


@dataclass(frozen=True)
class Personal:
    erase: Erase
    #: Erased early, with the rest of its group (``"grounds_pass"``: once the event is over).
    group: str | None = None
    #: Why a KEEP column is kept.
    why: str = ""
    #: Why the column is stored in plain text rather than sealed (rsvp.sealing); "" when sealed.
    plain: str = ""


def personal(erase: Erase, *, group: str | None = None, why: str = "",
             plain: str = "", digest_of: str = "") -> dict[str, Any]:
    """``info`` for a column that can hold someone's personal data.

    Its type is sealed at rest (rsvp.sealing) unless ``plain`` says why not.
    ``digest_of`` names the address column it is the keyed hash of (rsvp.keys
    writes it again when the keys rotate).
    """
    if erase is Erase.KEEP and not why:
        raise ValueError("a personal column kept at erasure says why")
    info: dict[str, Any] = {KEY: Personal(erase, group, why, plain)}
    if digest_of:
        info["digest_of"] = digest_of
    return info


def not_personal(why: str) -> dict[str, Any]:
    """``info`` for a column, or a whole table, that holds no one's personal data, and why."""
    return {KEY: None, "why": why}


def declaration(column: sa.Column[Any]) -> Personal | None:
    """The column's declaration (its table's, when the table declares itself not personal).

    :raises KeyError: the column is declared neither way.
    """
    if KEY in column.info:
        return column.info[KEY]  # type: ignore[no-any-return]
    if KEY in column.table.info and column.table.info[KEY] is None:
        return None
    raise KeyError(f"{column.table.name}.{column.name} says nothing of personal data")


def personal_columns(table: sa.FromClause, group: str | None = None) -> list[Any]:
    """The table's personal columns (only those of ``group`` when given), in table order."""
    found = []
    for column in table.columns:
        declared = column.info.get(KEY)
        if isinstance(declared, Personal) and (group is None or declared.group == group):
            found.append(column)
    return found


def erased_values(table: sa.FromClause, group: str | None = None) -> dict[str, Any]:
    """The SET clause that erases the table's personal columns (of ``group``), as declared."""
    values: dict[str, Any] = {}
    for column in personal_columns(table, group):
        erase = column.info[KEY].erase
        if erase in (Erase.KEEP, Erase.ROW):
            continue
        values[column.name] = {
            Erase.BLANK: lambda c: "",
            Erase.NULL: lambda c: None,
            Erase.MARK: lambda c: sa.case((c != "", "(erased)"), else_=""),
            Erase.ADDRESS: lambda c: (sa.literal("erased-") + sa.cast(table.c.id, sa.String)
                                      + sa.literal("@invalid")),
            Erase.EMPTY: lambda c: {},
        }[erase](column)
    return values
