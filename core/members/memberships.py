from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, TimestampMixin, string_enum
from core.members.roles import Role

if TYPE_CHECKING:
    from core.members.associations import Association
    from core.members.people import Person


class Membership(TimestampMixin, Base):
    """A person's single role in one association."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("person_id", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(string_enum(Role, "membership_role", 20))

    person: Mapped[Person] = relationship(back_populates="memberships")
    association: Mapped[Association] = relationship(back_populates="memberships")
