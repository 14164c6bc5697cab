"""the secretariat's reminders to judges with sheets still to submit

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('judge_id', sa.Integer(), nullable=False),
        sa.Column('sender_id', sa.Integer(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('outstanding', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_reminder_contest_id_contest')),
        sa.ForeignKeyConstraint(['judge_id'], ['user.id'], name=op.f('fk_reminder_judge_id_user')),
        sa.ForeignKeyConstraint(['sender_id'], ['user.id'], name=op.f('fk_reminder_sender_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    )


def downgrade():
    op.drop_table('reminder')
