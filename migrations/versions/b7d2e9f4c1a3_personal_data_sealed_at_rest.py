"""Personal data sealed at rest (rsvp.sealing): columns become text, rows already there are sealed.

Registrations and outbox messages gain the keyed hash of their address (the
unique index of one active registration per address moves onto it); the
lower-case checks on sealed addresses go (a sealed value is not lower-case).
Every existing value is sealed under the first key of RSVP_DATA_KEYS, 500 rows
per statement batch; run it with the keys set as the app will run.

Revision ID: b7d2e9f4c1a3
Revises: a4c6e8f0b2d1
Create Date: 2026-11-30 17:00:00

"""
from alembic import op
import sqlalchemy as sa

from rsvp import sealing


# revision identifiers, used by Alembic.
revision = 'b7d2e9f4c1a3'
down_revision = 'a4c6e8f0b2d1'
branch_labels = None
depends_on = None

_ACTIVE = "status IN ('pending_email', 'pending_approval', 'confirmed', 'waitlisted')"
_ONE_PER_DELEGATION = "one_per_delegation AND state <> 'withdrawn'"

#: The columns sealed, as they were at this revision.
SEALED = {
    'registrations': ['email', 'name', 'organisation', 'timezone', 'accessibility_needs', 'answers',
                      'passport_name', 'nationality', 'date_of_birth', 'pass_organisation',
                      'pass_function'],
    'registration_changes': ['note'],
    'speakers': ['name', 'email', 'statement_filename'],
    'outbox_messages': ['recipient', 'subject', 'text_body', 'html_body', 'attachments'],
    'export_jobs': ['options', 'detail'],
}
#: The address a keyed hash is made of, per table.
HASHED = {'registrations': ('email', 'email_hash'), 'outbox_messages': ('recipient', 'recipient_hash')}
BATCH = 500


def _rewrite_rows(table_name: str, columns: list[str], rewrite, hashed=None) -> None:
    """Rewrite every value of ``columns`` (and the hash column of ``hashed``), BATCH rows at a time."""
    bind = op.get_bind()
    targets = columns + ([hashed[1]] if hashed else [])
    raw = sa.table(table_name, sa.column('id', sa.Integer()),
                   *(sa.column(name, sa.Text()) for name in targets))
    after = 0
    while True:
        rows = bind.execute(sa.select(raw.c.id, *(raw.c[name] for name in columns))
                            .where(raw.c.id > after).order_by(raw.c.id).limit(BATCH)).all()
        if not rows:
            return
        updates = []
        for row in rows:
            values = {'row_id': row[0]}
            values.update({name: rewrite(value) if value else value
                           for name, value in zip(columns, row[1:])})
            if hashed:
                address = row[1 + columns.index(hashed[0])] or ''
                values[hashed[1]] = sealing.keyring().digest(address.lower()) if address else ''
            updates.append(values)
        bind.execute(sa.update(raw).where(raw.c.id == sa.bindparam('row_id'))
                     .values({name: sa.bindparam(name) for name in targets}), updates)
        after = rows[-1][0]


def _seal(value: str) -> str:
    return value if value.startswith(sealing.PREFIX) else sealing.keyring().seal(value)


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_event_email_active', sqlite_where=sa.text(_ACTIVE),
                            postgresql_where=sa.text(_ACTIVE))
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_index('uq_speakers_event_delegation_active',
                            sqlite_where=sa.text(_ONE_PER_DELEGATION),
                            postgresql_where=sa.text(_ONE_PER_DELEGATION))
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_hash', sa.String(length=64), nullable=True))
        batch_op.drop_constraint(op.f('ck_registrations_email_lower_case'), type_='check')
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_speakers_email_lower_case'), type_='check')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_hash', sa.String(length=64), nullable=True))

    for table_name, columns in SEALED.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for name in columns:
                batch_op.alter_column(name, type_=sa.Text(), postgresql_using=f'{name}::text')
    for table_name, columns in SEALED.items():
        _rewrite_rows(table_name, columns, _seal, HASHED.get(table_name))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('email_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('uq_registrations_event_email_active', ['event_id', 'email_hash'],
                              unique=True, sqlite_where=sa.text(_ACTIVE),
                              postgresql_where=sa.text(_ACTIVE))
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.create_index('uq_speakers_event_delegation_active', ['event_id', 'delegation_key'],
                              unique=True, sqlite_where=sa.text(_ONE_PER_DELEGATION),
                              postgresql_where=sa.text(_ONE_PER_DELEGATION))
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('recipient_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_outbox_messages_recipient_hash', ['recipient_hash'], unique=False)


#: The types the sealed columns had before, and how PostgreSQL converts text back to them.
BEFORE = {
    ('registrations', 'email'): sa.String(length=254),
    ('registrations', 'name'): sa.String(length=200),
    ('registrations', 'organisation'): sa.String(length=300),
    ('registrations', 'timezone'): sa.String(length=64),
    ('registrations', 'answers'): sa.JSON(),
    ('registrations', 'passport_name'): sa.String(length=200),
    ('registrations', 'nationality'): sa.String(length=2),
    ('registrations', 'date_of_birth'): sa.Date(),
    ('registrations', 'pass_organisation'): sa.String(length=300),
    ('registrations', 'pass_function'): sa.String(length=200),
    ('speakers', 'name'): sa.String(length=200),
    ('speakers', 'email'): sa.String(length=254),
    ('speakers', 'statement_filename'): sa.String(length=200),
    ('outbox_messages', 'recipient'): sa.String(length=254),
    ('outbox_messages', 'subject'): sa.String(length=300),
    ('outbox_messages', 'attachments'): sa.JSON(),
    ('export_jobs', 'options'): sa.JSON(),
}


def downgrade():
    """Back to plain text, opening every value with the keys (a test of the upgrade's reverse;
    in production, restore the backup taken before upgrading instead)."""
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_recipient_hash')
        batch_op.drop_column('recipient_hash')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_event_email_active', sqlite_where=sa.text(_ACTIVE),
                            postgresql_where=sa.text(_ACTIVE))
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_index('uq_speakers_event_delegation_active',
                            sqlite_where=sa.text(_ONE_PER_DELEGATION),
                            postgresql_where=sa.text(_ONE_PER_DELEGATION))
    for table_name, columns in SEALED.items():
        _rewrite_rows(table_name, columns, sealing.keyring().open)
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            for name in columns:
                before = BEFORE.get((table_name, name), sa.Text())
                batch_op.alter_column(name, type_=before, existing_type=sa.Text(),
                                      postgresql_using=f'{name}::{before.compile(op.get_bind().dialect)}')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('email_hash')
        batch_op.create_check_constraint(op.f('ck_registrations_email_lower_case'), 'email = lower(email)')
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_speakers_email_lower_case'), 'email = lower(email)')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('uq_registrations_event_email_active', ['event_id', 'email'],
                              unique=True, sqlite_where=sa.text(_ACTIVE),
                              postgresql_where=sa.text(_ACTIVE))
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.create_index('uq_speakers_event_delegation_active', ['event_id', 'delegation_key'],
                              unique=True, sqlite_where=sa.text(_ONE_PER_DELEGATION),
                              postgresql_where=sa.text(_ONE_PER_DELEGATION))
