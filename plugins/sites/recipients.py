"""Who the warnings command writes to: the associations that enabled the plugin, and the
addresses of their coordinators and admins.

The plugin API offers neither outside a request yet (``plugin_associations`` reads the
request's state, ``PersonRef`` carries no address). Until it does, these two functions read
the core's tables here, and only here, through SQLAlchemy Core: the few columns named below,
nothing written. Replace them with the core's functions when it has them.
"""

from __future__ import annotations

from sqlalchemy import column, select, table

from core.plugin_api import AssociationRef, Role, people_of, session
from plugins.sites import NAME

_activations = table("plugin_activations", column("plugin"), column("association_id"), column("enabled"))
_policies = table("plugin_policies", column("plugin"), column("forbidden"))
_associations = table("associations", column("id"), column("slug"), column("name"), column("short_name"),
                      column("active"))
_people = table("people", column("id"), column("email"))


def enabled_associations() -> list[AssociationRef]:
    """The active associations that enabled the plugin, unless the collective forbids it, by
    name (as the host's own state reads them)."""
    forbidden = select(_policies.c.plugin).where(_policies.c.plugin == NAME, _policies.c.forbidden.is_(True))
    rows = session.execute(
        select(_associations.c.id, _associations.c.slug, _associations.c.name, _associations.c.short_name)
        .join(_activations, _activations.c.association_id == _associations.c.id)
        .where(_activations.c.plugin == NAME, _activations.c.enabled.is_(True),
               _associations.c.active.is_(True), ~forbidden.exists())
        .order_by(_associations.c.name))
    return [AssociationRef(id=i, slug=slug, name=name, short_name=short) for i, slug, name, short in rows]


def team_addresses(association: AssociationRef) -> list[str]:
    """The e-mail addresses of the association's active coordinators and admins, sorted."""
    team = people_of(association, (Role.COORDINATOR, Role.ADMIN))
    if not team:
        return []
    return sorted(session.scalars(select(_people.c.email).where(
        _people.c.id.in_([person.id for person in team]), _people.c.email.is_not(None),
        _people.c.email != "")))
