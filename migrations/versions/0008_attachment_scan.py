"""attachments: antivirus status, the name as sent

Revision ID: 0008_attachment_scan
Revises: 0007_list_indexes
Create Date: 2026-12-02 09:30:00

Every upload is now scanned by ClamAV (``app/integrations/antivirus.py``)
before it is stored. ``scan_status`` says what the scan said: ``clean``,
``pending`` (the scanner did not answer: the file is held, not served, until
``flask files rescan``), ``infected`` (a rescan found a virus: the bytes are
deleted, the row kept), ``not_scanned`` (stored with the antivirus off).
Files stored before this migration were never scanned: they get
``not_scanned`` (served as before; ``flask files rescan --not-scanned``
scans them once clamd is installed). ``scanned_at``: when the last verdict
came. ``name_as_sent``: the file name the browser sent, kept as data only
(``original_name`` is the safe name shown and used on download).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_attachment_scan'
down_revision = '0007_list_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_as_sent', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('scan_status', sa.String(length=16), server_default='not_scanned', nullable=False))
        batch_op.add_column(sa.Column('scanned_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachment_scan_status'), ['scan_status'], unique=False)


def downgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_scan_status'))
        batch_op.drop_column('scanned_at')
        batch_op.drop_column('scan_status')
        batch_op.drop_column('name_as_sent')
