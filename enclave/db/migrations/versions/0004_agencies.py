"""agency registry: agencies and their signing keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.Enum("active", "revoked", name="agency_state", native_enum=False, length=20),
                  nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("code", name=op.f("uq_agencies_code")),
    )
    op.create_table(
        "agency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("public_pem", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.Enum("active", "retired", "revoked", name="agency_key_state", native_enum=False,
                                   length=20), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_by", sa.String(length=64), nullable=True),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_agency_keys_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_keys")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_agency_keys_fingerprint")),
    )
    with op.batch_alter_table("agency_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_keys_agency_id"), ["agency_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_keys_agency_id"))
    op.drop_table("agency_keys")
    op.drop_table("agencies")
