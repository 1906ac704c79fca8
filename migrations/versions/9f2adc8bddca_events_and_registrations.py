"""Events (with partners, people, documents) and registrations.

Revision ID: 9f2adc8bddca
Revises: 
Create Date: 2026-11-22 10:07:43.949658

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = '9f2adc8bddca'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('event_type', sa.Enum('side_event', 'report_launch', 'panel_discussion', 'dialogue', 'pledging_event', 'high_level_event', 'webinar', name='event_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('session', sa.String(length=40), nullable=True),
    sa.Column('summary', sa.String(length=600), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('format', sa.Enum('online', 'in_person', 'hybrid', name='format', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('starts_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('display_timezones', sa.JSON(), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=True),
    sa.Column('livestream_url', sa.String(length=500), nullable=True),
    sa.Column('join_url', sa.String(length=500), nullable=True),
    sa.Column('floor_language', sa.String(length=8), nullable=False),
    sa.Column('interpretation_languages', sa.JSON(), nullable=False),
    sa.Column('caption_languages', sa.JSON(), nullable=False),
    sa.Column('image_path', sa.String(length=300), nullable=True),
    sa.Column('image_credit', sa.String(length=300), nullable=True),
    sa.Column('registration_opens_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registration_closes_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('capacity_in_person', sa.Integer(), nullable=True),
    sa.Column('capacity_online', sa.Integer(), nullable=True),
    sa.Column('taken_in_person', sa.Integer(), nullable=False),
    sa.Column('taken_online', sa.Integer(), nullable=False),
    sa.Column('waitlist_enabled', sa.Boolean(), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('double_opt_in', sa.Boolean(), nullable=False),
    sa.Column('grounds_pass_required', sa.Boolean(), nullable=False),
    sa.Column('reminder_offsets', sa.JSON(), nullable=False),
    sa.Column('speakers_list', sa.JSON(), nullable=True),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity_in_person IS NULL OR capacity_in_person >= 0', name=op.f('ck_events_capacity_in_person_positive')),
    sa.CheckConstraint('capacity_online IS NULL OR capacity_online >= 0', name=op.f('ck_events_capacity_online_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_events_ends_after_start')),
    sa.CheckConstraint('registration_closes_at IS NULL OR registration_opens_at IS NULL OR registration_closes_at > registration_opens_at', name=op.f('ck_events_window_order')),
    sa.CheckConstraint('taken_in_person >= 0', name=op.f('ck_events_taken_in_person_positive')),
    sa.CheckConstraint('taken_online >= 0', name=op.f('ck_events_taken_online_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('public_id', name=op.f('uq_events_public_id')),
    sa.UniqueConstraint('slug', name=op.f('uq_events_slug'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_status_starts_at', ['status', 'starts_at'], unique=False)

    op.create_table('event_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_documents_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_documents'))
    )
    with op.batch_alter_table('event_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_documents_event_id'), ['event_id'], unique=False)

    op.create_table('event_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('state', 'ngo', 'un', 'nhri', 'other', name='partner_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('role', sa.Enum('host', 'co_organiser', 'co_sponsor', name='partner_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_partners_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_partners'))
    )
    with op.batch_alter_table('event_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_partners_event_id'), ['event_id'], unique=False)

    op.create_table('event_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('affiliation', sa.String(length=400), nullable=True),
    sa.Column('role', sa.Enum('moderator', 'welcome_remarks', 'opening_remarks', 'presenter', 'panelist', 'speaker', 'closing_remarks', name='programme_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('segment', sa.String(length=200), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_people_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_people'))
    )
    with op.batch_alter_table('event_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_people_event_id'), ['event_id'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=False),
    sa.Column('organisation_type', sa.Enum('state', 'ngo', 'un', 'nhri', 'academia', 'media', 'other', name='organisation_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('attendance_mode', sa.Enum('in_person', 'online', name='attendance_mode', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('interpretation_language', sa.String(length=8), nullable=True),
    sa.Column('captions', sa.Boolean(), nullable=False),
    sa.Column('accessibility_needs', sa.Text(), nullable=False),
    sa.Column('consent_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending_email', 'pending_approval', 'confirmed', 'waitlisted', 'rejected', 'cancelled', name='registration_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_registrations_email_lower_case')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_registrations_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('public_id', name=op.f('uq_registrations_public_id'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_event_status_created', ['event_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('uq_registrations_event_email_active', ['event_id', 'email'], unique=True, sqlite_where=sa.text("status IN ('pending_email', 'pending_approval', 'confirmed', 'waitlisted')"), postgresql_where=sa.text("status IN ('pending_email', 'pending_approval', 'confirmed', 'waitlisted')"))



def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_registrations_event_email_active', sqlite_where=sa.text("status IN ('pending_email', 'pending_approval', 'confirmed', 'waitlisted')"), postgresql_where=sa.text("status IN ('pending_email', 'pending_approval', 'confirmed', 'waitlisted')"))
        batch_op.drop_index('ix_registrations_event_status_created')

    op.drop_table('registrations')
    with op.batch_alter_table('event_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_people_event_id'))

    op.drop_table('event_people')
    with op.batch_alter_table('event_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_partners_event_id'))

    op.drop_table('event_partners')
    with op.batch_alter_table('event_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_documents_event_id'))

    op.drop_table('event_documents')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_status_starts_at')

    op.drop_table('events')
