"""The enabling state of the current request, read in a single query."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Select, select

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
def _state_query() -> Select[Any]:
    """Built once per process: constructing the statement costs more than running it."""
    forbidden = select(PluginPolicy.plugin).where(PluginPolicy.forbidden)
    return (
        select(PluginActivation.plugin, PluginActivation.settings, Association.id,
               Association.slug, Association.name, Association.short_name)
        .join(Association, Association.id == PluginActivation.association_id)
        .where(PluginActivation.enabled, Association.active,
               PluginActivation.plugin.not_in(forbidden))
        .order_by(Association.name)
    )


def activations() -> list[Any]:
    """Every allowed activation of an active association, read once per request: the
    user's state and the agenda's plugin items (which show associations beyond the user's
    own) both filter it. A collective has tens of associations and a few plugins."""
    if "_maillage_activations" not in g:
        g._maillage_activations = session.execute(_state_query()).all()
    return g._maillage_activations


def enabled_state() -> EnabledState:
    """Plugins enabled in the associations the user belongs to (all, for a collective
    admin), minus those the collective forbids — cached for the request."""
    if "_maillage_plugins" in g:
        return g._maillage_plugins
    state = EnabledState()
    if current_user.is_authenticated:
        mine = None if is_collective_admin() else my_roles()
        for plugin, settings, aid, slug, name, short_name in activations():
            if mine is not None and aid not in mine:
                continue
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
    for plugin, _settings, aid, *_ in activations():
        if aid in enabled:
            enabled[aid].add(plugin)
    return enabled


def associations_enabling(plugin: str) -> list[AssociationRef]:
    """Every active association that enabled ``plugin`` (and the collective allows it), by
    name, whoever asks: for a plugin's commands, which serve no user. Read afresh each call
    outside a request."""
    rows = activations() if has_request_context() else session.execute(_state_query()).all()
    return [AssociationRef(id=aid, slug=slug, name=name, short_name=short_name)
            for name_of_plugin, _settings, aid, slug, name, short_name in rows
            if name_of_plugin == plugin]
