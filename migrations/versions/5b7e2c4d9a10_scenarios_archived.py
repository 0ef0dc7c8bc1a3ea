"""Scenarios can be archived

Revision ID: 5b7e2c4d9a10
Revises: 3ac3298598d9
Create Date: 2026-11-29 06:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b7e2c4d9a10'
down_revision = '3ac3298598d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        # Existing scenarios are not archived.
        batch_op.add_column(
            sa.Column('archived', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.drop_column('archived')
