"""People who may already be on file, looked for before a new record is created.

Maillage keeps no birth date (only what is needed), so the name is the signal: the same
first and last names once folded (case, accents, spaces) and in either order, since both
are often typed swapped. A matching phone number is pointed out to help decide.

Only records the user may see are ever named. A namesake followed by another association
is not even hinted at: "someone of that name is known elsewhere" already tells that a
person is supported there, and typing names would let anyone probe the collective's files.
The collective's admins see everyone, so they are warned of every duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from core.database import session
from core.members.memberships import Membership
from core.members.people import Person
from core.members.scope import people_visible_clause
from core.web.text import fold, phone_digits

MAX_SHOWN = 10


@dataclass(frozen=True)
class LikelyDuplicate:
    person: Person
    same_phone: bool


def _escaped(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def likely_duplicates(first_name: str, last_name: str, phone: str = "") -> list[LikelyDuplicate]:
    """Visible people with this name (one query), those with the same phone first."""
    first, last = fold(first_name), fold(last_name)
    if not first or not last:
        return []
    # The search key begins with the folded names, as "first last last first" (people.py).
    keys = {f"{first} {last} {last} {first}", f"{last} {first} {first} {last}"}
    same_name = or_(*(
        clause
        for key in keys
        for clause in (Person.search_key == key,
                       Person.search_key.like(f"{_escaped(key)} %", escape="\\"))
    ))
    people = session.scalars(
        select(Person)
        .where(same_name, people_visible_clause())
        .options(selectinload(Person.memberships).joinedload(Membership.association))
        .order_by(Person.id)
        .limit(MAX_SHOWN)
    ).all()
    digits = phone_digits(phone or "")
    found = [LikelyDuplicate(person, bool(digits) and phone_digits(person.phone) == digits)
             for person in people]
    return sorted(found, key=lambda candidate: not candidate.same_phone)
