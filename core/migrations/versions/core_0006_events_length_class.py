"""events filed by length, so that finding the events still running reads few rows; the
index on starts_at carries visibility and association

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-12-02 01:40:29

``events.length_class`` (see ``core.agenda.events.LENGTH_BOUNDS``) with an index on
(length_class, starts_at). Existing events are filed here; the default, the longest class,
is right for any event, merely slower to find. ``ix_events_starts_at`` becomes
(starts_at, visibility, association_id): the month grid counts a day's events from it alone.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = 'core_0006'
down_revision: str | None = 'core_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As core.agenda.events.LENGTH_BOUNDS when this was written: a migration keeps its own copy.
BOUNDS = (timedelta(hours=2), timedelta(hours=6), timedelta(days=1), timedelta(days=4),
          timedelta(days=31))
LONGEST = len(BOUNDS) - 1
CHUNK = 500


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('length_class', sa.SmallInteger(), nullable=False,
                                      server_default=sa.text(str(LONGEST))))
        batch_op.create_index('ix_events_length_starts', ['length_class', 'starts_at'], unique=False)
        batch_op.drop_index('ix_events_starts_at')
        batch_op.create_index('ix_events_starts_visibility', ['starts_at', 'visibility', 'association_id'],
                              unique=False)

    events = sa.table('events', sa.column('id', sa.Integer()),
                      sa.column('starts_at', sa.DateTime(timezone=True)),
                      sa.column('ends_at', sa.DateTime(timezone=True)),
                      sa.column('length_class', sa.SmallInteger()))
    connection = op.get_bind()
    filed: dict[int, list[int]] = defaultdict(list)
    for event_id, starts_at, ends_at in connection.execute(
            sa.select(events.c.id, events.c.starts_at, events.c.ends_at)):
        length = ends_at - starts_at
        klass = next((k for k, bound in enumerate(BOUNDS) if length <= bound), LONGEST)
        if klass != LONGEST:
            filed[klass].append(event_id)
    for klass, ids in filed.items():
        for offset in range(0, len(ids), CHUNK):
            connection.execute(events.update().where(events.c.id.in_(ids[offset:offset + CHUNK]))
                               .values(length_class=klass))


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_starts_visibility')
        batch_op.create_index('ix_events_starts_at', ['starts_at'], unique=False)
        batch_op.drop_index('ix_events_length_starts')
        batch_op.drop_column('length_class')
