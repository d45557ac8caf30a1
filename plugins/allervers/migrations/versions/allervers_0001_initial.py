"""outreach actions, tallies, contacts with consent; pathways with referents, stages, barriers and actions

Revision ID: allervers_0001
Revises:
Create Date: 2026-12-02 19:39:56

Pathway actions refer to the core's referrals (core_0007).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'allervers_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ('allervers',)
depends_on: str | Sequence[str] | None = 'core_0007'


def upgrade() -> None:
    _upgrade_outreach()
    _upgrade_pathways()


def downgrade() -> None:
    _downgrade_pathways()
    _downgrade_outreach()


# --- outreach: actions, tallies, contacts (models_outreach.py) ------------------------------

def _upgrade_outreach() -> None:
    op.create_table('allervers_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place_kind', sa.Enum('street', 'market', 'event', 'partner_premises', 'other', name='allervers_place_kind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_allervers_actions_ends_after_start')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_allervers_actions_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_allervers_actions_neighbourhood_id_neighbourhoods'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allervers_actions'))
    )
    with op.batch_alter_table('allervers_actions', schema=None) as batch_op:
        batch_op.create_index('ix_allervers_actions_association_starts', ['association_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_allervers_actions_neighbourhood_id'), ['neighbourhood_id'], unique=False)

    op.create_table('allervers_action_members',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['allervers_actions.id'], name=op.f('fk_allervers_action_members_action_id_allervers_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_allervers_action_members_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'person_id', name=op.f('pk_allervers_action_members'))
    )
    op.create_table('allervers_action_partners',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['allervers_actions.id'], name=op.f('fk_allervers_action_partners_action_id_allervers_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_allervers_action_partners_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'partner_id', name=op.f('pk_allervers_action_partners'))
    )
    op.create_table('allervers_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.Enum('under_16', '16_17', '18_25', '26_29', '30_plus', 'unknown', name='allervers_age_band', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('gender', sa.Enum('woman', 'man', 'not_stated', name='allervers_gender', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('neet', sa.Boolean(), nullable=False),
    sa.Column('no_employment_service', sa.Boolean(), nullable=False),
    sa.Column('isolated_minor', sa.Boolean(), nullable=False),
    sa.Column('isolated_woman', sa.Boolean(), nullable=False),
    sa.Column('request', sa.Enum('job', 'training', 'housing', 'health', 'rights', 'other', 'nothing', name='allervers_request', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['allervers_actions.id'], name=op.f('fk_allervers_tallies_action_id_allervers_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_allervers_tallies_association_id_associations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allervers_tallies'))
    )
    with op.batch_alter_table('allervers_tallies', schema=None) as batch_op:
        batch_op.create_index('ix_allervers_tallies_association_action', ['association_id', 'action_id'], unique=False)

    op.create_table('allervers_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('tally_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('reach', sa.String(length=200), nullable=False),
    sa.Column('age_at_first_contact', sa.Integer(), nullable=True),
    sa.Column('consent_on', sa.Date(), nullable=False),
    sa.Column('consent_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_explained', sa.Text(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('engaged_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("consent_explained <> ''", name=op.f('ck_allervers_contacts_consent_explained')),
    sa.CheckConstraint("name <> ''", name=op.f('ck_allervers_contacts_has_name')),
    sa.ForeignKeyConstraint(['action_id'], ['allervers_actions.id'], name=op.f('fk_allervers_contacts_action_id_allervers_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_allervers_contacts_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consent_by_id'], ['people.id'], name=op.f('fk_allervers_contacts_consent_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_allervers_contacts_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tally_id'], ['allervers_tallies.id'], name=op.f('fk_allervers_contacts_tally_id_allervers_tallies'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allervers_contacts')),
    sa.UniqueConstraint('tally_id', name=op.f('uq_allervers_contacts_tally_id'))
    )
    with op.batch_alter_table('allervers_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_allervers_contacts_association_action', ['association_id', 'action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allervers_contacts_person_id'), ['person_id'], unique=False)


def _downgrade_outreach() -> None:
    with op.batch_alter_table('allervers_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allervers_contacts_person_id'))
        batch_op.drop_index('ix_allervers_contacts_association_action')

    op.drop_table('allervers_contacts')
    with op.batch_alter_table('allervers_tallies', schema=None) as batch_op:
        batch_op.drop_index('ix_allervers_tallies_association_action')

    op.drop_table('allervers_tallies')
    op.drop_table('allervers_action_partners')
    op.drop_table('allervers_action_members')
    with op.batch_alter_table('allervers_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allervers_actions_neighbourhood_id'))
        batch_op.drop_index('ix_allervers_actions_association_starts')

    op.drop_table('allervers_actions')


# --- pathways: referents, stages, barriers, actions (models_pathways.py) --------------------

def _upgrade_pathways() -> None:
    op.create_table('allervers_pathways',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('association_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('referent_id', sa.Integer(), nullable=True),
    sa.Column('first_contact_on', sa.Date(), nullable=False),
    sa.Column('age_at_first_contact', sa.Integer(), nullable=True),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('exit_outcome', sa.Enum('job', 'training', 'job_search', 'other', 'dropped_out', name='allervers_exit_outcome', native_enum=False, create_constraint=True, length=30), nullable=True),
    sa.Column('exit_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(ended_on IS NULL) = (exit_outcome IS NULL)', name=op.f('ck_allervers_pathways_exit_has_outcome')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_allervers_pathways_ends_after_start')),
    sa.ForeignKeyConstraint(['association_id'], ['associations.id'], name=op.f('fk_allervers_pathways_association_id_associations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['allervers_contacts.id'], name=op.f('fk_allervers_pathways_contact_id_allervers_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_allervers_pathways_neighbourhood_id_neighbourhoods'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_allervers_pathways_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referent_id'], ['people.id'], name=op.f('fk_allervers_pathways_referent_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allervers_pathways')),
    sa.UniqueConstraint('contact_id', name=op.f('uq_allervers_pathways_contact_id'))
    )
    with op.batch_alter_table('allervers_pathways', schema=None) as batch_op:
        batch_op.create_index('ix_allervers_pathways_association_started', ['association_id', 'started_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_allervers_pathways_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_allervers_pathways_referent_id'), ['referent_id'], unique=False)
        batch_op.create_index('uq_allervers_pathways_open_person', ['association_id', 'person_id'], unique=True, sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))

    op.create_table('allervers_pathway_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('by_person_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_person_id'], ['people.id'], name=op.f('fk_allervers_pathway_actions_by_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_allervers_pathway_actions_partner_id_partners'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pathway_id'], ['allervers_pathways.id'], name=op.f('fk_allervers_pathway_actions_pathway_id_allervers_pathways'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_allervers_pathway_actions_referral_id_referrals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allervers_pathway_actions')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_allervers_pathway_actions_referral_id'))
    )
    with op.batch_alter_table('allervers_pathway_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allervers_pathway_actions_pathway_id'), ['pathway_id'], unique=False)

    op.create_table('allervers_pathway_barriers',
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('barrier', sa.String(length=30), nullable=False),
    sa.Column('status', sa.Enum('identified', 'being_lifted', 'lifted', name='allervers_barrier_status', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('identified_on', sa.Date(), nullable=False),
    sa.Column('being_lifted_on', sa.Date(), nullable=True),
    sa.Column('lifted_on', sa.Date(), nullable=True),
    sa.CheckConstraint('being_lifted_on IS NULL OR being_lifted_on >= identified_on', name=op.f('ck_allervers_pathway_barriers_being_lifted_after_identified')),
    sa.CheckConstraint('lifted_on IS NULL OR lifted_on >= identified_on', name=op.f('ck_allervers_pathway_barriers_lifted_after_identified')),
    sa.ForeignKeyConstraint(['pathway_id'], ['allervers_pathways.id'], name=op.f('fk_allervers_pathway_barriers_pathway_id_allervers_pathways'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pathway_id', 'barrier', name=op.f('pk_allervers_pathway_barriers'))
    )
    op.create_table('allervers_pathway_referents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('referent_id', sa.Integer(), nullable=True),
    sa.Column('from_on', sa.Date(), nullable=False),
    sa.Column('until_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['pathway_id'], ['allervers_pathways.id'], name=op.f('fk_allervers_pathway_referents_pathway_id_allervers_pathways'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referent_id'], ['people.id'], name=op.f('fk_allervers_pathway_referents_referent_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allervers_pathway_referents'))
    )
    with op.batch_alter_table('allervers_pathway_referents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allervers_pathway_referents_pathway_id'), ['pathway_id'], unique=False)

    op.create_table('allervers_pathway_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_allervers_pathway_stages_ends_after_start')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_allervers_pathway_stages_partner_id_partners'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pathway_id'], ['allervers_pathways.id'], name=op.f('fk_allervers_pathway_stages_pathway_id_allervers_pathways'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allervers_pathway_stages'))
    )
    with op.batch_alter_table('allervers_pathway_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allervers_pathway_stages_pathway_id'), ['pathway_id'], unique=False)


def _downgrade_pathways() -> None:
    with op.batch_alter_table('allervers_pathway_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allervers_pathway_stages_pathway_id'))

    op.drop_table('allervers_pathway_stages')
    with op.batch_alter_table('allervers_pathway_referents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allervers_pathway_referents_pathway_id'))

    op.drop_table('allervers_pathway_referents')
    op.drop_table('allervers_pathway_barriers')
    with op.batch_alter_table('allervers_pathway_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allervers_pathway_actions_pathway_id'))

    op.drop_table('allervers_pathway_actions')
    with op.batch_alter_table('allervers_pathways', schema=None) as batch_op:
        batch_op.drop_index('uq_allervers_pathways_open_person', sqlite_where=sa.text('ended_on IS NULL'), postgresql_where=sa.text('ended_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_allervers_pathways_referent_id'))
        batch_op.drop_index(batch_op.f('ix_allervers_pathways_person_id'))
        batch_op.drop_index('ix_allervers_pathways_association_started')

    op.drop_table('allervers_pathways')
