"""Event documents: a public id for their URL, and uploaded files beside links.

Revision ID: 9a1b2c3d4e5f
Revises: 7c3e2a1f0d6b
Create Date: 2026-11-22 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = '9a1b2c3d4e5f'
down_revision = '7c3e2a1f0d6b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('file_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('media_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('size_bytes', sa.Integer(), nullable=True))

    # Documents written before this revision are links: each gets its public id.
    documents = sa.table('event_documents', sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    connection = op.get_bind()
    for (document_id,) in connection.execute(sa.select(documents.c.id)).all():
        connection.execute(documents.update().where(documents.c.id == document_id)
                           .values(public_id=rsvp.db.new_public_id()))

    with op.batch_alter_table('event_documents', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('url', existing_type=sa.String(length=500), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_event_documents_public_id'), ['public_id'])
        batch_op.create_check_constraint(
            op.f('ck_event_documents_link_or_file'), '(url IS NULL) <> (file_name IS NULL)')


def downgrade():
    # Uploaded files have no URL to fall back to: their rows go (the files stay in the folder).
    op.execute("DELETE FROM event_documents WHERE url IS NULL")
    with op.batch_alter_table('event_documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_event_documents_link_or_file'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_event_documents_public_id'), type_='unique')
        batch_op.alter_column('url', existing_type=sa.String(length=500), nullable=False)
        batch_op.drop_column('size_bytes')
        batch_op.drop_column('media_type')
        batch_op.drop_column('file_name')
        batch_op.drop_column('public_id')
