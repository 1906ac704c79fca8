"""Organiser accounts (Argon2id hashes, lockout, session token) and per-event roles.

Revision ID: 5b1f0c2d9e4a
Revises: 8e4f1a2b3c5d
Create Date: 2026-11-22 10:44:44.861650

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = '5b1f0c2d9e4a'
down_revision = '8e4f1a2b3c5d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('session_token', sa.String(length=32), nullable=False),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_organisers_email_lower_case')),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_organisers_failed_logins_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisers')),
    sa.UniqueConstraint('email', name=op.f('uq_organisers_email')),
    sa.UniqueConstraint('public_id', name=op.f('uq_organisers_public_id'))
    )
    op.create_table('event_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'manager', 'check_in', 'viewer', name='event_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_roles_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_event_roles_organiser_id_organisers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_roles')),
    sa.UniqueConstraint('event_id', 'organiser_id', name=op.f('uq_event_roles_event_id'))
    )
    with op.batch_alter_table('event_roles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_roles_organiser_id'), ['organiser_id'], unique=False)



def downgrade():
    with op.batch_alter_table('event_roles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_roles_organiser_id'))

    op.drop_table('event_roles')
    op.drop_table('organisers')
