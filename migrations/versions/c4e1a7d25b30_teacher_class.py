"""Teachers: the class an account teaches now

Revision ID: c4e1a7d25b30
Revises: 875691ea90e7
Create Date: 2026-11-29 10:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a7d25b30'
down_revision = '875691ea90e7'
branch_labels = None
depends_on = None


def upgrade():
    # The role itself is a string column already; existing accounts teach no class.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('class_label', sa.String(length=80), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('class_label')
