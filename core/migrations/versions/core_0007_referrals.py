"""referrals to partners' services, their barriers and dated history

Revision ID: core_0007
Revises: core_0006
Create Date: 2026-12-02 19:37:56

``referrals``: a person of an association sent to a partner (and one of its services), with
the partner's answer link kept as a digest; ``referral_barriers``: the barriers it addresses;
``referral_events``: each dated transition, for the history and the answer-time figures.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'core_0007'
down_revision: str | None = 'core_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('referent_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recipient_email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.Enum('sent', 'accepted', 'done', 'refused', 'expired', 'withdrawn', name='referral_status', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('appointment_on', sa.Date(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('plugin', sa.String(length=64), nullable=True),
    sa.Column('token_digest', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'refused' OR refusal_reason <> ''", name=op.f('ck_referrals_refusal_has_reason')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_referrals_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_referrals_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_referrals_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referent_id'], ['people.id'], name=op.f('fk_referrals_referent_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['partner_services.id'], name=op.f('fk_referrals_service_id_partner_services'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_referrals_token_digest'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_association_status', ['association_id', 'status', 'sent_at'], unique=False)
        batch_op.create_index('ix_referrals_partner_sent', ['partner_id', 'sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_referent_id'), ['referent_id'], unique=False)

    op.create_table('referral_barriers',
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('barrier', sa.Enum('housing', 'mobility', 'health', 'childcare', 'french_language', 'digital', 'administrative', 'money', 'training', name='barrier', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_barriers_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('referral_id', 'barrier', name=op.f('pk_referral_barriers'))
    )
    op.create_table('referral_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('sent', 'accepted', 'done', 'refused', 'expired', 'withdrawn', name='referral_status', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_person_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_person_id'], ['people.id'], name=op.f('fk_referral_events_by_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_events_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_events'))
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_events_referral_id'), ['referral_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_events_referral_id'))

    op.drop_table('referral_events')
    op.drop_table('referral_barriers')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_referent_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_person_id'))
        batch_op.drop_index('ix_referrals_partner_sent')
        batch_op.drop_index('ix_referrals_association_status')

    op.drop_table('referrals')
