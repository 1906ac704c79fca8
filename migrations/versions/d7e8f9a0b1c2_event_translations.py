"""Event content in several languages: each event's main content language, its translations,
and its questions' wording per language.

Revision ID: d7e8f9a0b1c2
Revises: e1f2a3b4c5d6
Create Date: 2026-11-23 09:12:00.000000

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'e1f2a3b4c5d6'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: rebuilding "events" on SQLite would cascade-delete
# every registration (see 7c3e2a1f0d6b). Existing events and questions were written in English.


def upgrade():
    op.add_column('events', sa.Column('content_language', sa.String(length=8), server_default='en',
                                      nullable=False))
    op.add_column('registration_questions', sa.Column('translations', sa.JSON(), server_default='{}',
                                                      nullable=False))
    op.create_table('event_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.String(length=600), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_translations_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_translations')),
    sa.UniqueConstraint('event_id', 'language', name=op.f('uq_event_translations_event_id'))
    )


def downgrade():
    op.drop_table('event_translations')
    op.drop_column('registration_questions', 'translations')
    op.drop_column('events', 'content_language')
