"""Speakers: a confidential inscription (its name never on the public list), sealed like the rest
of the speaker's data.

Revision ID: c3a7e1f2b9d0
Revises: b1c2d3e4f5a6
Create Date: 2026-11-30 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a7e1f2b9d0'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    # Sealed at rest (SealedJSON in the model): whether someone asked for it names them at risk.
    op.add_column('speakers', sa.Column('confidential', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_column('confidential')
