"""Registration lifecycle: custom questions and answers, UN grounds-pass details, status history, erasure.

Revision ID: 3d8a4b6c2e1f
Revises: 26e6afad6e62
Create Date: 2026-11-22 10:38:32.876268

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = '3d8a4b6c2e1f'
down_revision = '26e6afad6e62'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'country', 'date', name='question_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('help_text', sa.String(length=600), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('personal_data', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_registration_questions_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_questions'))
    )
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.create_index('ix_registration_questions_event_position', ['event_id', 'position'], unique=False)

    op.create_table('registration_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('from_status', sa.Enum('pending_email', 'pending_approval', 'confirmed', 'waitlisted', 'rejected', 'cancelled', name='change_from_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_status', sa.Enum('pending_email', 'pending_approval', 'confirmed', 'waitlisted', 'rejected', 'cancelled', name='change_to_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_changes_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_changes'))
    )
    with op.batch_alter_table('registration_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_changes_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('has_grounds_pass', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('passport_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('nationality', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('date_of_birth', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('pass_organisation', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('pass_function', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('erased_at', rsvp.db.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('pass_function')
        batch_op.drop_column('pass_organisation')
        batch_op.drop_column('date_of_birth')
        batch_op.drop_column('nationality')
        batch_op.drop_column('passport_name')
        batch_op.drop_column('has_grounds_pass')
        batch_op.drop_column('answers')

    with op.batch_alter_table('registration_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_changes_registration_id'))

    op.drop_table('registration_changes')
    with op.batch_alter_table('registration_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_questions_event_position')

    op.drop_table('registration_questions')
