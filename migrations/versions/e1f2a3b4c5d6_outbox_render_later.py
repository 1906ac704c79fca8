"""Outbox messages that the worker renders just before sending.

Revision ID: e1f2a3b4c5d6
Revises: c4d5e6f7a8b9
Create Date: 2026-11-22 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'e1f2a3b4c5d6'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_messages', sa.Column('render', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('outbox_messages', 'render')
