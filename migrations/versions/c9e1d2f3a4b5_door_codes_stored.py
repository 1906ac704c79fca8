"""Door codes stored and indexed: the check-in desk finds a typed code at once, not by hashing
every public id of the event.

Revision ID: c9e1d2f3a4b5
Revises: a7149bd4d808
Create Date: 2026-11-30 17:50:00

"""
import hashlib

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9e1d2f3a4b5'
down_revision = 'a7149bd4d808'
branch_labels = None
depends_on = None

_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
BATCH = 1000


def _door_code(public_id: str) -> str:
    """As rsvp.registrations.models.door_code was at this revision."""
    digest = hashlib.sha256(public_id.encode()).digest()
    code = "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:8])
    return f"{code[:4]}-{code[4:]}"


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('door_code', sa.String(length=9), nullable=True))
    bind = op.get_bind()
    registrations = sa.table('registrations', sa.column('id', sa.Integer()),
                             sa.column('public_id', sa.String()), sa.column('door_code', sa.String()))
    after = 0
    while True:
        rows = bind.execute(sa.select(registrations.c.id, registrations.c.public_id)
                            .where(registrations.c.id > after).order_by(registrations.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        bind.execute(sa.update(registrations).where(registrations.c.id == sa.bindparam('row_id'))
                     .values(door_code=sa.bindparam('code')),
                     [{'row_id': row_id, 'code': _door_code(public_id)} for row_id, public_id in rows])
        after = rows[-1][0]
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('door_code', existing_type=sa.String(length=9), nullable=False)
        batch_op.create_index('ix_registrations_event_door_code', ['event_id', 'door_code'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_door_code')
        batch_op.drop_column('door_code')
