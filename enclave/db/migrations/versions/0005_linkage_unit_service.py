"""linkage unit as a service: its API tokens, and the enclave's receipts of linkage maps

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_map_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"],
                                name=op.f("fk_linkage_map_receipts_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_map_receipts")),
        sa.UniqueConstraint("package_id", name=op.f("uq_linkage_map_receipts_package_id")),
    )
    with op.batch_alter_table("linkage_map_receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linkage_map_receipts_project_id"), ["project_id"], unique=False)

    op.create_table(
        "lu_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.Enum("agency", "operator", name="lu_token_holder", native_enum=False, length=20),
                  nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lu_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lu_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("lu_tokens")
    with op.batch_alter_table("linkage_map_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linkage_map_receipts_project_id"))
    op.drop_table("linkage_map_receipts")
