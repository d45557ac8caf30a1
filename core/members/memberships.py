from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, TimestampMixin, session, string_enum
from core.members.people import Person
from core.members.roles import Role

if TYPE_CHECKING:
    from core.members.associations import Association


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


def new_member(first_name: str, last_name: str, *, association_id: int, role: Role,
               email: str | None = None, phone: str = "") -> Person:
    """A new person with their role in one association, added to the session (not
    flushed nor committed)."""
    person = Person(first_name=first_name, last_name=last_name, email=email, phone=phone)
    person.memberships.append(Membership(association_id=association_id, role=role))
    session.add(person)
    return person
