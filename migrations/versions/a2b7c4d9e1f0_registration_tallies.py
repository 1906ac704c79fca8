"""Registration counts kept by the database: the overview, the check-in desk and the list's
count read a few hundred rows of counts instead of counting every registration; indexes for
the list's pages in order and for what changed since a moment.

Two tables, kept right by triggers in the same transaction as every write to a
registration (the app's, a bulk UPDATE's, an erasure's, a key rotation's):
``registration_tallies`` counts an event's registrations by everything the overview
shows (status, mode, organisation type, country, interpretation, captions,
accessibility, grounds pass, checked in) and the list filters by (confidential,
erased), ``registration_days`` by the quarter hour
(UTC) they were made in, which the overview groups into the event's own days.

SQLite rebuilds a table that ``batch_alter_table`` changes, and its triggers go with
it: a later migration that alters ``registrations`` on SQLite must run
``create_triggers`` of this one again (tests/registrations/test_tallies.py fails at
head otherwise).

Revision ID: a2b7c4d9e1f0
Revises: b1c2d3e4f5a6
Create Date: 2026-11-30 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a2b7c4d9e1f0'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None

KEY = ("event_id", "status", "attendance_mode", "organisation_type", "country",
       "interpretation_language", "captions", "accessibility", "grounds_pass_needed", "checked_in",
       "confidential", "erased")


def _key(row: str, dialect: str) -> list[str]:
    """The tally key of a registration row (NEW, OLD or the table itself), in KEY's order."""
    if dialect == "postgresql":
        flags = [f"COALESCE({row}.captions, false)",
                 f"COALESCE({row}.accessibility_needs, '') <> ''",
                 f"{row}.has_grounds_pass IS FALSE", f"{row}.checked_in_at IS NOT NULL",
                 f"COALESCE({row}.confidential, false)", f"{row}.erased_at IS NOT NULL"]
    else:
        flags = [f"COALESCE({row}.captions, 0)",
                 f"COALESCE({row}.accessibility_needs, '') <> ''",
                 f"COALESCE({row}.has_grounds_pass = 0, 0)", f"{row}.checked_in_at IS NOT NULL",
                 f"COALESCE({row}.confidential, 0)", f"{row}.erased_at IS NOT NULL"]
    return [f"{row}.event_id", f"{row}.status", f"{row}.attendance_mode",
            f"{row}.organisation_type", f"COALESCE({row}.country, '')",
            f"COALESCE({row}.interpretation_language, '')", *flags]


def _bucket(row: str, dialect: str) -> str:
    """The quarter hour (UTC, "YYYY-MM-DD HH:MM") a registration row was made in."""
    if dialect == "postgresql":
        return (f"to_char(date_bin('15 minutes', {row}.created_at, "
                f"TIMESTAMPTZ '2000-01-01 00:00:00+00') AT TIME ZONE 'UTC', "
                f"'YYYY-MM-DD HH24:MI')")
    return (f"substr({row}.created_at, 1, 14) || "
            f"printf('%02d', CAST(substr({row}.created_at, 15, 2) AS INTEGER) / 15 * 15)")


