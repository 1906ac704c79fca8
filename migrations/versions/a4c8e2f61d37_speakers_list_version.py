"""Speakers lists get a version, bumped with every change to the list or to anyone on it, so the
public live list is built once per change instead of once per viewer.

A plain ADD COLUMN with a server default: existing lists start at version 1.

Revision ID: a4c8e2f61d37
Revises: e6f7a8b9c0d1
Create Date: 2026-11-30 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c8e2f61d37'
down_revision = 'e6f7a8b9c0d1'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('speakers_lists',
                  sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    op.drop_column('speakers_lists', 'version')
