"""indexes for the audit log page's filters (person, action, object, dates), each ending in the id
it pages by

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 08:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_org_actor', ['organisation_id', 'actor_id', 'id'], unique=False)
        batch_op.create_index('ix_audit_log_org_action', ['organisation_id', 'action', 'id'], unique=False)
        batch_op.create_index('ix_audit_log_org_object', ['organisation_id', 'object_type', 'object_id', 'id'],
                              unique=False)
        batch_op.create_index('ix_audit_log_org_at', ['organisation_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_org_at')
        batch_op.drop_index('ix_audit_log_org_object')
        batch_op.drop_index('ix_audit_log_org_action')
        batch_op.drop_index('ix_audit_log_org_actor')
