"""Video statements on the speakers list: the file's sealed name, its random stored name, its
checked type, size and time of upload (rsvp/speakers/videos.py).

Revision ID: b8d2e6f1a3c5
Revises: a2b7c4d9e1f0
Create Date: 2026-11-30 23:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d2e6f1a3c5'
down_revision = 'a2b7c4d9e1f0'
branch_labels = None
depends_on = None

COLUMNS = ("video_filename", "video_stored_as", "video_content_type", "video_bytes", "video_uploaded_at")


def upgrade():
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("video_filename", sa.Text(), nullable=True))
        batch.add_column(sa.Column("video_stored_as", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("video_content_type", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("video_bytes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("video_uploaded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("speakers") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
