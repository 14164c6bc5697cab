"""the fewest judges an entry may be ranked on, the chair's waivers, the closing meeting's time,
comments shared with authors, the contest's signed plan

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 07:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_judges', sa.Integer(), server_default='2', nullable=False))
        batch_op.add_column(sa.Column('meeting_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('share_comments', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('plan_filename', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('plan_stored_name', sa.String(length=100), nullable=True))
    op.create_table(
        'panel_waiver',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('chair_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_panel_waiver_contest_id_contest')),
        sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_panel_waiver_entry_id_entry')),
        sa.ForeignKeyConstraint(['chair_id'], ['user.id'], name=op.f('fk_panel_waiver_chair_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_waiver')),
        sa.UniqueConstraint('entry_id', name=op.f('uq_panel_waiver_entry_id')),
    )
    with op.batch_alter_table('panel_waiver', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_waiver_contest_id'), ['contest_id'], unique=False)


def downgrade():
    op.drop_table('panel_waiver')
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_column('plan_stored_name')
        batch_op.drop_column('plan_filename')
        batch_op.drop_column('share_comments')
        batch_op.drop_column('meeting_at')
        batch_op.drop_column('min_judges')
