"""Export jobs: large attendee lists built by the worker into a file for the organiser who asked.

Revision ID: d883f7017fda
Revises: f3a9c1e7b2d4
Create Date: 2026-11-30 14:15:16.170758

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = 'd883f7017fda'
down_revision = 'f3a9c1e7b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=4), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'building', 'ready', 'failed', name='export_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('claim', sa.String(length=40), nullable=True),
    sa.Column('lease_expires_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stored_as', sa.String(length=60), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("format IN ('csv', 'xlsx')", name=op.f('ck_export_jobs_format_known')),
    sa.CheckConstraint('rows_done >= 0 AND rows_total >= 0', name=op.f('ck_export_jobs_rows_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_export_jobs_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'], name=op.f('fk_export_jobs_organiser_id_organisers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs')),
    sa.UniqueConstraint('public_id', name=op.f('uq_export_jobs_public_id'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_jobs_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_jobs_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_export_jobs_status', ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_export_jobs_status')
        batch_op.drop_index(batch_op.f('ix_export_jobs_expires_at'))
        batch_op.drop_index(batch_op.f('ix_export_jobs_event_id'))

    op.drop_table('export_jobs')
