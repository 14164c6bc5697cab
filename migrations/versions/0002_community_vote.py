"""community vote (bình chọn): the vote table and the contest's weights

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:18:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Existing contests get the defaults: no community vote, panel 80 + votes 20.
    with op.batch_alter_table('contest') as batch:
        batch.add_column(sa.Column('community_vote', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('panel_weight', sa.Double(), nullable=False, server_default='80'))
        batch.add_column(sa.Column('vote_weight', sa.Double(), nullable=False, server_default='20'))
    op.create_table('community_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_community_vote_contest_id_contest')),
    sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_community_vote_entry_id_entry')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_community_vote_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_vote')),
    sa.UniqueConstraint('entry_id', 'user_id', name=op.f('uq_community_vote_entry_id'))
    )


def downgrade():
    op.drop_table('community_vote')
    with op.batch_alter_table('contest') as batch:
        batch.drop_column('vote_weight')
        batch.drop_column('panel_weight')
        batch.drop_column('community_vote')
