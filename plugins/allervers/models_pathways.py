"""Pathways with a single referent: stages owned by partners, barriers being lifted, actions
(some of them referrals, through the core's referral engine), and the exit.

People, partners and referrals are the core's rows, referred to by id."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import Base, TimestampMixin, string_enum


class ExitOutcome(StrEnum):
    JOB = "job"
    TRAINING = "training"
    JOB_SEARCH = "job_search"  # handed over to the common-law services
    OTHER = "other"
    DROPPED_OUT = "dropped_out"


class BarrierStatus(StrEnum):
    IDENTIFIED = "identified"
    BEING_LIFTED = "being_lifted"
    LIFTED = "lifted"


class AllerversPathway(TimestampMixin, Base):
    """A person's pathway in the association (``Pathway`` below: the name the plugin uses).

    The class bears the plugin's name because SQLAlchemy's registry is shared by every
    plugin: Premières Heures has a ``Pathway`` too, and its relationships name it by string."""

    __tablename__ = "allervers_pathways"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        CheckConstraint("(ended_on IS NULL) = (exit_outcome IS NULL)", name="exit_has_outcome"),
        Index("ix_allervers_pathways_association_started", "association_id", "started_on"),
        # One open pathway per person in an association, even when two requests race.
        Index("uq_allervers_pathways_open_person", "association_id", "person_id", unique=True,
              sqlite_where=text("ended_on IS NULL"), postgresql_where=text("ended_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The contact it grew from, if it started from an outreach action.
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("allervers_contacts.id", ondelete="SET NULL"), unique=True)
    # The single referent today; earlier ones are in allervers_pathway_referents.
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    first_contact_on: Mapped[date]
    age_at_first_contact: Mapped[int | None]
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id", ondelete="SET NULL"))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    exit_outcome: Mapped[ExitOutcome | None] = mapped_column(
        string_enum(ExitOutcome, "allervers_exit_outcome"))
    exit_note: Mapped[str] = mapped_column(Text, default="")

    referents: Mapped[list[PathwayReferent]] = relationship(
        cascade="all, delete-orphan", order_by="PathwayReferent.id", passive_deletes=True)
    stages: Mapped[list[PathwayStage]] = relationship(
        cascade="all, delete-orphan", order_by="(PathwayStage.started_on, PathwayStage.id)",
        passive_deletes=True)
    barriers: Mapped[list[PathwayBarrier]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)
    actions: Mapped[list[PathwayAction]] = relationship(
        cascade="all, delete-orphan", order_by="(PathwayAction.done_on, PathwayAction.id)",
        passive_deletes=True)


Pathway = AllerversPathway


class PathwayReferent(Base):
    """Who was the referent, from when to when: changing referent keeps the history."""

    __tablename__ = "allervers_pathway_referents"

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("allervers_pathways.id", ondelete="CASCADE"), index=True)
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    from_on: Mapped[date]
    until_on: Mapped[date | None]


class PathwayStage(Base):
    """A stage of the pathway (names from the ``stages`` setting), owned by a partner."""

    __tablename__ = "allervers_pathway_stages"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("allervers_pathways.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]


class PathwayBarrier(Base):
    """A barrier from the core's list, with where it stands and the day it got to each
    status: the dates are the barrier's history, for the pathway's timeline (a barrier set
    back to an earlier status loses the later dates)."""

    __tablename__ = "allervers_pathway_barriers"
    __table_args__ = (
        CheckConstraint("being_lifted_on IS NULL OR being_lifted_on >= identified_on",
                        name="being_lifted_after_identified"),
        CheckConstraint("lifted_on IS NULL OR lifted_on >= identified_on", name="lifted_after_identified"),
    )

    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("allervers_pathways.id", ondelete="CASCADE"), primary_key=True)
    barrier: Mapped[str] = mapped_column(String(30), primary_key=True)  # core Barrier value
    status: Mapped[BarrierStatus] = mapped_column(string_enum(BarrierStatus, "allervers_barrier_status"))
    identified_on: Mapped[date]
    being_lifted_on: Mapped[date | None]
    lifted_on: Mapped[date | None]


class PathwayAction(Base):
    """Something done in the pathway; a referral to a partner's service when ``referral_id``
    is set (the core's engine holds its status)."""

    __tablename__ = "allervers_pathway_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("allervers_pathways.id", ondelete="CASCADE"), index=True)
    done_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="SET NULL"), unique=True)
    by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
