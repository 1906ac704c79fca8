"""What an event announces: who must register, whose grounds pass, the organiser contact, social
account and hashtag, the recording, the image's description; translations of the shorter texts.

Revision ID: d5a1b2c3d4e5
Revises: b8d1e2f3a4c5
Create Date: 2026-11-30 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a1b2c3d4e5'
down_revision = 'b8d1e2f3a4c5'
branch_labels = None
depends_on = None

_TEXTS = (('duty_station', 200), ('image_alt', 300), ('recording_url', 500), ('organiser_name', 200),
          ('organiser_email', 254), ('social_account', 100), ('hashtag', 100))


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'registration_rule', sa.Enum('everyone', 'without_pass', 'nobody', name='registration_rule',
                                         native_enum=False, create_constraint=True, length=12),
            nullable=False, server_default='everyone'))
        batch_op.add_column(sa.Column(
            'un_premises', sa.Enum('geneva', 'new_york', 'other', 'none', name='un_premises',
                                   native_enum=False, create_constraint=True, length=8),
            nullable=False, server_default='geneva'))
        for name, length in _TEXTS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    with op.batch_alter_table('event_translations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phrases', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('event_translations', schema=None) as batch_op:
        batch_op.drop_column('phrases')
    with op.batch_alter_table('events', schema=None) as batch_op:
        for name, _length in reversed(_TEXTS):
            batch_op.drop_column(name)
        batch_op.drop_constraint(batch_op.f('ck_events_un_premises'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_events_registration_rule'), type_='check')
        batch_op.drop_column('un_premises')
        batch_op.drop_column('registration_rule')
