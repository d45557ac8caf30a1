"""Admin pages: an association switches its plugins on and off and sets them up; the
collective sees who uses what, load errors, and may forbid a plugin everywhere."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.auth.permissions import Level, access, has_role, require
from core.database import session
from core.members.associations import Association
from core.members.roles import Role
from core.pluginhost.activation import PluginActivation, PluginPolicy
from core.pluginhost.host import get_host
from core.pluginhost.registry import LoadedPlugin
from core.web.forms import INVALID_FORM_STATUS
from core.web.views import see_other

bp = Blueprint("plugin_admin", __name__, template_folder="templates")


def _association_for_admin(slug: str) -> Association:
    association = session.scalar(
        select(Association).where(Association.slug == slug, Association.active)
    )
    if association is None:
        abort(404)
    require(has_role(association.id, Role.ADMIN), visible=has_role(association.id, Role.COORDINATOR))
    return association


def _plugin_or_404(name: str) -> LoadedPlugin:
    plugin = get_host().plugins.get(name)
    if plugin is None or not plugin.ok:
        abort(404)
    return plugin


def _forbidden() -> set[str]:
    return set(session.scalars(select(PluginPolicy.plugin).where(PluginPolicy.forbidden)))


def _activation(plugin: str, association_id: int) -> PluginActivation | None:
    return session.scalar(
        select(PluginActivation).where(PluginActivation.plugin == plugin,
                                       PluginActivation.association_id == association_id)
    )


@bp.get("/associations/<slug>/modules")
@access(Level.MANAGER)
def association_plugins(slug: str) -> str:
    association = _association_for_admin(slug)
    activations = {
        a.plugin: a for a in session.scalars(
            select(PluginActivation).where(PluginActivation.association_id == association.id)
        )
    }
    host = get_host()
    return render_template(
        "pluginhost/association_plugins.html",
        association=association,
        plugins=[p for p in host.plugins.values() if p.ok],
        activations=activations,
        forbidden=_forbidden(),
        has_settings={name for name in host.registered if host.settings_of(name)},
        permissions={name: host.call_one(name, "permissions") or [] for name in host.registered},
        role_label=lambda value: Role(value).label if value in set(Role) else value,
    )


@bp.post("/associations/<slug>/modules/<plugin>/etat")
@access(Level.MANAGER)
def association_plugin_toggle(slug: str, plugin: str) -> Response:
    association = _association_for_admin(slug)
    loaded = _plugin_or_404(plugin)
    enable = request.form.get("enabled") == "1"
    if enable and plugin in _forbidden():
        flash(f"Le module « {loaded.title} » est interdit par le collectif.", "error")
        return see_other("plugin_admin.association_plugins", slug=slug)
    activation = _activation(plugin, association.id)
    if activation is None:
        activation = PluginActivation(plugin=plugin, association_id=association.id, settings={})
        session.add(activation)
    activation.enabled = enable
    session.commit()
    flash(f"Module « {loaded.title} » {'activé' if enable else 'désactivé'} pour "
          f"{association.short_name}.", "success")
    return see_other("plugin_admin.association_plugins", slug=slug)


def _storable(value: Any) -> Any:
    try:
        json.dumps(value)
    except TypeError:
        return str(value)
    return value


@bp.route("/associations/<slug>/modules/<plugin>/reglages", methods=["GET", "POST"])
@access(Level.MANAGER)
def association_plugin_settings(slug: str, plugin: str) -> Response | tuple[str, int]:
    association = _association_for_admin(slug)
    loaded = _plugin_or_404(plugin)
    declared = get_host().settings_of(plugin)
    if declared is None:
        abort(404)
    activation = _activation(plugin, association.id)
    current = {**declared.defaults, **(activation.settings if activation else {})}
    form = declared.form(data=current)
    context = {"association": association, "plugin": loaded, "form": form}
    if not form.is_submitted():
        return render_template("pluginhost/plugin_settings.html", **context), 200
    if not form.validate():
        return render_template("pluginhost/plugin_settings.html", **context), INVALID_FORM_STATUS
    if activation is None:
        activation = PluginActivation(plugin=plugin, association_id=association.id,
                                      enabled=False, settings={})
        session.add(activation)
    # Only declared settings are kept, whatever else the form carries.
    activation.settings = {name: _storable(form[name].data)
                           for name in declared.defaults if name in form}
    session.commit()
    flash("Réglages enregistrés.", "success")
    return see_other("plugin_admin.association_plugins", slug=slug)


@bp.get("/administration/modules")
@access(Level.COLLECTIVE_ADMIN)
def collective_plugins() -> str:
    associations = session.scalars(
        select(Association).where(Association.active).order_by(Association.name)
    ).all()
    enabled = {
        (plugin, association_id)
        for plugin, association_id in session.execute(
            select(PluginActivation.plugin, PluginActivation.association_id)
            .where(PluginActivation.enabled)
        )
    }
    return render_template(
        "pluginhost/collective_plugins.html",
        plugins=list(get_host().plugins.values()),
        associations=associations,
        enabled=enabled,
        forbidden=_forbidden(),
    )


@bp.post("/administration/modules/<plugin>/interdiction")
@access(Level.COLLECTIVE_ADMIN)
def collective_plugin_policy(plugin: str) -> Response:
    loaded = _plugin_or_404(plugin)
    forbid = request.form.get("forbidden") == "1"
    policy = session.get(PluginPolicy, plugin)
    if policy is None:
        policy = PluginPolicy(plugin=plugin)
        session.add(policy)
    policy.forbidden = forbid
    session.commit()
    flash(f"Module « {loaded.title} » {'interdit' if forbid else 'autorisé'} dans le collectif.",
          "success")
    return see_other("plugin_admin.collective_plugins")
