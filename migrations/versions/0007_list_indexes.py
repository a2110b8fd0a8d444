"""back-office list: indexes for its sorts and counts, SQLite planner statistics

Revision ID: 0007_list_indexes
Revises: 0006_instruction
Create Date: 2026-11-27 15:30:00

The back office's list of demandes sorts by amount asked with keyset pages:
(montant_demande, id) answers it from an index. It counts the demandes of a
téléservice or of an agent (« non attribuées » included) by status and
transmission date: (teleservice_version_id, status, transmitted_at) and
(assigned_agent_id, status, transmitted_at) answer those counts from the
index alone.

SQLite chooses its query plans from the statistics ANALYZE writes in
``sqlite_stat1``; without any, it takes every indexed condition for a very
selective one, so « every demande transmitted » (a status among six) was
read through the status index and sorted, 100 000 rows for a page of 25.
PostgreSQL keeps its own statistics (autovacuum); on SQLite this migration
analyzes the two tables the list reads and, while they are still small (a
new portal), records the statistics of a typical Région instead (100 000
demandes, 5 000 structures), as SQLite's documentation suggests for stable
plans. A later ``ANALYZE`` replaces them with the real ones.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_list_indexes'
down_revision = '0006_instruction'
branch_labels = None
depends_on = None

# Rows of sqlite_stat1: (table, index, "rows  rows-per-value of each column prefix").
TYPICAL_STATISTICS = [
    ("demande", "ix_demande_status", "100000 12500"),
    ("demande", "ix_demande_status_transmitted", "100000 12500 1 1"),
    ("demande", "ix_demande_transmitted", "100000 1 1"),
    ("demande", "ix_demande_montant", "100000 2 1"),
    # By agent: 40 agents share most demandes, but many have none yet.
    ("demande", "ix_demande_assigned_agent_id", "100000 10000"),
    ("demande", "ix_demande_agent_status", "100000 10000 1300 1"),
    ("demande", "ix_demande_teleservice_version_id", "100000 11000"),
    ("demande", "ix_demande_teleservice_status", "100000 11000 1400 1"),
    ("demande", "ix_demande_structure_status", "100000 20 4"),
    ("demande", "ix_demande_author_status", "100000 17 3"),
    ("structure", "ix_structure_famille", "5000 800"),
    ("structure", "ix_structure_raison_sociale_key", "5000 1"),
    ("structure", "ix_structure_commune", "5000 300"),
]
SMALL = 10_000  # rows: below this, a table is a new portal's


def upgrade():
    with op.batch_alter_table('demande', schema=None) as batch_op:
        batch_op.create_index('ix_demande_montant', ['montant_demande', 'id'], unique=False)
        batch_op.create_index('ix_demande_teleservice_status', ['teleservice_version_id', 'status', 'transmitted_at'], unique=False)
        batch_op.create_index('ix_demande_agent_status', ['assigned_agent_id', 'status', 'transmitted_at'], unique=False)

    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in ("demande", "structure"):
        bind.exec_driver_sql(f"ANALYZE {table}")  # creates sqlite_stat1 if needed
        rows = bind.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
        if rows >= SMALL:
            continue  # real statistics of a portal in use
        bind.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = ?", (table,))
        for tbl, idx, stat in TYPICAL_STATISTICS:
            if tbl == table:
                bind.exec_driver_sql("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", (tbl, idx, stat))
    bind.exec_driver_sql("ANALYZE sqlite_schema")  # this connection reads them again (others do when they open)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql(
            "DELETE FROM sqlite_stat1 WHERE idx IN ('ix_demande_montant', 'ix_demande_teleservice_status', 'ix_demande_agent_status')"
        )
    with op.batch_alter_table('demande', schema=None) as batch_op:
        batch_op.drop_index('ix_demande_agent_status')
        batch_op.drop_index('ix_demande_teleservice_status')
        batch_op.drop_index('ix_demande_montant')