def _upsert_sqlite(row: str, delta: int) -> str:
    return (f"INSERT INTO registration_tallies ({', '.join(KEY)}, n) "
            f"VALUES ({', '.join(_key(row, 'sqlite'))}, {delta}) "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = n + ({delta});")


def _day_sqlite(row: str, delta: int) -> str:
    return (f"INSERT INTO registration_days (event_id, bucket, n) "
            f"VALUES ({row}.event_id, {_bucket(row, 'sqlite')}, {delta}) "
            f"ON CONFLICT (event_id, bucket) DO UPDATE SET n = n + ({delta});")


def _sqlite_triggers() -> list[str]:
    changed = (f"({', '.join(_key('OLD', 'sqlite'))}) IS NOT ({', '.join(_key('NEW', 'sqlite'))})")
    moved = f"{_bucket('OLD', 'sqlite')} IS NOT {_bucket('NEW', 'sqlite')} OR OLD.event_id IS NOT NEW.event_id"
    return [
        "CREATE TRIGGER registration_tallies_insert AFTER INSERT ON registrations BEGIN "
        f"{_upsert_sqlite('NEW', 1)} {_day_sqlite('NEW', 1)} END",
        "CREATE TRIGGER registration_tallies_delete AFTER DELETE ON registrations BEGIN "
        f"{_upsert_sqlite('OLD', -1)} {_day_sqlite('OLD', -1)} END",
        f"CREATE TRIGGER registration_tallies_update AFTER UPDATE ON registrations WHEN {changed} "
        f"BEGIN {_upsert_sqlite('OLD', -1)} {_upsert_sqlite('NEW', 1)} END",
        f"CREATE TRIGGER registration_days_update AFTER UPDATE ON registrations WHEN {moved} "
        f"BEGIN {_day_sqlite('OLD', -1)} {_day_sqlite('NEW', 1)} END",
    ]


def _postgresql_triggers() -> list[str]:
    params = ", ".join(f"k_{column} {kind}" for column, kind in zip(KEY, (
        "integer", "text", "text", "text", "text", "text", "boolean", "boolean", "boolean",
        "boolean", "boolean", "boolean")))
    old, new = _key("OLD", "postgresql"), _key("NEW", "postgresql")
    old_day, new_day = _bucket("OLD", "postgresql"), _bucket("NEW", "postgresql")
    return [
        # One row changed by ``delta``; rows are locked in key order (below), so two
        # transactions moving registrations in opposite directions do not deadlock.
        f"CREATE FUNCTION registration_tally_add({params}, delta integer) RETURNS void "
        "LANGUAGE sql AS $$ "
        f"INSERT INTO registration_tallies ({', '.join(KEY)}, n) "
        f"VALUES ({', '.join('k_' + c for c in KEY)}, delta) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = registration_tallies.n + delta $$",
        "CREATE FUNCTION registration_day_add(k_event integer, k_bucket text, delta integer) "
        "RETURNS void LANGUAGE sql AS $$ "
        "INSERT INTO registration_days (event_id, bucket, n) VALUES (k_event, k_bucket, delta) "
        "ON CONFLICT (event_id, bucket) DO UPDATE SET n = registration_days.n + delta $$",
        "CREATE FUNCTION registration_tallies_follow() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        f"PERFORM registration_tally_add({', '.join(new)}, 1); "
        f"PERFORM registration_day_add(NEW.event_id, {new_day}, 1); "
        "ELSIF TG_OP = 'DELETE' THEN "
        f"PERFORM registration_tally_add({', '.join(old)}, -1); "
        f"PERFORM registration_day_add(OLD.event_id, {old_day}, -1); "
        "ELSE "
        f"IF ROW({', '.join(old)}) IS DISTINCT FROM ROW({', '.join(new)}) THEN "
        f"IF ROW({', '.join(old)}) < ROW({', '.join(new)}) THEN "
        f"PERFORM registration_tally_add({', '.join(old)}, -1); "
        f"PERFORM registration_tally_add({', '.join(new)}, 1); "
        "ELSE "
        f"PERFORM registration_tally_add({', '.join(new)}, 1); "
        f"PERFORM registration_tally_add({', '.join(old)}, -1); "
        "END IF; END IF; "
        f"IF OLD.event_id <> NEW.event_id OR {old_day} <> {new_day} THEN "
        f"PERFORM registration_day_add(OLD.event_id, {old_day}, -1); "
        f"PERFORM registration_day_add(NEW.event_id, {new_day}, 1); "
        "END IF; "
        "END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER registration_tallies_follow AFTER INSERT OR UPDATE OR DELETE "
        "ON registrations FOR EACH ROW EXECUTE FUNCTION registration_tallies_follow()",
    ]


def create_triggers() -> None:
    """The triggers that keep both tables right (again after SQLite rebuilt ``registrations``)."""
    dialect = op.get_bind().dialect.name
    for statement in _postgresql_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def upgrade():
    op.create_table(
        'registration_tallies',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('attendance_mode', sa.String(length=20), nullable=False),
        sa.Column('organisation_type', sa.String(length=20), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('interpretation_language', sa.String(length=8), nullable=False),
        sa.Column('captions', sa.Boolean(), nullable=False),
        sa.Column('accessibility', sa.Boolean(), nullable=False),
        sa.Column('grounds_pass_needed', sa.Boolean(), nullable=False),
        sa.Column('checked_in', sa.Boolean(), nullable=False),
        sa.Column('confidential', sa.Boolean(), nullable=False),
        sa.Column('erased', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE',
                                name=op.f('fk_registration_tallies_event_id_events')),
        sa.PrimaryKeyConstraint(*KEY, name=op.f('pk_registration_tallies')),
    )
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
    key = _key("registrations", dialect)
    op.execute(f"INSERT INTO registration_tallies ({', '.join(KEY)}, n) "
               f"SELECT {', '.join(key)}, count(*) FROM registrations "
               f"GROUP BY {', '.join(key)}")
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
        op.execute("DROP TRIGGER registration_tallies_follow ON registrations")
        op.execute("DROP FUNCTION registration_tallies_follow()")
        op.execute("DROP FUNCTION registration_tally_add")
        op.execute("DROP FUNCTION registration_day_add")
    else:
        for name in ("registration_tallies_insert", "registration_tallies_delete",
                     "registration_tallies_update", "registration_days_update"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('registration_days')
    op.drop_table('registration_tallies')
