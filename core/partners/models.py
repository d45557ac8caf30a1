"""Partner organisations, their contacts and the services they offer."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, TimestampMixin, string_enum
from core.members import Association, Neighbourhood
from core.partners.vocabulary import Barrier, PartnerKind
from core.web.text import fold

partner_associations = Table(
    "partner_associations",
    Base.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("association_id", ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True),
)

partner_neighbourhoods = Table(
    "partner_neighbourhoods",
    Base.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("neighbourhood_id", ForeignKey("neighbourhoods.id", ondelete="CASCADE"), primary_key=True),
)


class Partner(TimestampMixin, Base):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    kind: Mapped[PartnerKind] = mapped_column(string_enum(PartnerKind, "partner_kind"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True, index=True)
    # Folded name and description (see fold()); services are searched by their own key.
    search_key: Mapped[str] = mapped_column(Text, default="")

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        secondary=partner_neighbourhoods, order_by=Neighbourhood.name
    )
    associations: Mapped[list[Association]] = relationship(
        secondary=partner_associations, order_by=Association.name
    )
    contacts: Mapped[list[PartnerContact]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", order_by="PartnerContact.last_name"
    )
    services: Mapped[list[PartnerService]] = relationship(
        back_populates="partner", cascade="all, delete-orphan", order_by="PartnerService.name"
    )


class PartnerContact(TimestampMixin, Base):
    """A professional contact at a partner (work details only)."""

    __tablename__ = "partner_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    job_title: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")

    partner: Mapped[Partner] = relationship(back_populates="contacts")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PartnerService(TimestampMixin, Base):
    __tablename__ = "partner_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    search_key: Mapped[str] = mapped_column(Text, default="")

    partner: Mapped[Partner] = relationship(back_populates="services")
    barrier_links: Mapped[list[ServiceBarrier]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def barriers(self) -> list[Barrier]:
        return sorted((link.barrier for link in self.barrier_links), key=list(Barrier).index)

    @barriers.setter
    def barriers(self, values: list[Barrier]) -> None:
        wanted = set(values)
        self.barrier_links = [link for link in self.barrier_links if link.barrier in wanted]
        present = {link.barrier for link in self.barrier_links}
        self.barrier_links.extend(ServiceBarrier(barrier=b) for b in wanted - present)


class ServiceBarrier(Base):
    __tablename__ = "partner_service_barriers"

    service_id: Mapped[int] = mapped_column(
        ForeignKey("partner_services.id", ondelete="CASCADE"), primary_key=True
    )
    barrier: Mapped[Barrier] = mapped_column(string_enum(Barrier, "barrier"), primary_key=True, index=True)


@event.listens_for(Partner, "before_insert")
@event.listens_for(Partner, "before_update")
@event.listens_for(PartnerService, "before_insert")
@event.listens_for(PartnerService, "before_update")
def _refresh_search_key(_mapper, _connection, target: Partner | PartnerService) -> None:
    target.search_key = fold(f"{target.name} {target.description}")
