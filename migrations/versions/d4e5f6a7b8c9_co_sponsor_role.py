"""The co-sponsor role: counts and interpretation demand, never an attendee's name.

Revision ID: d4e5f6a7b8c9
Revises: c9e1d2f3a4b5
Create Date: 2026-11-30 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'c9e1d2f3a4b5'
branch_labels = None
depends_on = None

_BEFORE = "role IN ('owner', 'manager', 'check_in', 'viewer')"
_AFTER = "role IN ('owner', 'manager', 'check_in', 'viewer', 'co_sponsor')"


def upgrade():
    with op.batch_alter_table('event_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_roles_event_role'), type_='check')
        batch_op.alter_column('role', type_=sa.String(length=10), existing_type=sa.String(length=8),
                              existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_event_roles_event_role'), _AFTER)


def downgrade():
    op.execute("DELETE FROM event_roles WHERE role = 'co_sponsor'")
    with op.batch_alter_table('event_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_roles_event_role'), type_='check')
        batch_op.alter_column('role', type_=sa.String(length=8), existing_type=sa.String(length=10),
                              existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_event_roles_event_role'), _BEFORE)
