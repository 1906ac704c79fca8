"""Organisers' messages stored by the request and written by the worker in batches (a cursor,
so a worker that dies resumes); subject, body and audience sealed at rest.

Revision ID: a7149bd4d808
Revises: b7d2e9f4c1a3
Create Date: 2026-11-30 17:28:40.782532

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = 'a7149bd4d808'
down_revision = 'b7d2e9f4c1a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', name='message_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('after_id', sa.Integer(), nullable=False),
    sa.Column('claim', sa.String(length=40), nullable=True),
    sa.Column('lease_expires_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('queued >= 0 AND total >= 0', name=op.f('ck_message_jobs_counts_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_message_jobs_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_jobs')),
    sa.UniqueConstraint('batch', name=op.f('uq_message_jobs_batch')),
    sa.UniqueConstraint('public_id', name=op.f('uq_message_jobs_public_id'))
    )
    with op.batch_alter_table('message_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_jobs_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_message_jobs_status_created', ['status', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('message_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_message_jobs_status_created')
        batch_op.drop_index(batch_op.f('ix_message_jobs_event_id'))

    op.drop_table('message_jobs')
