"""segments: client classes and saved segments

Revision ID: segments_0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "segments_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segments_client_classes",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(10), nullable=False),
        sa.Column("abc", sa.String(1), nullable=True),
        sa.Column("xyz", sa.String(1), nullable=True),
        sa.Column("abcde", sa.String(1), nullable=True),
        sa.Column("revenue", sa.Numeric(14, 2), nullable=True),
        sa.Column("first_purchase_on", sa.Date(), nullable=True),
        sa.Column("last_purchase_on", sa.Date(), nullable=True),
        sa.Column("purchase_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_segments_client_classes_client_id_clients",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("client_id", name="pk_segments_client_classes"),
    )
    op.create_index("ix_segments_client_classes_category", "segments_client_classes", ["category"])
    op.create_index("ix_segments_client_classes_abc_xyz", "segments_client_classes", ["abc", "xyz"])
    op.create_table(
        "segments_saved",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_segments_saved_created_by_id_users",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_segments_saved"),
    )


def downgrade() -> None:
    op.drop_table("segments_saved")
    op.drop_table("segments_client_classes")
