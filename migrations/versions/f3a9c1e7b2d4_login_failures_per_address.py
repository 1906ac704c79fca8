"""Wrong passwords counted per email address, whether or not an account uses it.

The count and the lock move from organisers to login_failures, keyed by an
HMAC of the address, so an address without an account is locked exactly as
one with. Counts in progress and current locks are not carried over: they
start again, as after a successful login.

Batch mode on SQLite rebuilds organisers; migrations/env.py turns foreign keys
off while migrating, so the rebuild keeps every event role.

Revision ID: f3a9c1e7b2d4
Revises: d7e8f9a0b1c2
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = 'f3a9c1e7b2d4'
down_revision = 'd7e8f9a0b1c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_failures',
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_login_failures_failures_positive')),
    sa.PrimaryKeyConstraint('address_key', name=op.f('pk_login_failures'))
    )
    op.create_index(op.f('ix_login_failures_expires_at'), 'login_failures', ['expires_at'], unique=False)
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_organisers_failed_logins_positive'), type_='check')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', rsvp.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_organisers_failed_logins_positive'),
                                         'failed_logins >= 0')
    op.drop_index(op.f('ix_login_failures_expires_at'), table_name='login_failures')
    op.drop_table('login_failures')
