"""Speakers lists: per-event settings and live state, and the speakers inscribed on them.

Replaces the JSON column events.speakers_list: an event that had one gets a
speakers_lists row with the same times per intervention. The downgrade puts
those two numbers back and drops everything else the lists held.

The column is dropped with SQLite's own ALTER TABLE ... DROP COLUMN, not by
rebuilding the table in batch mode: rebuilding drops the events table, which
with foreign keys on would delete every registration through ON DELETE CASCADE.

Revision ID: 7c3e2a1f0d6b
Revises: 5b1f0c2d9e4a
Create Date: 2026-11-22 10:45:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = '7c3e2a1f0d6b'
down_revision = '5b1f0c2d9e4a'
branch_labels = None
depends_on = None

_ONE_PER_DELEGATION = "one_per_delegation AND state <> 'withdrawn'"

_events = sa.table('events', sa.column('id', sa.Integer()), sa.column('speakers_list', sa.JSON()))
_lists = sa.table(
    'speakers_lists',
    sa.column('event_id', sa.Integer()), sa.column('enabled', sa.Boolean()),
    sa.column('floor_minutes', sa.Integer()), sa.column('individual_seconds', sa.Integer()),
    sa.column('group_seconds', sa.Integer()), sa.column('category_seconds', sa.JSON()),
    sa.column('one_per_delegation', sa.Boolean()), sa.column('public_shows_names', sa.Boolean()),
    sa.column('created_at', rsvp.db.UTCDateTime()), sa.column('updated_at', rsvp.db.UTCDateTime()),
)


def upgrade():
    op.create_table('speakers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('delegation', sa.String(length=300), nullable=False),
    sa.Column('delegation_key', sa.String(length=520), nullable=False),
    sa.Column('category', sa.Enum('member_state', 'observer_state', 'un_igo', 'nhri', 'ngo', 'other', name='speaker_category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('nhri_a_status', sa.Boolean(), nullable=False),
    sa.Column('on_behalf_of_group', sa.Boolean(), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_language', sa.String(length=8), nullable=False),
    sa.Column('state', sa.Enum('inscribed', 'confirmed', 'speaking', 'delivered', 'absent', 'withdrawn', name='speaker_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('one_per_delegation', sa.Boolean(), nullable=False),
    sa.Column('seconds_allowed', sa.Integer(), nullable=False),
    sa.Column('seconds_used', sa.Integer(), nullable=True),
    sa.Column('started_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('moved_to_end_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('inscribed_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('token_version', sa.Integer(), nullable=False),
    sa.Column('statement_filename', sa.String(length=200), nullable=True),
    sa.Column('statement_stored_as', sa.String(length=100), nullable=True),
    sa.Column('statement_content_type', sa.String(length=100), nullable=True),
    sa.Column('statement_bytes', sa.Integer(), nullable=True),
    sa.Column('statement_uploaded_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("NOT on_behalf_of_group OR (group_name IS NOT NULL AND group_name <> '')", name=op.f('ck_speakers_group_has_name')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_speakers_email_lower_case')),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_speakers_ends_after_start')),
    sa.CheckConstraint('seconds_allowed > 0', name=op.f('ck_speakers_seconds_allowed_positive')),
    sa.CheckConstraint('seconds_used IS NULL OR seconds_used >= 0', name=op.f('ck_speakers_seconds_used_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_speakers_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speakers')),
    sa.UniqueConstraint('public_id', name=op.f('uq_speakers_public_id'))
    )
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.create_index('ix_speakers_event_state', ['event_id', 'state'], unique=False)
        batch_op.create_index('uq_speakers_event_delegation_active', ['event_id', 'delegation_key'], unique=True, sqlite_where=sa.text(_ONE_PER_DELEGATION), postgresql_where=sa.text(_ONE_PER_DELEGATION))

    op.create_table('speakers_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('opens_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('floor_starts_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('floor_minutes', sa.Integer(), nullable=False),
    sa.Column('individual_seconds', sa.Integer(), nullable=False),
    sa.Column('group_seconds', sa.Integer(), nullable=False),
    sa.Column('category_seconds', sa.JSON(), nullable=False),
    sa.Column('one_per_delegation', sa.Boolean(), nullable=False),
    sa.Column('public_shows_names', sa.Boolean(), nullable=False),
    sa.Column('current_speaker_id', sa.Integer(), nullable=True),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at', name=op.f('ck_speakers_lists_window_order')),
    sa.CheckConstraint('floor_minutes > 0', name=op.f('ck_speakers_lists_floor_minutes_positive')),
    sa.CheckConstraint('group_seconds > 0', name=op.f('ck_speakers_lists_group_seconds_positive')),
    sa.CheckConstraint('individual_seconds > 0', name=op.f('ck_speakers_lists_individual_seconds_positive')),
    sa.ForeignKeyConstraint(['current_speaker_id'], ['speakers.id'], name=op.f('fk_speakers_lists_current_speaker_id_speakers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_speakers_lists_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speakers_lists')),
    sa.UniqueConstraint('event_id', name=op.f('uq_speakers_lists_event_id'))
    )

    connection = op.get_bind()
    now = datetime.now(UTC)
    for event_id, settings in connection.execute(sa.select(_events.c.id, _events.c.speakers_list)).all():
        if not settings:  # SQL NULL or JSON null: the event had no speakers list
            continue
        connection.execute(_lists.insert().values(
            event_id=event_id, enabled=True, floor_minutes=30,
            individual_seconds=int(settings.get('individual_seconds', 60)),
            group_seconds=int(settings.get('group_seconds', 120)),
            category_seconds={}, one_per_delegation=True, public_shows_names=False,
            created_at=now, updated_at=now))

    op.drop_column('events', 'speakers_list')


def downgrade():
    op.add_column('events', sa.Column('speakers_list', sa.JSON(), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_lists.c.event_id, _lists.c.individual_seconds, _lists.c.group_seconds)
        .where(_lists.c.enabled.is_(True))).all()
    for event_id, individual_seconds, group_seconds in rows:
        connection.execute(_events.update().where(_events.c.id == event_id).values(
            speakers_list={'individual_seconds': individual_seconds, 'group_seconds': group_seconds}))

    op.drop_table('speakers_lists')
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_index('uq_speakers_event_delegation_active', sqlite_where=sa.text(_ONE_PER_DELEGATION), postgresql_where=sa.text(_ONE_PER_DELEGATION))
        batch_op.drop_index('ix_speakers_event_state')

    op.drop_table('speakers')
