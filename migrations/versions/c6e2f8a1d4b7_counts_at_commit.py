"""PostgreSQL: the registration counts (migration a2b7c4d9e1f0) are kept at commit, not at
each write: a constraint trigger, DEFERRABLE INITIALLY DEFERRED.

The trigger takes the event's row, then the rows of counts, and holds them to the end of
its transaction. Run at each write, a registration's INSERT took them there and kept them
through its history row, its email and its seat: every registration of the event queued
behind the one before for all of that. Run at commit, they are held for the commit alone.
The counts are what they were: exact at every commit (a transaction reading counts after its
own writes, before committing, does not see them counted yet; nothing in the app does).

At commit an event deleted in the same transaction is gone: its registrations' counts went
with it (ON DELETE CASCADE), and the trigger leaves them be.

Its statements are the function's own (PL/pgSQL plans them once per connection), not
calls of a SQL function per table, which planned its INSERT again at every call: the
function's time at commit, under the event's row, 0.25 ms a registration before.

SQLite is unchanged: one writer at a time, its triggers keep the counts at each write.

Revision ID: c6e2f8a1d4b7
Revises: b8d2e6f1a3c5
Create Date: 2026-12-02 07:00:00

"""
import importlib.util
from functools import cache
from pathlib import Path

from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6e2f8a1d4b7'
down_revision = 'b8d2e6f1a3c5'
branch_labels = None
depends_on = None

_TRIGGER = "CREATE TRIGGER registration_counts_follow "


@cache
def _counts():
    """The migration that made the counts, whose function this one changes."""
    path = Path(__file__).with_name("a2b7c4d9e1f0_registration_tallies.py")
    spec = importlib.util.spec_from_file_location("registration_tallies", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _add(table: str, key: str, delta: int) -> str:
    """``delta`` added to the row of ``table`` for ``key`` (the values of its key columns),
    written in the function itself: a call of the tables' SQL functions (``*_add``) planned
    its statement again on every call, a statement of a PL/pgSQL function is planned once."""
    columns = ", ".join(_counts().COUNTS.get(table, ("event_id", "bucket")))
    return (f"INSERT INTO {table} ({columns}, n) VALUES ({key}, {delta}) "
            f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + ({delta}); ")


def _held(*rows: str) -> str:
    """The event's row taken first (see _lock_event in a2b7c4d9e1f0); at commit, an event
    deleted in the same transaction is gone, and its counts with it: nothing to do."""
    return _counts()._lock_event(*rows) + "IF NOT FOUND THEN RETURN NULL; END IF; "


def _at_commit() -> str:
    """The function the trigger runs at commit: what a2b7c4d9e1f0's did, its statements its own."""
    counts = _counts()

    def key(table: str, row: str) -> str:
        return counts._key(table, row, "postgresql")

    def day(row: str) -> str:
        return f"{row}.event_id, {counts._bucket(row, 'postgresql')}"

    def moved(table: str) -> str:  # in key order, as _postgresql_moved in a2b7c4d9e1f0
        old, new = key(table, "OLD"), key(table, "NEW")
        return (f"IF ROW({old}) IS DISTINCT FROM ROW({new}) THEN {_held('OLD', 'NEW')}"
                f"IF ROW({old}) < ROW({new}) THEN {_add(table, old, -1)}{_add(table, new, 1)}"
                f"ELSE {_add(table, new, 1)}{_add(table, old, -1)}END IF; END IF; ")

    tables = list(counts.COUNTS)
    return (
        "CREATE OR REPLACE FUNCTION registration_counts_follow() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_held('NEW')}"
        + "".join(_add(table, key(table, "NEW"), 1) for table in tables)
        + _add("registration_days", day("NEW"), 1)
        + f"ELSIF TG_OP = 'DELETE' THEN {_held('OLD')}"
        + "".join(_add(table, key(table, "OLD"), -1) for table in tables)
        + _add("registration_days", day("OLD"), -1)
        + "ELSE " + "".join(moved(table) for table in tables)
        + f"IF ROW({day('OLD')}) IS DISTINCT FROM ROW({day('NEW')}) THEN {_held('OLD', 'NEW')}"
        + _add("registration_days", day("OLD"), -1) + _add("registration_days", day("NEW"), 1)
        + "END IF; END IF; RETURN NULL; END $$")


def _made(start: str) -> str:
    """A statement of a2b7c4d9e1f0's, as it made it."""
    return next(statement for statement in _counts()._postgresql_triggers()
                if statement.startswith(start))


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_at_commit())
    op.execute("DROP TRIGGER registration_counts_follow ON registrations")
    op.execute("CREATE CONSTRAINT TRIGGER registration_counts_follow "
               "AFTER INSERT OR UPDATE OR DELETE ON registrations "
               "DEFERRABLE INITIALLY DEFERRED "
               "FOR EACH ROW EXECUTE FUNCTION registration_counts_follow()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER registration_counts_follow ON registrations")
    op.execute(_made("CREATE FUNCTION registration_counts_follow()")
               .replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute(_made(_TRIGGER))
