"""What the plugin stores. Every table carries the plugin's name; associations, partners,
neighbourhoods and people are the core's rows, referred to by id (plugins never see core
models).

Amounts are Decimals (euros, two places), areas too (m², two places): the income of a site
is a sum of products that must come out to the cent. Calls for applications and their
reviews are in ``models_calls``, agreements and commitments in ``models_agreements``, shared
rooms' reservations in ``models_rooms``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, StoredFile, TimestampMixin, stored_file_column, string_enum, utcnow
from plugins.sites.models_calls import Field

AMOUNT = Numeric(12, 2)
AREA = Numeric(10, 2)


class LotKind(StrEnum):
    OFFICE = "office"
    WORKSHOP = "workshop"
    STORAGE = "storage"
    OUTDOOR = "outdoor"
    SHARED_ROOM = "shared_room"


class DocumentKind(StrEnum):
    PHOTO = "photo"
    PLAN = "plan"
    OTHER = "other"


def _association() -> Mapped[int]:
    return mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)


class Owner(TimestampMixin, Base):
    """Who lends sites: a partner of the collective's directory (a city, a social landlord),
    or, for an owner the directory does not know, a name and a contact."""

    __tablename__ = "sites_owners"
    __table_args__ = (CheckConstraint("partner_id IS NOT NULL OR name != ''", name="named"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    # SET NULL: a partner removed from the directory leaves the owner with its own name.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(150), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")  # an office, not a person's file


class Site(TimestampMixin, Base):
    """A site lent for a period, its availability window: every allocation lies inside it."""

    __tablename__ = "sites_sites"
    __table_args__ = (
        CheckConstraint("available_until > available_from", name="window"),
        CheckConstraint("total_area > 0", name="area"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("sites_owners.id", ondelete="SET NULL"),
                                                 index=True)
    name: Mapped[str] = mapped_column(String(150))
    address: Mapped[str] = mapped_column(String(250))
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL"))
    total_area: Mapped[Decimal] = mapped_column(AREA)
    available_from: Mapped[date]
    available_until: Mapped[date]  # the last day the owner lends it
    constraints: Mapped[str] = mapped_column(Text, default="")
    access_notes: Mapped[str] = mapped_column(Text, default="")


class Lot(TimestampMixin, Base):
    """A part of a site let on its own. The association is copied from the site so that a
    lot found by id is checked against the URL's association without a join."""

    __tablename__ = "sites_lots"
    __table_args__ = (
        UniqueConstraint("site_id", "code", name="uq_sites_lots_code"),
        CheckConstraint("area > 0", name="area"),
        CheckConstraint("fee_per_m2 >= 0 AND charges >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    site_id: Mapped[int] = mapped_column(ForeignKey("sites_sites.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))  # « A1 », « RDC-3 »: how the site names it
    kind: Mapped[LotKind] = mapped_column(string_enum(LotKind, "sites_lot_kind"))
    area: Mapped[Decimal] = mapped_column(AREA)
    fee_per_m2: Mapped[Decimal] = mapped_column(AMOUNT)  # per month
    charges: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))  # per month, for the lot
    accessible: Mapped[bool] = mapped_column(default=False)  # step-free access (PMR)
    accessibility: Mapped[str] = mapped_column(String(200), default="")

    @property
    def monthly_amount(self) -> Decimal:
        return self.fee_per_m2 * self.area + self.charges


class Allocation(TimestampMixin, Base):
    """A lot given to an occupant from ``starts_on`` to ``ends_on`` (both days included).

    ``starts_at`` and ``ends_at`` are the same period as instants, from Paris midnight of the
    first day to Paris midnight after the last: the core's overlap guard and PostgreSQL's
    exclusion constraint compare time ranges, and two periods of days meet without
    overlapping when one ends the day before the other starts."""

    __tablename__ = "sites_allocations"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("ends_at > starts_at", name="instants"),
        Index("ix_sites_allocations_lot_period", "lot_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    lot_id: Mapped[int] = mapped_column(ForeignKey("sites_lots.id", ondelete="CASCADE"))
    occupant: Mapped[str] = mapped_column(String(150))  # the organisation or project
    # The occupant's contact: a person of the association (personal data, exported and
    # erased with them), or a name, e-mail and phone typed for someone outside Maillage.
    contact_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    # The application it came from, if any (SET NULL: the application is purged in time).
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites_applications.id", ondelete="SET NULL"), index=True)
    field: Mapped[Field | None] = mapped_column(string_enum(Field, "sites_field"))  # for indicators
    jobs: Mapped[int] = mapped_column(default=0)  # jobs the occupant declares on the site


class SiteDocument(Base):
    """A photo, a plan or another document of a site, one file a row. The association is
    copied from the site, as for lots. The database's cascade removes rows, not files:
    whatever deletes a site deletes its documents' files first (``delete_upload``)."""

    __tablename__ = "sites_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = _association()
    site_id: Mapped[int] = mapped_column(ForeignKey("sites_sites.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(string_enum(DocumentKind, "sites_document_kind"))
    title: Mapped[str] = mapped_column(String(150), default="")
    file: Mapped[StoredFile] = stored_file_column("file")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
