"""Who sees and runs which agenda events. Views and feeds call these and nothing else."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, or_, true

from core.agenda.events import Event, Visibility
from core.auth.permissions import association_ids_with, has_role, is_collective_admin, my_roles
from core.members.roles import Role


def events_visible_clause() -> ColumnElement[bool]:
    """Collective and public events for every signed-in person; association events for the
    association's members (people supported included: they book its workshops too)."""
    if is_collective_admin():
        return true()
    shared = Event.visibility.in_([Visibility.COLLECTIVE, Visibility.PUBLIC])
    mine = list(my_roles())
    if not mine:
        return shared
    return or_(shared, Event.association_id.in_(mine))


class Scoped(Protocol):
    """What deciding who sees an event reads: an Event, or a row of these two columns."""

    @property
    def visibility(self) -> Visibility: ...
    @property
    def association_id(self) -> int | None: ...


def can_see_event(event: Scoped) -> bool:
    return (
        is_collective_admin()
        or event.visibility is not Visibility.ASSOCIATION
        or event.association_id in my_roles()
    )


def can_manage_event(event: Event) -> bool:
    """Coordinators run their association's events; the collective's own are the
    collective administrators'."""
    if event.association_id is None:
        return is_collective_admin()
    return has_role(event.association_id, Role.COORDINATOR)


def managed_association_ids() -> set[int] | None:
    """Associations whose events the user may create and run (None: all of them)."""
    return association_ids_with(Role.COORDINATOR)
