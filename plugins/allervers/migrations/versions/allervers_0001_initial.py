"""outreach actions, tallies, contacts with consent; pathways with referents, stages, barriers and actions

Revision ID: allervers_0001
Revises:
Create Date: 2026-12-02 19:39:56

Pathway actions refer to the core's referrals (core_0007).
"""

from collections.abc import Sequence

revision: str = 'allervers_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ('allervers',)
depends_on: str | Sequence[str] | None = 'core_0007'


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
