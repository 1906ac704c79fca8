"""Speakers: several lists per event (one per panel segment), a confidential inscription, and
the signatories of a joint statement, the record of lot draws, swaps and substitutions, rights of
reply (their own queue and time) and NGOs' priority requests.

An event's lists are numbered 1, 2, …; every existing list becomes its event's list 1, with
its speakers, and a delegation's one inscription is counted per list (a delegation may speak
after segment I and after segment II). ``speakers.confidential`` is sealed at rest
(SealedJSON in the model): whether someone asked for it says they are at risk.

On SQLite the speakers table is rebuilt to make list_id NOT NULL. Dropping the old table fires
ON DELETE SET NULL on speakers_lists.current_speaker_id (foreign keys are on), so who holds
each floor is read first and written back after.

Revision ID: c3a7e1f2b9d0
Revises: f9b2c3d4e5f6
Create Date: 2026-11-30 20:10:00

"""
from alembic import op
import sqlalchemy as sa

import rsvp.db


# revision identifiers, used by Alembic.
revision = 'c3a7e1f2b9d0'
down_revision = 'f9b2c3d4e5f6'
branch_labels = None
depends_on = None

_ONE_PER_DELEGATION = "one_per_delegation AND state <> 'withdrawn'"
_lists = sa.table('speakers_lists', sa.column('id', sa.Integer()), sa.column('event_id', sa.Integer()),
                  sa.column('current_speaker_id', sa.Integer()))
_speakers = sa.table('speakers', sa.column('event_id', sa.Integer()), sa.column('list_id', sa.Integer()))


def _floors(connection):
    return connection.execute(sa.select(_lists.c.id, _lists.c.current_speaker_id)
                              .where(_lists.c.current_speaker_id.is_not(None))).all()


def _restore(connection, floors):
    for list_id, speaker_id in floors:
        connection.execute(_lists.update().where(_lists.c.id == list_id)
                           .values(current_speaker_id=speaker_id))


def upgrade():
    connection = op.get_bind()
    floors = _floors(connection)
    with op.batch_alter_table('speakers_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('title', sa.String(length=200), server_default='', nullable=False))
        batch_op.drop_constraint(op.f('uq_speakers_lists_event_id'), type_='unique')
        batch_op.create_unique_constraint(op.f('uq_speakers_lists_event_number'), ['event_id', 'number'])
        batch_op.create_check_constraint(op.f('ck_speakers_lists_number_positive'), sa.text('number > 0'))

    op.add_column('speakers', sa.Column('confidential', sa.Text(), nullable=True))
    op.add_column('speakers', sa.Column('signatories', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('speakers', sa.Column('right_of_reply', sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.add_column('speakers', sa.Column('priority_requested', sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.add_column('speakers_lists', sa.Column('reply_seconds', sa.Integer(), server_default='180',
                                              nullable=False))
    op.add_column('speakers', sa.Column('list_id', sa.Integer(), nullable=True))
    connection.execute(_speakers.update().values(list_id=(
        sa.select(_lists.c.id).where(_lists.c.event_id == _speakers.c.event_id).scalar_subquery())))
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.alter_column('list_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(op.f('fk_speakers_list_id_speakers_lists'), 'speakers_lists', ['list_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index(op.f('ix_speakers_list_id'), ['list_id'], unique=False)
        batch_op.drop_index('uq_speakers_event_delegation_active', sqlite_where=sa.text(_ONE_PER_DELEGATION),
                            postgresql_where=sa.text(_ONE_PER_DELEGATION))
        batch_op.create_index('uq_speakers_list_delegation_active', ['list_id', 'delegation_key'], unique=True,
                              sqlite_where=sa.text(_ONE_PER_DELEGATION),
                              postgresql_where=sa.text(_ONE_PER_DELEGATION))
    _restore(connection, floors)
    op.create_table('speakers_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('draw', 'swap', 'substitution', name='speakers_record_kind',
                              native_enum=False, create_constraint=True, length=12), nullable=False),
    sa.Column('public', sa.JSON(), nullable=False),
    sa.Column('private', sa.Text(), nullable=False),
    sa.Column('created_at', rsvp.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['speakers_lists.id'],
                            name=op.f('fk_speakers_records_list_id_speakers_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speakers_records'))
    )
    op.create_index('ix_speakers_records_list_at', 'speakers_records', ['list_id', 'created_at'], unique=False)


def downgrade():
    """Back to one list per event: the lists after the first go, with their speakers; the
    records of draws, swaps and substitutions go."""
    op.drop_index('ix_speakers_records_list_at', table_name='speakers_records')
    op.drop_table('speakers_records')
    connection = op.get_bind()
    connection.execute(sa.text(
        "DELETE FROM speakers WHERE list_id IN (SELECT id FROM speakers_lists WHERE number > 1)"))
    connection.execute(sa.text("DELETE FROM speakers_lists WHERE number > 1"))
    floors = _floors(connection)
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_index('uq_speakers_list_delegation_active', sqlite_where=sa.text(_ONE_PER_DELEGATION),
                            postgresql_where=sa.text(_ONE_PER_DELEGATION))
        batch_op.create_index('uq_speakers_event_delegation_active', ['event_id', 'delegation_key'],
                              unique=True, sqlite_where=sa.text(_ONE_PER_DELEGATION),
                              postgresql_where=sa.text(_ONE_PER_DELEGATION))
        batch_op.drop_index(op.f('ix_speakers_list_id'))
        batch_op.drop_constraint(op.f('fk_speakers_list_id_speakers_lists'), type_='foreignkey')
        batch_op.drop_column('list_id')
        batch_op.drop_column('confidential')
        batch_op.drop_column('signatories')
        batch_op.drop_column('right_of_reply')
        batch_op.drop_column('priority_requested')
    with op.batch_alter_table('speakers_lists', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_speakers_lists_number_positive'), type_='check')
        batch_op.drop_constraint(op.f('uq_speakers_lists_event_number'), type_='unique')
        batch_op.create_unique_constraint(op.f('uq_speakers_lists_event_id'), ['event_id'])
        batch_op.drop_column('title')
        batch_op.drop_column('reply_seconds')
        batch_op.drop_column('number')
    _restore(connection, floors)
