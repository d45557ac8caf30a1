"""What the plugin stores. Every table carries the plugin's name; people, associations,
partners and neighbourhoods are the core's rows, referred to by id (plugins never see core
models). Dated histories are rows of their own, never overwritten: a status, a decision or
a working time is changed by adding what it became and when."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import Base, TimestampMixin, UTCDateTime, string_enum, utcnow


class Stage(StrEnum):
    EMERGING = "emerging"
    CANDIDACY = "candidacy"
    AUTHORISED = "authorised"
    ENDED = "ended"


class PpdeStatus(StrEnum):
    IDENTIFIED = "identified"
    MET = "met"
    WAITING = "waiting"  # a volunteer on the waiting list
    HIRED = "hired"
    EXITED = "exited"


class ExitReason(StrEnum):
    JOB_ELSEWHERE = "job_elsewhere"
    TRAINING = "training"
    MOVED_AWAY = "moved_away"
    WITHDREW = "withdrew"
    OTHER = "other"


class DecisionSubject(StrEnum):
    ACTIVITY = "activity"
    PERSON_RULE = "person_rule"
    BUDGET = "budget"
    OTHER = "other"


class Outcome(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"
    POSTPONED = "postponed"


class Proposer(StrEnum):
    RESIDENT = "resident"
    PPDE = "ppde"
    PARTNER = "partner"
    LOCAL_AUTHORITY = "local_authority"


class ActivityStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REFUSED = "refused"
    POSTPONED = "postponed"
    RUNNING = "running"
    ENDED = "ended"


def _association() -> Mapped[int]:
    return mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)


class Territory(TimestampMixin, Base):
    """The territory an association's team runs (one per association)."""

    __tablename__ = "tzcld_territories"
    __table_args__ = (UniqueConstraint("association_id", name="uq_tzcld_territories_association"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    name: Mapped[str] = mapped_column(String(120))
    stage: Mapped[Stage] = mapped_column(string_enum(Stage, "tzcld_stage"), default=Stage.EMERGING)
    authorised_on: Mapped[date | None]
    ended_on: Mapped[date | None]

    neighbourhoods: Mapped[list[TerritoryNeighbourhood]] = relationship(cascade="all, delete-orphan")
    ebes: Mapped[list[TerritoryEbe]] = relationship(cascade="all, delete-orphan")


class TerritoryNeighbourhood(Base):
    __tablename__ = "tzcld_territory_neighbourhoods"

    territory_id: Mapped[int] = mapped_column(
        ForeignKey("tzcld_territories.id", ondelete="CASCADE"), primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="CASCADE"), primary_key=True)


class TerritoryEbe(Base):
    """An entreprise à but d'emploi of the territory: a partner of kind EBE."""

    __tablename__ = "tzcld_territory_ebes"

    territory_id: Mapped[int] = mapped_column(
        ForeignKey("tzcld_territories.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"),
                                            primary_key=True)


class CleMember(Base):
    """A member of the local employment committee: someone of the collective (who may then
    be given read access to decisions and figures), or a partner's contact by name."""

    __tablename__ = "tzcld_cle_members"
    __table_args__ = (
        CheckConstraint("person_id IS NOT NULL OR name != ''", name="someone"),
        UniqueConstraint("association_id", "person_id", name="uq_tzcld_cle_members_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120), default="")
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    organisation: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(120), default="")
    reads_decisions: Mapped[bool] = mapped_column(default=False)


class Meeting(TimestampMixin, Base):
    """A meeting of the CLE; it shows in the shared agenda for the territory's team."""

    __tablename__ = "tzcld_meetings"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")

    attendees: Mapped[list[MeetingAttendee]] = relationship(cascade="all, delete-orphan")


class MeetingAttendee(Base):
    __tablename__ = "tzcld_meeting_attendees"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("tzcld_meetings.id", ondelete="CASCADE"),
                                            primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("tzcld_cle_members.id", ondelete="CASCADE"),
                                           primary_key=True)


class Decision(Base):
    """A decision of the CLE. Its current wording; every earlier one is a DecisionVersion."""

    __tablename__ = "tzcld_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    meeting_id: Mapped[int] = mapped_column(ForeignKey("tzcld_meetings.id", ondelete="CASCADE"),
                                            index=True)
    subject: Mapped[DecisionSubject] = mapped_column(string_enum(DecisionSubject, "tzcld_subject"))
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("tzcld_activities.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[Outcome] = mapped_column(string_enum(Outcome, "tzcld_outcome"))
    reasons: Mapped[str] = mapped_column(Text, default="")

    versions: Mapped[list[DecisionVersion]] = relationship(
        cascade="all, delete-orphan", order_by="DecisionVersion.id")


class DecisionVersion(Base):
    """What a decision said before a change, when it was changed and by whom."""

    __tablename__ = "tzcld_decision_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("tzcld_decisions.id", ondelete="CASCADE"),
                                             index=True)
    title: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[Outcome] = mapped_column(string_enum(Outcome, "tzcld_outcome"))
    reasons: Mapped[str] = mapped_column(Text, default="")
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Ppde(TimestampMixin, Base):
    """A person durably deprived of employment on the register, with the dated facts their
    eligibility rests on. The status is the last transition's, kept here to filter by."""

    __tablename__ = "tzcld_ppde"
    __table_args__ = (
        UniqueConstraint("association_id", "person_id", name="uq_tzcld_ppde_person"),
        Index("ix_tzcld_ppde_waiting", "association_id", "status", "waiting_since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    without_work_since: Mapped[date | None]
    resident_since: Mapped[date | None]
    consent_on: Mapped[date | None]  # volunteer: the day they said so
    status: Mapped[PpdeStatus] = mapped_column(string_enum(PpdeStatus, "tzcld_ppde_status"),
                                               default=PpdeStatus.IDENTIFIED)
    # Entry into the waiting list, for as long as they wait: what exhaustiveness watches.
    waiting_since: Mapped[date | None]

    transitions: Mapped[list[Transition]] = relationship(
        cascade="all, delete-orphan", order_by="(Transition.on, Transition.id)")


class Transition(Base):
    """A step of the pipeline: to which status, on which day, who recorded it."""

    __tablename__ = "tzcld_transitions"
    __table_args__ = (
        CheckConstraint("weekly_hours IS NULL OR (weekly_hours > 0 AND weekly_hours <= 35)",
                        name="hours_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ppde_id: Mapped[int] = mapped_column(ForeignKey("tzcld_ppde.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int] = _association()
    status: Mapped[PpdeStatus] = mapped_column(string_enum(PpdeStatus, "tzcld_ppde_status"))
    on: Mapped[date] = mapped_column(index=True)
    exit_reason: Mapped[ExitReason | None] = mapped_column(string_enum(ExitReason, "tzcld_exit_reason"))
    weekly_hours: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))  # chosen, on hiring
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Activity(TimestampMixin, Base):
    """A useful-work activity: the unmet need, who proposed it, the CLE's decision, its run."""

    __tablename__ = "tzcld_activities"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR started_on IS NOT NULL", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    title: Mapped[str] = mapped_column(String(200))
    need: Mapped[str] = mapped_column(Text)
    proposer: Mapped[Proposer] = mapped_column(string_enum(Proposer, "tzcld_proposer"))
    proposer_name: Mapped[str] = mapped_column(String(120), default="")
    proposed_on: Mapped[date]
    status: Mapped[ActivityStatus] = mapped_column(string_enum(ActivityStatus, "tzcld_activity_status"),
                                                   default=ActivityStatus.PROPOSED)
    started_on: Mapped[date | None]
    jobs: Mapped[int] = mapped_column(default=0)  # jobs the activity carries
    ended_on: Mapped[date | None]

    consultations: Mapped[list[Consultation]] = relationship(
        cascade="all, delete-orphan", order_by="Consultation.consulted_on")


class Consultation(Base):
    """The non-competition review: a local business or network consulted, and its answer."""

    __tablename__ = "tzcld_consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("tzcld_activities.id", ondelete="CASCADE"),
                                             index=True)
    consulted: Mapped[str] = mapped_column(String(200))
    consulted_on: Mapped[date]
    answer: Mapped[str] = mapped_column(Text, default="")
    competition: Mapped[bool] = mapped_column(default=False)  # a possible competition noted


