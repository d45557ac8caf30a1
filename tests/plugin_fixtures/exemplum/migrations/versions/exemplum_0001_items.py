"""exemplum: items

Revision ID: exemplum_0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "exemplum_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("exemplum",)
depends_on: str | Sequence[str] | None = "core_0001"


def upgrade() -> None:
    op.create_table(
        "exemplum_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visibility", sa.String(length=20), nullable=False, server_default="association"),
        sa.ForeignKeyConstraint(["association_id"], ["associations.id"],
                                name=op.f("fk_exemplum_items_association_id_associations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_exemplum_items_person_id_people"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplum_items")),
    )


def downgrade() -> None:
    op.drop_table("exemplum_items")
