"""What the current user may see and change among members.

Views call these and nothing else, so every page applies the same rules.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import ColumnElement, exists, or_, select, true

from core.auth.permissions import (
    association_ids_with,
    grantable_roles,
    has_role,
    is_collective_admin,
    my_roles,
)
from core.members.associations import Association
from core.members.memberships import Membership
from core.members.people import Person
from core.members.roles import Role


def people_visible_clause() -> ColumnElement[bool]:
    """People the user may see: themselves, and everyone in associations they manage."""
    managed = association_ids_with(Role.COORDINATOR)
    if managed is None:
        return true()
    me = Person.id == current_user.person_id
    if not managed:
        return me
    return or_(
        me,
        exists(
            select(Membership.id).where(
                Membership.person_id == Person.id, Membership.association_id.in_(managed)
            )
        ),
    )


def can_see_person(person: Person) -> bool:
    if is_collective_admin() or person.id == current_user.person_id:
        return True
    return any(has_role(m.association_id, Role.COORDINATOR) for m in person.memberships)


def _top_rank(person: Person) -> int:
    return max((m.role.rank for m in person.memberships), default=-1)


def can_manage_person(person: Person) -> bool:
    """Edit contact details and grant access: never someone who outranks you,
    since changing their email would hand over their account."""
    if is_collective_admin():
        return True
    if person.account is not None and person.account.is_collective_admin:
        return False
    roles = my_roles()
    shared = [
        roles[m.association_id].rank
        for m in person.memberships
        if m.association_id in roles and roles[m.association_id].at_least(Role.COORDINATOR)
    ]
    return bool(shared) and max(shared) >= _top_rank(person)


def can_deactivate_person(person: Person) -> bool:
    if person.id == current_user.person_id:
        return False
    if is_collective_admin():
        return True
    if person.account is not None and person.account.is_collective_admin:
        return False
    # Deactivation is global: it takes the admins of every association the person is in.
    return bool(person.memberships) and all(
        has_role(m.association_id, Role.ADMIN) for m in person.memberships
    )


def visible_memberships(person: Person) -> list[Membership]:
    """The person's memberships the user may see: all of them for the collective admin and
    for the person themself, otherwise those of the associations the user coordinates —
    belonging to another association can itself be sensitive."""
    managed = association_ids_with(Role.COORDINATOR)
    if managed is None or person.id == current_user.person_id:
        return list(person.memberships)
    return [m for m in person.memberships if m.association_id in managed]


def visible_memberships_clause() -> ColumnElement[bool]:
    """visible_memberships() as SQL, for a list that reads everyone's memberships at once."""
    managed = association_ids_with(Role.COORDINATOR)
    if managed is None:
        return true()
    return or_(Membership.person_id == current_user.person_id,
               Membership.association_id.in_(managed))


def personal_data_scope() -> frozenset[int] | None:
    """Associations whose part of a person's data the user may export: those they coordinate
    (what they see of them elsewhere, a record kept after the person left included).
    None — everything, data held for no association included — is the collective admin's
    alone: a full data-access request."""
    managed = association_ids_with(Role.COORDINATOR)
    return None if managed is None else frozenset(managed)


def can_change_membership(membership: Membership) -> bool:
    return membership.role in grantable_roles(membership.association_id)


def associations_managed() -> Any:
    """Select of active associations where the user is coordinator or admin."""
    query = select(Association).where(Association.active).order_by(Association.name)
    managed = association_ids_with(Role.COORDINATOR)
    if managed is not None:
        query = query.where(Association.id.in_(managed))
    return query


def can_see_association_people(association: Association) -> bool:
    return has_role(association.id, Role.COORDINATOR)
