"""registry rows remember the import that added them; a job can be asked to stop

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel', sa.String(length=10), nullable=False, server_default=''))
    with op.batch_alter_table('registry_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_job_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_registry_item_import_job_id'), ['import_job_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_registry_item_import_job_id_job'), 'job', ['import_job_id'], ['id'])


def downgrade():
    with op.batch_alter_table('registry_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registry_item_import_job_id_job'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_registry_item_import_job_id'))
        batch_op.drop_column('import_job_id')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('cancel')
