"""login sessions kept on the server; failed logins from known devices counted apart

Revision ID: core_0005
Revises: core_0004
Create Date: 2026-12-01 22:40:00

``accounts.session_token`` goes: a session is now a row of ``account_sessions``, and
ending it (logout, "log out everywhere", a new password) deletes that row. Everyone is
logged out once by this upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'core_0005'
down_revision: str | None = 'core_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('account_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_sessions_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_sessions')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_account_sessions_token_digest'))
    )
    with op.batch_alter_table('account_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_sessions_account_id'), ['account_id'], unique=False)

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('known_device', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('session_token')


def downgrade() -> None:
    # An empty token matches no cookie: everyone logs in again, as after the upgrade.
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=False,
                                      server_default=''))

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_column('known_device')

    with op.batch_alter_table('account_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_sessions_account_id'))

    op.drop_table('account_sessions')