class Employment(TimestampMixin, Base):
    """A contract with the EBE. PPDE hires count for the CDE; supervisors and support staff
    do not, and their share is capped."""

    __tablename__ = "tzcld_employments"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    # Emptied when the person's data is erased: the contract's dates and hours stay, so that
    # the months' ETP and the CDE already declared do not change.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"),
                                                  index=True)
    ppde: Mapped[bool]
    job: Mapped[str] = mapped_column(String(120), default="")
    started_on: Mapped[date]
    ended_on: Mapped[date | None]  # the last day worked
    end_reason: Mapped[str] = mapped_column(String(200), default="")

    hours: Mapped[list[WorkingTime]] = relationship(
        cascade="all, delete-orphan", order_by="WorkingTime.effective_on")


class WorkingTime(Base):
    """From ``effective_on`` on, the contract is for ``weekly_hours`` a week."""

    __tablename__ = "tzcld_working_times"
    __table_args__ = (
        UniqueConstraint("employment_id", "effective_on", name="uq_tzcld_working_times_day"),
        CheckConstraint("weekly_hours > 0 AND weekly_hours <= 48", name="hours_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employment_id: Mapped[int] = mapped_column(
        ForeignKey("tzcld_employments.id", ondelete="CASCADE"), index=True)
    effective_on: Mapped[date]
    weekly_hours: Mapped[Decimal] = mapped_column(Numeric(4, 2))


class CdeRates(Base):
    """The year's figures of the contribution au développement de l'emploi, as set by law
    and by the département: kept per year, so that past months are computed with their own."""

    __tablename__ = "tzcld_cde_rates"
    __table_args__ = (UniqueConstraint("association_id", "year", name="uq_tzcld_cde_rates_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    year: Mapped[int]
    hourly_minimum_wage: Mapped[Decimal] = mapped_column(Numeric(8, 4))  # gross SMIC an hour
    state_rate: Mapped[Decimal] = mapped_column(Numeric(6, 3))  # % of the SMIC
    departement_share: Mapped[Decimal] = mapped_column(Numeric(6, 3))  # % of the State's part
    hours_per_year: Mapped[int] = mapped_column(default=1820)
