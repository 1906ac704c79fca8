"""Confidential participation: a registrant left out of exports unless a manager includes them,
shown by a code below managers.

Revision ID: f8a9b0c1d2e3
Revises: a4c8e2f61d37
Create Date: 2026-11-30 18:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f8a9b0c1d2e3'
down_revision = 'a4c8e2f61d37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('confidential')
