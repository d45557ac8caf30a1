"""What the plugin stores. Every table carries the plugin's name; people, associations and
partners are the core's rows, referred to by id (plugins never see core models)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import Base, TimestampMixin, string_enum


class PathwayStatus(StrEnum):
    DISCOVERY = "discovery"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class ExitOutcome(StrEnum):
    INSERTION_CONTRACT = "insertion_contract"
    TRAINING = "training"
    JOB = "job"
    OTHER = "other"
    INTERRUPTION = "interruption"


class Decision(StrEnum):
    RAISE = "raise"
    KEEP = "keep"
    LOWER = "lower"
    PAUSE = "pause"
    END = "end"


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class SupportDomain(StrEnum):
    HOUSING = "housing"
    RIGHTS = "rights"
    HEALTH = "health"
    MOBILITY = "mobility"
    CHILDCARE = "childcare"
    LANGUAGE = "language"
    DIGITAL = "digital"
    MONEY = "money"
    OTHER = "other"


class SupportStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Pathway(TimestampMixin, Base):
    """One person's first-hours pathway in an association."""

    __tablename__ = "premieres_heures_pathways"
    __table_args__ = (
        UniqueConstraint("association_id", "person_id", name="uq_premieres_heures_pathways_person"),
        CheckConstraint("planned_end > start_date", name="planned_end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"),
                                                index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The referring worker (orienteur) is usually not in Maillage: a name and how to reach
    # them, and the partner they work for.
    orienteur_name: Mapped[str] = mapped_column(String(120))
    orienteur_contact: Mapped[str] = mapped_column(String(200), default="")
    orienteur_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"))
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    host_partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    start_date: Mapped[date]
    planned_end: Mapped[date]
    status: Mapped[PathwayStatus] = mapped_column(string_enum(PathwayStatus, "ph_pathway_status"),
                                                  default=PathwayStatus.DISCOVERY)
    exit_date: Mapped[date | None]
    exit_outcome: Mapped[ExitOutcome | None] = mapped_column(string_enum(ExitOutcome, "ph_exit_outcome"))
    exit_note: Mapped[str] = mapped_column(Text, default="")

    stages: Mapped[list[HoursStage]] = relationship(
        back_populates="pathway", cascade="all, delete-orphan",
        order_by="HoursStage.effective_date")


class HoursStage(Base):
    """From ``effective_date`` on, the person works up to ``weekly_hours`` a week."""

    __tablename__ = "premieres_heures_stages"
    __table_args__ = (
        UniqueConstraint("pathway_id", "effective_date", name="uq_premieres_heures_stages_date"),
        CheckConstraint("weekly_hours > 0 AND weekly_hours <= 35", name="hours_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("premieres_heures_pathways.id", ondelete="CASCADE"))
    effective_date: Mapped[date]
    weekly_hours: Mapped[int]
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("premieres_heures_reviews.id", ondelete="SET NULL"))

    # Module-qualified: another plugin (allervers) has a Pathway model too.
    pathway: Mapped[Pathway] = relationship("plugins.premieres_heures.models.Pathway",
                                            back_populates="stages")


class WorkSession(Base):
    """A session of paid work at the host structure, and whether the person came."""

    __tablename__ = "premieres_heures_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_premieres_heures_sessions_person_time", "person_id", "starts_at"),
        Index("ix_premieres_heures_sessions_host_time", "host_partner_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("premieres_heures_pathways.id", ondelete="CASCADE"), index=True)
    # Copied from the pathway: the overlap guard and the week views work per person and
    # per host structure without a join.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"),
                                                index=True)
    host_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    supervisor: Mapped[str] = mapped_column(String(120), default="")
    task: Mapped[str] = mapped_column(String(200), default="")
    attendance: Mapped[Attendance | None] = mapped_column(string_enum(Attendance, "ph_attendance"))

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class Review(Base):
    """A bilan with the orienteur: what was seen, and what is decided for the hours."""

    __tablename__ = "premieres_heures_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("premieres_heures_pathways.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    participants: Mapped[str] = mapped_column(String(300))
    observations: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[Decision] = mapped_column(string_enum(Decision, "ph_decision"))
    new_weekly_hours: Mapped[int | None]
    next_review_on: Mapped[date | None] = mapped_column(index=True)


class Waiver(Base):
    """The administrative waiver a contract under 20 h a week needs (12 months at most)."""

    __tablename__ = "premieres_heures_waivers"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("premieres_heures_pathways.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date] = mapped_column(index=True)
    # A renewal is decided at a review.
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("premieres_heures_reviews.id", ondelete="SET NULL"))


class SupportAction(Base):
    """Social support alongside the work: housing, rights, health, mobility…"""

    __tablename__ = "premieres_heures_support_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(
        ForeignKey("premieres_heures_pathways.id", ondelete="CASCADE"), index=True)
    domain: Mapped[SupportDomain] = mapped_column(string_enum(SupportDomain, "ph_support_domain"))
    description: Mapped[str] = mapped_column(String(300))
    status: Mapped[SupportStatus] = mapped_column(string_enum(SupportStatus, "ph_support_status"),
                                                  default=SupportStatus.PLANNED)
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
