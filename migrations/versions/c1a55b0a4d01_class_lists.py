"""Class lists: saved placements of a roster revision in a plan's revision

Revision ID: c1a55b0a4d01
Revises: c4e1a7d25b30
Create Date: 2026-11-29 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1a55b0a4d01'
down_revision = 'c4e1a7d25b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('class_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('roster_revision_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('assignment', sa.JSON(), nullable=False),
    sa.Column('fixed', sa.JSON(), nullable=False),
    sa.Column('moves', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_class_lists_author_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_class_lists_revision_id_revisions')),
    sa.ForeignKeyConstraint(['roster_id'], ['rosters.id'], name=op.f('fk_class_lists_roster_id_rosters')),
    sa.ForeignKeyConstraint(['roster_revision_id'], ['roster_revisions.id'], name=op.f('fk_class_lists_roster_revision_id_roster_revisions')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_class_lists_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_lists')),
    sa.UniqueConstraint('roster_id', 'number', name=op.f('uq_class_lists_roster_id_number'))
    )
    with op.batch_alter_table('class_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_lists_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_lists_revision_id'), ['revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_lists_roster_id'), ['roster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_lists_roster_revision_id'), ['roster_revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_lists_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('class_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_lists_school_id'))
        batch_op.drop_index(batch_op.f('ix_class_lists_roster_revision_id'))
        batch_op.drop_index(batch_op.f('ix_class_lists_roster_id'))
        batch_op.drop_index(batch_op.f('ix_class_lists_revision_id'))
        batch_op.drop_index(batch_op.f('ix_class_lists_author_id'))
    op.drop_table('class_lists')
