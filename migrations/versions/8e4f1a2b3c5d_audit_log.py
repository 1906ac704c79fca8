"""The audit log: who viewed, exported or changed what, per event.

Revision ID: 8e4f1a2b3c5d
Revises: 3d8a4b6c2e1f
Create Date: 2026-11-22 10:48:00.704628

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = '8e4f1a2b3c5d'
down_revision = '3d8a4b6c2e1f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.Enum('viewed_list', 'viewed_registration', 'exported_list', 'changed_registration', 'erased_registration', 'checked_in', 'sent_message', 'changed_event', 'changed_roles', name='audit_action', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_audit_entries_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_event_at', ['event_id', 'at'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_event_at')

    op.drop_table('audit_entries')
