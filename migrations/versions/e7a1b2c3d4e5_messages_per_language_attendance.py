"""Organisers' messages in each language, notices and follow-ups as batched jobs, attendance.

A message job says what it is (an organiser's message, the cancellation or postponement notice,
a follow-up to those who attended or to those who did not), holds its text in the event's other
languages and what a notice or a follow-up adds (the new date, the recording, documents). A
registration says whether the person attended online (a platform's report) and for how long,
and is found by its address's hash whatever its status (the report's rows are matched so).

Revision ID: e7a1b2c3d4e5
Revises: d5a1b2c3d4e5
Create Date: 2026-11-30 20:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a1b2c3d4e5'
down_revision = 'd5a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('message_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=32), nullable=False,
                                      server_default='message'))
        batch_op.add_column(sa.Column('translations', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('extra', sa.Text(), nullable=True))
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('attended_minutes', sa.Integer(), nullable=True))
        batch_op.create_index('ix_registrations_event_email_hash', ['event_id', 'email_hash'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_email_hash')
        batch_op.drop_column('attended_minutes')
        batch_op.drop_column('attended')
    with op.batch_alter_table('message_jobs', schema=None) as batch_op:
        batch_op.drop_column('extra')
        batch_op.drop_column('translations')
        batch_op.drop_column('kind')
