"""The site's own look: name, organisation and address, website, colour and logo, set on /manage/site;
the audit log's actions for the site's settings and for API tokens.

Revision ID: b8d1e2f3a4c5
Revises: b1c2d3e4f5a6
Create Date: 2026-11-30 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d1e2f3a4c5'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None

_ACTIONS = ("viewed_list", "viewed_registration", "exported_list", "changed_registration",
            "erased_registration", "checked_in", "sent_message", "changed_event", "changed_roles")


def _check(actions):
    return "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")"


def upgrade():
    op.create_table(
        'site_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=True),
        sa.Column('organisation', sa.String(length=200), nullable=True),
        sa.Column('address', sa.String(length=500), nullable=True),
        sa.Column('website', sa.String(length=300), nullable=True),
        sa.Column('colour', sa.String(length=7), nullable=True),
        sa.Column('logo', sa.String(length=64), nullable=True),
        sa.Column('logo_alt', sa.String(length=200), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_settings')),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_audit_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_entries_audit_action'),
                                         _check(_ACTIONS + ("changed_site", "changed_tokens")))


def downgrade():
    op.execute("DELETE FROM audit_entries WHERE action IN ('changed_site', 'changed_tokens')")
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_audit_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_entries_audit_action'), _check(_ACTIONS))
    op.drop_table('site_settings')
