"""what a notice to the chair is about: an arbitration or a re-score request

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 13:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # Notices written before were arbitrations, except the chair's re-score requests, whose text
    # always begins the same way (judging.operations.request_rescore).
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='arbitration', nullable=False))
    op.execute("UPDATE notice SET kind = 'rescore' WHERE message LIKE 'Đã yêu cầu chấm lại%'")


def downgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('kind')
