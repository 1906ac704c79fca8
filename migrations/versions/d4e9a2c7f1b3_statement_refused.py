"""PostgreSQL: rsvp_refuse(reason), which fails the statement that calls it.

A statement that writes several rows at once (a registration's row, its history row, its
email and its seat, rsvp.registrations.written) calls it when what it found forbids what it
already wrote in the same statement (the last seat taken by another registration meanwhile):
the statement fails as a whole and nothing of it is kept. Its error's SQLSTATE is RS001, the
message the reason given, for the caller to tell this refusal from any other error.

SQLite is unchanged: the same rows are written there by statements of their own.

Revision ID: d4e9a2c7f1b3
Revises: c6e2f8a1d4b7
Create Date: 2026-12-02 13:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4e9a2c7f1b3'
down_revision = 'c6e2f8a1d4b7'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE FUNCTION rsvp_refuse(reason text) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            RAISE EXCEPTION USING ERRCODE = 'RS001', MESSAGE = reason;
        END $$
    """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION rsvp_refuse(text)")
