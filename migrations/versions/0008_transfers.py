"""a ward's entry forwarded into the town's round: the transfer that links the two entries

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'transfer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_entry_id', sa.Integer(), nullable=False),
        sa.Column('target_entry_id', sa.Integer(), nullable=False),
        sa.Column('source_contest_id', sa.Integer(), nullable=False),
        sa.Column('target_contest_id', sa.Integer(), nullable=False),
        sa.Column('source_organisation_id', sa.Integer(), nullable=False),
        sa.Column('ward_rank', sa.Integer(), nullable=False),
        sa.Column('ward_mean_total', sa.Double(), nullable=False),
        sa.Column('ward_max_total', sa.Double(), nullable=False),
        sa.Column('ward_prize', sa.String(length=20), nullable=True),
        sa.Column('dossier_stored_name', sa.String(length=100), nullable=True),
        sa.Column('forwarded_at', sa.DateTime(), nullable=False),
        sa.Column('forwarded_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['source_entry_id'], ['entry.id'], name=op.f('fk_transfer_source_entry_id_entry')),
        sa.ForeignKeyConstraint(['target_entry_id'], ['entry.id'], name=op.f('fk_transfer_target_entry_id_entry')),
        sa.ForeignKeyConstraint(['source_contest_id'], ['contest.id'], name=op.f('fk_transfer_source_contest_id_contest')),
        sa.ForeignKeyConstraint(['target_contest_id'], ['contest.id'], name=op.f('fk_transfer_target_contest_id_contest')),
        sa.ForeignKeyConstraint(['source_organisation_id'], ['organisation.id'],
                                name=op.f('fk_transfer_source_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['forwarded_by_id'], ['user.id'], name=op.f('fk_transfer_forwarded_by_id_user')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user.id'], name=op.f('fk_transfer_withdrawn_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer')),
        sa.UniqueConstraint('target_entry_id', name=op.f('uq_transfer_target_entry_id')),
    )
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_source_entry_id'), ['source_entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_source_contest_id'), ['source_contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_target_contest_id'), ['target_contest_id'], unique=False)


def downgrade():
    op.drop_table('transfer')
