"""Registration counts kept by the database: the overview, the check-in desk and the list's
count read a few hundred rows of counts instead of counting every registration; indexes for
the list's pages in order and for what changed since a moment.

Three tables, kept right by triggers in the same transaction as every write to a
registration (the app's, a bulk UPDATE's, an erasure's, a key rotation's):
``registration_tallies`` counts an event's registrations by what the list filters by
(status, mode, organisation type, interpretation, checked in, confidential, erased),
``registration_traits`` by what else the overview counts (country, captions,
accessibility, grounds pass), ``registration_days`` by the quarter hour
(UTC) they were made in, which the overview groups into the event's own days.

SQLite rebuilds a table that ``batch_alter_table`` changes, and its triggers go with
it: a later migration that alters ``registrations`` on SQLite must run
``create_triggers`` of this one again (tests/registrations/test_tallies.py fails at
head otherwise).

Revision ID: a2b7c4d9e1f0
Revises: c3a7e1f2b9d0
Create Date: 2026-11-30 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2b7c4d9e1f0'
down_revision = 'c3a7e1f2b9d0'
branch_labels = None
depends_on = None

#: Each table of counts and its key: what the list filters by (and the overview counts by mode
#: and interpretation), and what only the overview counts. Two tables, not one: a key of every
#: column would hold a row for each combination of country and all the rest.
COUNTS = {
    "registration_tallies": ("event_id", "status", "attendance_mode", "organisation_type",
                             "interpretation_language", "checked_in", "confidential", "erased"),
    "registration_traits": ("event_id", "status", "country", "captions", "accessibility",
                            "grounds_pass_needed"),
}
KINDS = {"event_id": "integer", "status": "text", "attendance_mode": "text",
         "organisation_type": "text", "interpretation_language": "text", "country": "text"}


def _value(column: str, row: str, dialect: str) -> str:
    """What ``column`` of a table of counts holds for a registration row (NEW, OLD, the table)."""
    false = "false" if dialect == "postgresql" else "0"
    return {
        "country": f"COALESCE({row}.country, '')",
        "interpretation_language": f"COALESCE({row}.interpretation_language, '')",
        "captions": f"COALESCE({row}.captions, {false})",
        "accessibility": f"COALESCE({row}.accessibility_needs, '') <> ''",
        "grounds_pass_needed": f"COALESCE({row}.has_grounds_pass = {false}, {false})",
        "checked_in": f"{row}.checked_in_at IS NOT NULL",
        "confidential": f"COALESCE({row}.confidential, {false})",
        "erased": f"{row}.erased_at IS NOT NULL",
    }.get(column, f"{row}.{column}")


def _key(table: str, row: str, dialect: str) -> str:
    return ", ".join(_value(column, row, dialect) for column in COUNTS[table])


def _bucket(row: str, dialect: str) -> str:
    """The quarter hour (UTC, "YYYY-MM-DD HH:MM") a registration row was made in."""
    if dialect == "postgresql":
        return (f"to_char(date_bin('15 minutes', {row}.created_at, "
                f"TIMESTAMPTZ '2000-01-01 00:00:00+00') AT TIME ZONE 'UTC', "
                f"'YYYY-MM-DD HH24:MI')")
    return (f"substr({row}.created_at, 1, 14) || "
            f"printf('%02d', CAST(substr({row}.created_at, 15, 2) AS INTEGER) / 15 * 15)")


def _upsert_sqlite(table: str, row: str, delta: int) -> str:
    columns = ", ".join(COUNTS[table])
    return (f"INSERT INTO {table} ({columns}, n) VALUES ({_key(table, row, 'sqlite')}, {delta}) "
            f"ON CONFLICT ({columns}) DO UPDATE SET n = n + ({delta});")


def _day_sqlite(row: str, delta: int) -> str:
    return (f"INSERT INTO registration_days (event_id, bucket, n) "
            f"VALUES ({row}.event_id, {_bucket(row, 'sqlite')}, {delta}) "
            f"ON CONFLICT (event_id, bucket) DO UPDATE SET n = n + ({delta});")


def _sqlite_triggers() -> list[str]:
    moved = (f"{_bucket('OLD', 'sqlite')} IS NOT {_bucket('NEW', 'sqlite')} "
             "OR OLD.event_id IS NOT NEW.event_id")
    statements = [
        "CREATE TRIGGER registration_counts_insert AFTER INSERT ON registrations BEGIN "
        + " ".join(_upsert_sqlite(table, "NEW", 1) for table in COUNTS)
        + f" {_day_sqlite('NEW', 1)} END",
        "CREATE TRIGGER registration_counts_delete AFTER DELETE ON registrations BEGIN "
        + " ".join(_upsert_sqlite(table, "OLD", -1) for table in COUNTS)
        + f" {_day_sqlite('OLD', -1)} END",
        f"CREATE TRIGGER registration_days_update AFTER UPDATE ON registrations WHEN {moved} "
        f"BEGIN {_day_sqlite('OLD', -1)} {_day_sqlite('NEW', 1)} END",
    ]
    for table in COUNTS:
        changed = f"({_key(table, 'OLD', 'sqlite')}) IS NOT ({_key(table, 'NEW', 'sqlite')})"
        statements.append(
            f"CREATE TRIGGER {table}_update AFTER UPDATE ON registrations WHEN {changed} BEGIN "
            f"{_upsert_sqlite(table, 'OLD', -1)} {_upsert_sqlite(table, 'NEW', 1)} END")
    return statements


def _postgresql_add(table: str) -> str:
    """A function adding ``delta`` to one row of ``table``, made if missing."""
    key = COUNTS[table]
    params = ", ".join(f"k_{column} {KINDS.get(column, 'boolean')}" for column in key)
    return (f"CREATE FUNCTION {table}_add({params}, delta integer) RETURNS void LANGUAGE sql AS $$ "
            f"INSERT INTO {table} ({', '.join(key)}, n) "
            f"VALUES ({', '.join('k_' + column for column in key)}, delta) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET n = {table}.n + delta $$")


def _lock_event(*rows: str) -> str:
    """Takes the event's row first, as a registration does for its seat: a transaction that
    changes counts always holds the event before a row of counts, so a cancellation (which
    changes its registration, then the event's seats) and a registration (the seats, then its
    counts) cannot each hold what the other waits for (a deadlock)."""
    ids = ", ".join(f"{row}.event_id" for row in rows)
    return f"PERFORM 1 FROM events WHERE id IN ({ids}) ORDER BY id FOR NO KEY UPDATE; "


def _postgresql_moved(table: str) -> str:
    """Moves a registration from its old row of ``table`` to its new one. Rows are changed in
    key order, so two transactions moving registrations in opposite directions never wait for
    each other in a cycle (a deadlock)."""
    old, new = _key(table, "OLD", "postgresql"), _key(table, "NEW", "postgresql")
    return (f"IF ROW({old}) IS DISTINCT FROM ROW({new}) THEN {_lock_event('OLD', 'NEW')}"
            f"IF ROW({old}) < ROW({new}) THEN "
            f"PERFORM {table}_add({old}, -1); PERFORM {table}_add({new}, 1); "
            f"ELSE PERFORM {table}_add({new}, 1); PERFORM {table}_add({old}, -1); "
            "END IF; END IF; ")


def _postgresql_triggers() -> list[str]:
    old_day, new_day = _bucket("OLD", "postgresql"), _bucket("NEW", "postgresql")
    inserted = "".join(f"PERFORM {t}_add({_key(t, 'NEW', 'postgresql')}, 1); " for t in COUNTS)
    deleted = "".join(f"PERFORM {t}_add({_key(t, 'OLD', 'postgresql')}, -1); " for t in COUNTS)
    return [
        *(_postgresql_add(table) for table in COUNTS),
        "CREATE FUNCTION registration_days_add(k_event integer, k_bucket text, delta integer) "
        "RETURNS void LANGUAGE sql AS $$ "
        "INSERT INTO registration_days (event_id, bucket, n) VALUES (k_event, k_bucket, delta) "
        "ON CONFLICT (event_id, bucket) DO UPDATE SET n = registration_days.n + delta $$",
        "CREATE FUNCTION registration_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_lock_event('NEW')}{inserted}"
        f"PERFORM registration_days_add(NEW.event_id, {new_day}, 1); "
        f"ELSIF TG_OP = 'DELETE' THEN {_lock_event('OLD')}{deleted}"
        f"PERFORM registration_days_add(OLD.event_id, {old_day}, -1); "
        "ELSE "
        + "".join(_postgresql_moved(table) for table in COUNTS)
        + f"IF OLD.event_id <> NEW.event_id OR {old_day} <> {new_day} THEN "
        f"{_lock_event('OLD', 'NEW')}"
        f"PERFORM registration_days_add(OLD.event_id, {old_day}, -1); "
        f"PERFORM registration_days_add(NEW.event_id, {new_day}, 1); "
        "END IF; "
        "END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER registration_counts_follow AFTER INSERT OR UPDATE OR DELETE "
        "ON registrations FOR EACH ROW EXECUTE FUNCTION registration_counts_follow()",
    ]


def create_triggers() -> None:
    """The triggers that keep the counts right (again after SQLite rebuilt ``registrations``)."""
    dialect = op.get_bind().dialect.name
    for statement in _postgresql_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def _counts_table(name: str) -> None:
    columns = [sa.Column(column, sa.Integer() if column == "event_id" else
                         sa.String(length=20) if KINDS.get(column) else sa.Boolean(), nullable=False)
               for column in COUNTS[name]]
    op.create_table(
        name, *columns, sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE',
                                name=op.f(f'fk_{name}_event_id_events')),
        sa.PrimaryKeyConstraint(*COUNTS[name], name=op.f(f'pk_{name}')),
    )


def upgrade():
    for name in COUNTS:
        _counts_table(name)
    op.create_table(
        'registration_days',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.String(length=16), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE',
                                name=op.f('fk_registration_days_event_id_events')),
        sa.PrimaryKeyConstraint('event_id', 'bucket', name=op.f('pk_registration_days')),
    )
    dialect = op.get_bind().dialect.name
    for name in COUNTS:
        key = _key(name, "registrations", dialect)
        op.execute(f"INSERT INTO {name} ({', '.join(COUNTS[name])}, n) "
                   f"SELECT {key}, count(*) FROM registrations GROUP BY {key}")
    day = _bucket("registrations", dialect)
    op.execute(f"INSERT INTO registration_days (event_id, bucket, n) "
               f"SELECT event_id, {day}, count(*) FROM registrations GROUP BY event_id, {day}")
    create_triggers()
    # The list's pages in order of registration, and what changed since (opened names).
    op.create_index('ix_registrations_event_created_id', 'registrations',
                    ['event_id', 'created_at', 'id', 'erased_at'])
    op.create_index('ix_registrations_event_updated', 'registrations', ['event_id', 'updated_at'])


def downgrade():
    op.drop_index('ix_registrations_event_updated', table_name='registrations')
    op.drop_index('ix_registrations_event_created_id', table_name='registrations')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER registration_counts_follow ON registrations")
        op.execute("DROP FUNCTION registration_counts_follow()")
        for name in (*COUNTS, "registration_days"):
            op.execute(f"DROP FUNCTION {name}_add")
    else:
        for name in ("registration_counts_insert", "registration_counts_delete",
                     "registration_days_update", *(f"{table}_update" for table in COUNTS)):
            op.execute(f"DROP TRIGGER {name}")
    for name in ("registration_days", *COUNTS):
        op.drop_table(name)
