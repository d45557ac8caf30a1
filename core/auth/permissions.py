"""The one place that decides who may do what.

Two layers, used together by every view:
- ``@access(Level.X)`` on the route: who may reach the page at all. Every route
  must carry one (the app refuses to start otherwise), which is what keeps the
  route x role matrix in the tests complete.
- scope checks on the record (``can_manage_association`` and friends): a record of
  an association outside the user's reach answers 404, as if it did not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from flask import abort, current_app, g
from flask_login import current_user
from sqlalchemy import ColumnElement, ScalarSelect, String, cast, func, literal_column, select

from core.database import session
from core.members.associations import Association
from core.members.memberships import Membership
from core.members.roles import Role

F = TypeVar("F", bound=Callable[..., Any])


class Level(StrEnum):
    PUBLIC = "public"  # anyone, logged in or not
    AUTHENTICATED = "authenticated"  # any account, whatever its roles
    MEMBER = "member"  # volunteer or more in an active association
    MANAGER = "manager"  # coordinator or association admin somewhere
    COLLECTIVE_ADMIN = "collective_admin"


def access(level: Level) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if level is not Level.PUBLIC:
                if not current_user.is_authenticated:
                    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
                if not has_level(level):
                    abort(403)
            return view(*args, **kwargs)

        guarded.access_level = level  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def access_level_of(view: Callable[..., Any]) -> Level | None:
    return getattr(view, "access_level", None)


def is_collective_admin() -> bool:
    return bool(current_user.is_authenticated and current_user.is_collective_admin)


def packed_roles(person_id: ColumnElement[int]) -> ScalarSelect[str | None]:
    """The person's roles in active associations as one string, ``"12:coordinator,15:volunteer"``:
    the user loader reads them with the account, in the one query every request pays."""
    # Separators written in the SQL: as parameters, one would be spliced into the statement
    # at each execution (aggregate_strings renders its separator inline).
    pair = cast(Membership.association_id, String) + literal_column("':'") + cast(Membership.role, String)
    return (select(func.aggregate_strings(pair, literal_column("','")))
            .join(Association, Association.id == Membership.association_id)
            .where(Membership.person_id == person_id, Association.active)
            .scalar_subquery())


def remember_roles(packed: str | None) -> None:
    """Keep the current user's roles read by packed_roles() for my_roles()."""
    pairs = (part.split(":", 1) for part in packed.split(",")) if packed else ()
    g._maillage_roles = {int(association_id): Role(role) for association_id, role in pairs}


def my_roles() -> dict[int, Role]:
    """Association id -> role of the current user, read once per request."""
    if "_maillage_roles" not in g:
        roles: dict[int, Role] = {}
        if current_user.is_authenticated:
            rows = session.execute(
                select(Membership.association_id, Membership.role)
                .join(Association)
                .where(Membership.person_id == current_user.person_id, Association.active)
            )
            roles = {association_id: role for association_id, role in rows}
        g._maillage_roles = roles
    return g._maillage_roles


def has_role(association_id: int | None, minimum: Role) -> bool:
    if is_collective_admin():
        return True
    role = my_roles().get(association_id) if association_id is not None else None
    return role is not None and role.at_least(minimum)


def association_ids_with(minimum: Role) -> set[int] | None:
    """Associations where the user holds at least ``minimum``; None means all of them."""
    if is_collective_admin():
        return None
    return {aid for aid, role in my_roles().items() if role.at_least(minimum)}


def has_level(level: Level) -> bool:
    if level is Level.PUBLIC:
        return True
    if not current_user.is_authenticated:
        return False
    if is_collective_admin() or level is Level.AUTHENTICATED:
        return True
    best = max((role.rank for role in my_roles().values()), default=-1)
    return {
        Level.AUTHENTICATED: True,
        Level.MEMBER: best >= Role.VOLUNTEER.rank,
        Level.MANAGER: best >= Role.COORDINATOR.rank,
        Level.COLLECTIVE_ADMIN: False,
    }[level]


def grantable_roles(association_id: int) -> list[Role]:
    """Roles the user may give in an association: only its admins make admins/coordinators."""
    if has_role(association_id, Role.ADMIN):
        return list(Role)
    if has_role(association_id, Role.COORDINATOR):
        return [Role.SUPPORTED, Role.VOLUNTEER]
    return []


def require(allowed: bool, *, visible: bool) -> None:
    """404 when the record is out of the user's sight, 403 when seen but not allowed."""
    if not visible:
        abort(404)
    if not allowed:
        abort(403)
