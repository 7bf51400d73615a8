"""catalog, projects, submissions, exports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("coverage_start", sa.Date(), nullable=True),
        sa.Column("coverage_end", sa.Date(), nullable=True),
        sa.Column("row_count_rounded", sa.Integer(), nullable=False),
        sa.Column("identifier_policy", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("agency_code", "name", name=op.f("uq_datasets_agency_code")),
    )
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datasets_agency_code"), ["agency_code"], unique=False)

    op.create_table(
        "dataset_variables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.Column("is_quasi_identifier", sa.Boolean(), nullable=False),
        sa.Column("is_sensitive", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_variables_dataset_id_datasets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_variables")),
        sa.UniqueConstraint("dataset_id", "name", name=op.f("uq_dataset_variables_dataset_id")),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("analysis_plan", sa.Text(), nullable=False),
        sa.Column("retention_end", sa.Date(), nullable=False),
        sa.Column("keep_unlinked", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "applied",
                "approved",
                "provisioned",
                "active",
                "closing",
                "destroyed",
                "declined",
                name="project_state",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("application_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("destroyed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["users.id"], name=op.f("fk_projects_applicant_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_table(
        "dataset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("variables", sa.Text(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("pending", "approved", "declined", name="request_decision", native_enum=False, length=30),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_requests_dataset_id_datasets")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_dataset_requests_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_requests")),
        sa.UniqueConstraint("project_id", "dataset_id", name=op.f("uq_dataset_requests_project_id")),
    )
    op.create_table(
        "destruction_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_destruction_certificates_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destruction_certificates")),
        sa.UniqueConstraint("project_id", name=op.f("uq_destruction_certificates_project_id")),
    )
    op.create_table(
        "export_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_export_requests_author_id_users")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_export_requests_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_requests")),
    )
    with op.batch_alter_table("export_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_requests_project_id"), ["project_id"], unique=False)

    op.create_table(
        "linked_datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("columns", sa.Text(), nullable=False),
        sa.Column("policy_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_linked_datasets_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linked_datasets")),
    )
    with op.batch_alter_table("linked_datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linked_datasets_project_id"), ["project_id"], unique=False)

    op.create_table(
        "project_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("pending", "approved", "declined", name="project_decision", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("application_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_project_decisions_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_decisions_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_decisions")),
    )
    op.create_table(
        "project_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_members_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_project_members_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_members")),
        sa.UniqueConstraint("project_id", "user_id", name=op.f("uq_project_members_project_id")),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_submissions_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("package_id", name=op.f("uq_submissions_package_id")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_project_id"), ["project_id"], unique=False)

    op.create_table(
        "synthetic_replicas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("may_release", sa.Boolean(), nullable=False),
        sa.Column("ran_by", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum("pending", "approved", "returned", name="replica_state", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_synthetic_replicas_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synthetic_replicas")),
    )
    with op.batch_alter_table("synthetic_replicas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_synthetic_replicas_project_id"), ["project_id"], unique=False)

    op.create_table(
        "export_outputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("evidence_object", sa.String(length=200), nullable=False),
        sa.Column("checks", sa.Text(), nullable=False),
        sa.Column("check_status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["export_requests.id"],
            name=op.f("fk_export_outputs_request_id_export_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_outputs")),
        sa.UniqueConstraint("request_id", "name", name=op.f("uq_export_outputs_request_id")),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("released_by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["export_requests.id"], name=op.f("fk_releases_request_id_export_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("request_id", name=op.f("uq_releases_request_id")),
    )
    op.create_table(
        "risk_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("report_path", sa.String(length=500), nullable=False),
        sa.Column("report_hash", sa.String(length=64), nullable=False),
        sa.Column("policy_hash", sa.String(length=64), nullable=False),
        sa.Column("meets_thresholds", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("ran_by", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum("pending", "approved", "returned", name="review_state", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["linked_datasets.id"], name=op.f("fk_risk_reviews_dataset_id_linked_datasets")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_risk_reviews_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_reviews")),
    )
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_reviews_project_id"), ["project_id"], unique=False)

    op.create_table(
        "export_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=30), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["export_outputs.id"],
            name=op.f("fk_export_votes_output_id_export_outputs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f("fk_export_votes_reviewer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_votes")),
        sa.UniqueConstraint("output_id", "reviewer_id", name=op.f("uq_export_votes_output_id")),
    )
    op.create_table(
        "ledger_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("output_id", sa.Integer(), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["output_id"], ["export_outputs.id"], name=op.f("fk_ledger_records_output_id_export_outputs")
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_ledger_records_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_records")),
    )
    with op.batch_alter_table("ledger_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_records_project_id"), ["project_id"], unique=False)

    op.create_table(
        "lu_linkage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_ref", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Text(), nullable=False),
        sa.Column("map_path", sa.String(length=500), nullable=False),
        sa.Column("map_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lu_linkage_runs")),
    )
    with op.batch_alter_table("lu_linkage_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lu_linkage_runs_project_ref"), ["project_ref"], unique=False)

    op.create_table(
        "lu_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_ref", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("package_id", sa.String(length=100), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lu_submissions")),
        sa.UniqueConstraint("package_id", name=op.f("uq_lu_submissions_package_id")),
    )
    with op.batch_alter_table("lu_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lu_submissions_project_ref"), ["project_ref"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("lu_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lu_submissions_project_ref"))

    op.drop_table("lu_submissions")
    with op.batch_alter_table("lu_linkage_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lu_linkage_runs_project_ref"))

    op.drop_table("lu_linkage_runs")
    with op.batch_alter_table("ledger_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_records_project_id"))

    op.drop_table("ledger_records")
    op.drop_table("export_votes")
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_reviews_project_id"))

    op.drop_table("risk_reviews")
    op.drop_table("releases")
    op.drop_table("export_outputs")
    with op.batch_alter_table("synthetic_replicas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_synthetic_replicas_project_id"))

    op.drop_table("synthetic_replicas")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_project_id"))

    op.drop_table("submissions")
    op.drop_table("project_members")
    op.drop_table("project_decisions")
    with op.batch_alter_table("linked_datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linked_datasets_project_id"))

    op.drop_table("linked_datasets")
    with op.batch_alter_table("export_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_requests_project_id"))

    op.drop_table("export_requests")
    op.drop_table("destruction_certificates")
    op.drop_table("dataset_requests")
    op.drop_table("projects")
    op.drop_table("dataset_variables")
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datasets_agency_code"))

    op.drop_table("datasets")
