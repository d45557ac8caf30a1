"""Outreach actions and the contacts made there, in the steps the field takes them: an
anonymous tally (counts, nothing that identifies anyone), then an identified contact
(only with consent recorded), then a core person with a pathway (models_pathways.py).

Every table carries the plugin's name; people, associations, partners and neighbourhoods are
the core's rows, referred to by id."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import Base, TimestampMixin, string_enum


class PlaceKind(StrEnum):
    STREET = "street"
    MARKET = "market"
    EVENT = "event"
    PARTNER_PREMISES = "partner_premises"
    OTHER = "other"


class AgeBand(StrEnum):
    """As seen or said at the meeting: no birth date is asked for a tally."""

    UNDER_16 = "under_16"
    FROM_16_TO_17 = "16_17"
    FROM_18_TO_25 = "18_25"
    FROM_26_TO_29 = "26_29"
    FROM_30 = "30_plus"
    UNKNOWN = "unknown"


class Gender(StrEnum):
    """Only if the person states it."""

    WOMAN = "woman"
    MAN = "man"
    NOT_STATED = "not_stated"


class Request(StrEnum):
    """What the person asked for, if anything."""

    JOB = "job"
    TRAINING = "training"
    HOUSING = "housing"
    HEALTH = "health"
    RIGHTS = "rights"
    OTHER = "other"
    NOTHING = "nothing"


action_partners = Table(
    "allervers_action_partners",
    Base.metadata,
    Column("action_id", ForeignKey("allervers_actions.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
)

action_members = Table(
    "allervers_action_members",
    Base.metadata,
    Column("action_id", ForeignKey("allervers_actions.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
)


class OutreachAction(TimestampMixin, Base):
    """An outing of the team: a street round, a market, an event, a partner's premises."""

    __tablename__ = "allervers_actions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_allervers_actions_association_starts", "association_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place_kind: Mapped[PlaceKind] = mapped_column(string_enum(PlaceKind, "allervers_place_kind"))
    place: Mapped[str] = mapped_column(String(200))
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")

    tallies: Mapped[list[Tally]] = relationship(
        back_populates="action", cascade="all, delete-orphan", passive_deletes=True)


class Tally(Base):
    """One person met, counted: not personal data (no name, no date of birth, no contact),
    so it stays when anyone's data is erased."""

    __tablename__ = "allervers_tallies"
    __table_args__ = (Index("ix_allervers_tallies_association_action", "association_id", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("allervers_actions.id", ondelete="CASCADE"))
    age_band: Mapped[AgeBand] = mapped_column(string_enum(AgeBand, "allervers_age_band"))
    gender: Mapped[Gender] = mapped_column(string_enum(Gender, "allervers_gender"))
    # Situations of the REAJI public, as far as the conversation told.
    neet: Mapped[bool] = mapped_column(Boolean, default=False)
    no_employment_service: Mapped[bool] = mapped_column(Boolean, default=False)
    isolated_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    isolated_woman: Mapped[bool] = mapped_column(Boolean, default=False)
    request: Mapped[Request] = mapped_column(string_enum(Request, "allervers_request"))
    recorded_at: Mapped[datetime]

    action: Mapped[OutreachAction] = relationship(back_populates="tallies")


class Contact(TimestampMixin, Base):
    """A person who agreed to be known by a first name or nickname and a way to reach them.
    The row exists only with its consent: the columns are required and checked."""

    __tablename__ = "allervers_contacts"
    __table_args__ = (
        CheckConstraint("consent_explained <> ''", name="consent_explained"),
        CheckConstraint("name <> ''", name="has_name"),
        Index("ix_allervers_contacts_association_action", "association_id", "action_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("allervers_actions.id", ondelete="CASCADE"))
    # The tally this person was first counted in, so the funnel does not count them twice.
    tally_id: Mapped[int | None] = mapped_column(
        ForeignKey("allervers_tallies.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(String(80))  # first name or nickname
    reach: Mapped[str] = mapped_column(String(200))  # a phone, an address, "Instagram @…"
    # Age told at the first contact (the REAJI public is 16–29): no date of birth.
    age_at_first_contact: Mapped[int | None]
    consent_on: Mapped[date]
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    consent_explained: Mapped[str] = mapped_column(Text)
    # Set when the contact becomes a core person with a pathway (engaged).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    engaged_on: Mapped[date | None]

    action: Mapped[OutreachAction] = relationship()
