"""Occupancy agreements (conventions d'occupation temporaire et précaire), the warnings sent
before they end or their insurance expires, and the occupants' commitments with their
yearly follow-up. Each hangs on an allocation: removing the allocation removes them (their
files first, see ``agreements.delete_files_of``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, StoredFile, TimestampMixin, stored_file_column, string_enum, utcnow

AMOUNT = Numeric(12, 2)


class WarningKind(StrEnum):
    ENDING = "ending"
    INSURANCE = "insurance"


class CommitmentKind(StrEnum):
    PUBLIC_OPENING = "public_opening"
    NEIGHBOURHOOD = "neighbourhood"  # activities with the neighbourhood
    LOCAL_HIRES = "local_hires"
    OTHER = "other"


def _association() -> Mapped[int]:
    return mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)


class Agreement(TimestampMixin, Base):
    """The agreement of one allocation: temporary, precarious and revocable, not a commercial
    lease. Its amounts are per month; its dates are the allocation's unless it says
    otherwise (an agreement may be signed for part of the period, then renewed)."""

    __tablename__ = "sites_agreements"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("fee >= 0 AND charges >= 0 AND deposit >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    allocation_id: Mapped[int] = mapped_column(ForeignKey("sites_allocations.id", ondelete="CASCADE"),
                                               unique=True)
    fee: Mapped[Decimal] = mapped_column(AMOUNT)  # redevance mensuelle
    charges: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    deposit: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))  # dépôt de garantie
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    insurer: Mapped[str] = mapped_column(String(150), default="")
    insurance_expires_on: Mapped[date | None]
    insurance: Mapped[StoredFile | None] = stored_file_column("insurance", nullable=True)
    signed_on: Mapped[date | None]
    signed: Mapped[StoredFile | None] = stored_file_column("signed", nullable=True)
    terms: Mapped[str] = mapped_column(Text, default="")  # clauses particulières


class WarningSent(Base):
    """A warning sent, for one date: the same end or expiry is never warned twice, and a new
    date (an agreement renewed, a new certificate) is warned again."""

    __tablename__ = "sites_warnings_sent"
    __table_args__ = (UniqueConstraint("agreement_id", "kind", "about", name="uq_sites_warnings_sent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("sites_agreements.id", ondelete="CASCADE"),
                                              index=True)
    kind: Mapped[WarningKind] = mapped_column(string_enum(WarningKind, "sites_warning_kind"))
    about: Mapped[date]  # the end date or the expiry warned of
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class Commitment(TimestampMixin, Base):
    """What an occupant undertakes for the neighbourhood, with a yearly target (« 4 »
    « demi-journées portes ouvertes », « 2 » « embauches locales »)."""

    __tablename__ = "sites_commitments"
    __table_args__ = (CheckConstraint("target >= 0", name="target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    allocation_id: Mapped[int] = mapped_column(ForeignKey("sites_allocations.id", ondelete="CASCADE"),
                                               index=True)
    kind: Mapped[CommitmentKind] = mapped_column(string_enum(CommitmentKind, "sites_commitment_kind"))
    description: Mapped[str] = mapped_column(String(250))
    target: Mapped[int]  # per year
    unit: Mapped[str] = mapped_column(String(60), default="")


class FollowUp(Base):
    """A commitment's year: what was achieved against the target."""

    __tablename__ = "sites_follow_ups"
    __table_args__ = (
        UniqueConstraint("commitment_id", "year", name="uq_sites_follow_ups_year"),
        CheckConstraint("achieved >= 0", name="achieved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    commitment_id: Mapped[int] = mapped_column(ForeignKey("sites_commitments.id", ondelete="CASCADE"),
                                               index=True)
    year: Mapped[int]
    achieved: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
