"""The enabling state of the current request, read in a single query."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from flask import g
from flask_login import current_user
from sqlalchemy import Select, bindparam, select

from core.auth.permissions import is_collective_admin, my_roles
from core.database import session
from core.members.associations import Association
from core.pluginhost.activation import PluginActivation, PluginPolicy
from core.pluginhost.contributions import AssociationRef


@dataclass
class EnabledState:
    """For each plugin: the associations (within the user's reach) that enabled it."""

    associations: dict[str, list[AssociationRef]] = field(default_factory=dict)
    settings: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)

    def plugins(self) -> set[str]:
        return set(self.associations)

    def enabled_for(self, plugin: str, association_id: int) -> bool:
        return (plugin, association_id) in self.settings

    def plugins_for(self, association_id: int) -> set[str]:
        return {plugin for plugin, aid in self.settings if aid == association_id}


@functools.cache
def _state_query(everyone: bool) -> Select[Any]:
    """Built once per process: constructing the statement costs more than running it."""
    forbidden = select(PluginPolicy.plugin).where(PluginPolicy.forbidden)
    query = (
        select(PluginActivation.plugin, PluginActivation.settings, Association.id,
               Association.slug, Association.name, Association.short_name)
        .join(Association, Association.id == PluginActivation.association_id)
        .where(PluginActivation.enabled, Association.active,
               PluginActivation.plugin.not_in(forbidden))
        .order_by(Association.name)
    )
    if everyone:
        return query
    return query.where(Association.id.in_(bindparam("associations", expanding=True)))


def enabled_state() -> EnabledState:
    """Plugins enabled in the associations the user belongs to (all, for a collective
    admin), minus those the collective forbids — one query, cached for the request."""
    if "_maillage_plugins" in g:
        return g._maillage_plugins
    state = EnabledState()
    if current_user.is_authenticated:
        everyone = is_collective_admin()
        parameters = {} if everyone else {"associations": list(my_roles())}
        for plugin, settings, aid, slug, name, short_name in session.execute(
            _state_query(everyone), parameters
        ):
            state.associations.setdefault(plugin, []).append(
                AssociationRef(id=aid, slug=slug, name=name, short_name=short_name)
            )
            state.settings[(plugin, aid)] = dict(settings or {})
    g._maillage_plugins = state
    return state


def plugins_enabled_in(association_ids: list[int]) -> dict[int, set[str]]:
    """Plugins each association enabled, whoever asks (calendar feeds have no user)."""
    enabled: dict[int, set[str]] = {aid: set() for aid in association_ids}
    if not association_ids:
        return enabled
    rows = session.execute(
        _state_query(False), {"associations": association_ids}
    )
    for plugin, _settings, aid, *_ in rows:
        enabled[aid].add(plugin)
    return enabled
