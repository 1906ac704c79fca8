"""Personal access tokens for the organisers' API, and the index that pages an event's
registrations by id.

Revision ID: f9a1b2c3d4e5
Revises: e7a1b2c3d4e5
Create Date: 2026-11-30 20:10:00

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = 'f9a1b2c3d4e5'
down_revision = 'e7a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('can_write', sa.Boolean(), nullable=False),
    sa.Column('all_events', sa.Boolean(), nullable=False),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', rsvp.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisers.id'],
                            name=op.f('fk_api_tokens_organiser_id_organisers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('public_id', name=op.f('uq_api_tokens_public_id')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_tokens_secret_hash'))
    )
    op.create_index(op.f('ix_api_tokens_organiser_id'), 'api_tokens', ['organiser_id'], unique=False)
    op.create_table('api_token_events',
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                            name=op.f('fk_api_token_events_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'],
                            name=op.f('fk_api_token_events_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', 'event_id', name=op.f('pk_api_token_events'))
    )
    op.create_index(op.f('ix_api_token_events_event_id'), 'api_token_events', ['event_id'], unique=False)
    op.create_index('ix_registrations_event_id_id', 'registrations', ['event_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_registrations_event_id_id', table_name='registrations')
    op.drop_index(op.f('ix_api_token_events_event_id'), table_name='api_token_events')
    op.drop_table('api_token_events')
    op.drop_index(op.f('ix_api_tokens_organiser_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
