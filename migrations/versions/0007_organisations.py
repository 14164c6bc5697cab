"""organisations and memberships: a single-ward database becomes one ward under a town

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:30:00.000000

Every person keeps their role, now as a membership of the ward; the ward owns every contest,
registry item, unit, job and audit record there was. The ward is named from its newest contest's
title ("… phường Trung Lương năm 2025") when it names one; the admin corrects the names on the
organisation page. A database without users (a fresh install) gets no organisation here:
`sangkien create-user … --organisation "Thị xã …"` makes the town.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_LOCALITY = re.compile(r"\b([Pp]hường|[Xx]ã|[Tt]hị trấn)\s+((?:[A-ZÀ-Ỹ0-9Đ][^\s,;:()]*\s*)+)")
OWNED = ('contest', 'registry_item', 'unit', 'job', 'audit_log')


def ward_names(title: str) -> dict:
    """The ward's name and document names from a contest title, or placeholders."""
    match = _LOCALITY.search(title or "")
    if not match:
        return {"name": "Phường (chưa đặt tên)", "place": "", "authority": "Ủy ban nhân dân phường",
                "council": "Hội đồng chấm sáng kiến phường", "signer": "Chủ tịch Ủy ban nhân dân phường"}
    kind, place = match.group(1).lower(), match.group(2).strip()
    place = re.sub(r"\s+(năm|Năm)?\s*\d{4}$", "", place).strip()
    return {"name": f"{kind[0].upper()}{kind[1:]} {place}", "place": place,
            "authority": f"Ủy ban nhân dân {kind} {place}", "council": f"Hội đồng chấm sáng kiến {kind} {place}",
            "signer": f"Chủ tịch Ủy ban nhân dân {kind}"}


def upgrade():
    op.create_table(
        'organisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('place', sa.String(length=100), nullable=False),
        sa.Column('authority', sa.String(length=200), nullable=False),
        sa.Column('council', sa.String(length=300), nullable=False),
        sa.Column('signer', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['organisation.id'], name=op.f('fk_organisation_parent_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
        sa.UniqueConstraint('name', name=op.f('uq_organisation_name')),
    )
    op.create_table(
        'membership',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_membership_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_membership_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
        sa.UniqueConstraint('user_id', 'organisation_id', name=op.f('uq_membership_user_id')),
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)

    conn = op.get_bind()
    ward_id = None
    if any(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()
           for table in ('"user"', 'contest', 'registry_item', 'unit')):
        title = conn.execute(sa.text("SELECT title FROM contest ORDER BY id DESC LIMIT 1")).scalar() or ""
        now = sa.func.now() if conn.dialect.name == "postgresql" else sa.text("CURRENT_TIMESTAMP")
        organisation = sa.table('organisation', *(sa.column(c) for c in (
            'id', 'name', 'level', 'parent_id', 'place', 'authority', 'council', 'signer', 'created_at')))
        conn.execute(organisation.insert().values(
            name="Thị xã (chưa đặt tên)", level="town", parent_id=None, place="", authority="Ủy ban nhân dân thị xã",
            council="Hội đồng chấm sáng kiến kinh nghiệm của thị xã", signer="Chủ tịch Ủy ban nhân dân thị xã",
            created_at=now))
        town_id = conn.execute(sa.text("SELECT id FROM organisation WHERE level = 'town'")).scalar()
        conn.execute(organisation.insert().values(level="ward", parent_id=town_id, created_at=now, **ward_names(title)))
        ward_id = conn.execute(sa.text("SELECT id FROM organisation WHERE level = 'ward'")).scalar()
        conn.execute(sa.text("INSERT INTO membership (user_id, organisation_id, role, active) "
                             "SELECT id, :ward, role, :yes FROM \"user\" ORDER BY id"), {"ward": ward_id, "yes": True})

    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        if ward_id is not None:
            conn.execute(sa.text(f"UPDATE {table} SET organisation_id = :ward"), {"ward": ward_id})
        if table == 'unit':
            # Unit names were unique in the installation; now within their organisation.
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint('uq_unit_name', type_='unique')
                batch_op.create_unique_constraint(batch_op.f('uq_unit_organisation_id'), ['organisation_id', 'name'])
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in ('contest', 'registry_item', 'unit'):
                batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_organisation_id'), ['organisation_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_organisation_id_organisation'), 'organisation',
                                        ['organisation_id'], ['id'])
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('role')


def downgrade():
    conn = op.get_bind()
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=False, server_default='participant'))
    conn.execute(sa.text("UPDATE \"user\" SET role = COALESCE((SELECT m.role FROM membership m "
                         "WHERE m.user_id = \"user\".id ORDER BY m.id LIMIT 1), 'participant')"))
    for table in reversed(OWNED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_organisation_id_organisation'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_organisation_id'))
            if table == 'unit':
                batch_op.drop_constraint(batch_op.f('uq_unit_organisation_id'), type_='unique')
                batch_op.create_unique_constraint('uq_unit_name', ['name'])
            batch_op.drop_column('organisation_id')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_organisation_id'))
    op.drop_table('membership')
    op.drop_table('organisation')
