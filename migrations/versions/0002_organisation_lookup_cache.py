"""organisation lookup cache

Revision ID: 0002_lookup_cache
Revises: db30ba3732b8
Create Date: 2026-11-27 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002_lookup_cache"
down_revision = "db30ba3732b8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisation_lookup_cache",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("identifier", sa.String(length=14), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_lookup_cache")),
        sa.UniqueConstraint("kind", "identifier", name=op.f("uq_organisation_lookup_cache_kind")),
    )


def downgrade():
    op.drop_table("organisation_lookup_cache")
