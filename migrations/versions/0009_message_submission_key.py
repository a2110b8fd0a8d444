"""messages: the key of the form each was sent from

Revision ID: 0009_message_submission_key
Revises: 0008_attachment_scan
Create Date: 2026-12-02 14:30:00

The « Nouveau message » form carries a random key; the same form sent twice
(a double click, a resend after a network error) makes one message: the key
is unique per thread. Messages sent before have none (NULL never conflicts).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_message_submission_key'
down_revision = '0008_attachment_scan'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=43), nullable=True))
        batch_op.create_unique_constraint('uq_message_thread_submission', ['thread_id', 'submission_key'])


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_constraint('uq_message_thread_submission', type_='unique')
        batch_op.drop_column('submission_key')
