"""Each event's own privacy notice, shown above the consent box.

Revision ID: c4d5e6f7a8b9
Revises: 9a1b2c3d4e5f
Create Date: 2026-11-22 11:41:02.758319

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'c4d5e6f7a8b9'
down_revision = '9a1b2c3d4e5f'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: rebuilding "events" on SQLite would cascade-delete
# every registration (see 7c3e2a1f0d6b).


def upgrade():
    op.add_column('events', sa.Column('privacy_notice', sa.Text(), server_default='', nullable=False))


def downgrade():
    op.drop_column('events', 'privacy_notice')

