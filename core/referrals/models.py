"""Referrals (orientations) of a person to a partner's service, and their dated history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, TimestampMixin, string_enum, utcnow
from core.members import Association, Person
from core.partners.models import Partner, PartnerService
from core.partners.vocabulary import Barrier
from core.referrals.vocabulary import ReferralStatus


class Referral(TimestampMixin, Base):
    """One referral. The partner answers through a link whose digest only is kept here
    (single-use, expiring with the referral, revoked on withdrawal or when a new link is
    sent); the referent acts from the intranet."""

    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint("status <> 'refused' OR refusal_reason <> ''", name="refusal_has_reason"),
        Index("ix_referrals_association_status", "association_id", "status", "sent_at"),
        Index("ix_referrals_partner_sent", "partner_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    # Erasing the person erases their referrals (core/referrals/personal_data.py).
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_services.id", ondelete="SET NULL"))
    # The single referent who sent it and is told of the answer.
    referent_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # Where the answer link was sent: the partner's address, or one of its contacts'.
    recipient_email: Mapped[str] = mapped_column(String(254))
    status: Mapped[ReferralStatus] = mapped_column(
        string_enum(ReferralStatus, "referral_status"), default=ReferralStatus.SENT)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    appointment_on: Mapped[date | None]
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # The plugin that created it (told of every change through ``referral_changed``).
    plugin: Mapped[str | None] = mapped_column(String(64))
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]

    association: Mapped[Association] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    referent: Mapped[Person | None] = relationship(foreign_keys=[referent_id])
    partner: Mapped[Partner] = relationship()
    service: Mapped[PartnerService | None] = relationship()
    barrier_links: Mapped[list[ReferralBarrier]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")
    events: Mapped[list[ReferralEvent]] = relationship(
        cascade="all, delete-orphan", order_by="ReferralEvent.id", back_populates="referral")

    @property
    def barriers(self) -> list[Barrier]:
        return sorted((link.barrier for link in self.barrier_links), key=list(Barrier).index)

    @barriers.setter
    def barriers(self, values: list[Barrier]) -> None:
        self.barrier_links = [ReferralBarrier(barrier=b) for b in dict.fromkeys(values)]


class ReferralBarrier(Base):
    """The barriers (freins) the referral is meant to help lift."""

    __tablename__ = "referral_barriers"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True)
    barrier: Mapped[Barrier] = mapped_column(string_enum(Barrier, "barrier"), primary_key=True)


class ReferralEvent(Base):
    """A dated transition: the history shown on the referral and the answer-time figures."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    status: Mapped[ReferralStatus] = mapped_column(string_enum(ReferralStatus, "referral_status"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # None when the partner answered through the link, or the command expired it.
    by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    referral: Mapped[Referral] = relationship(back_populates="events")
