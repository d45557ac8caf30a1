"""The plugin host: loads every installed plugin once, then serves each request
with only the plugins that the request's associations enabled."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, cast

import click
import pluggy
from flask import Flask, abort, current_app, g, has_request_context, request
from flask_login import current_user
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import select

from core.auth.permissions import has_role
from core.database import Base, session
from core.members.roles import Role
from core.pluginhost import hookspecs
from core.pluginhost.activation import PluginActivation
from core.pluginhost.calling import HookFailed, call_each
from core.pluginhost.contributions import AssociationRef, NavEntry, PluginSettings, Section
from core.pluginhost.public import is_public
from core.pluginhost.registry import (
    LoadedPlugin,
    PluginRefused,
    check_blueprint,
    check_name,
    check_tables,
    discover,
    import_plugin,
)
from core.pluginhost.state import activations, enabled_state

logger = logging.getLogger("maillage.plugins")
EXTENSION_KEY = "maillage.plugins"
SECTIONS_ENVIRONMENT_KEY = "maillage.plugins.sections"
SECTIONS_CACHE_SIZE = 400  # Flask's own default for the app's templates


class PluginHost:
    def __init__(self, app: Flask) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.strict = bool(app.config["PLUGINS_STRICT"])
        self.plugins: dict[str, LoadedPlugin] = {}
        for plugin in discover(dict(app.config.get("PLUGIN_MODULES") or {})):
            self.plugins[plugin.name] = plugin
            self._load(app, plugin)
        self.blueprints = frozenset(p.name for p in self.plugins.values() if p.blueprint)
        self.has_plugins = any(p.ok for p in self.plugins.values())
        app.before_request(self._gate)

    # --- start-up ------------------------------------------------------------------------

    def _load(self, app: Flask, plugin: LoadedPlugin) -> None:
        import_plugin(plugin)
        if plugin.module is not None:
            try:
                self._register(app, plugin)
            except PluginRefused as refusal:
                plugin.error = f"refusé — {refusal}"
            except Exception as error:  # a broken plugin must not stop the site
                plugin.error = f"erreur à l'enregistrement : {type(error).__name__}: {error}"
                logger.exception("plugin %s: registration failed", plugin.name)
        if plugin.error:
            self._forget(plugin)
            logger.error("plugin %s not loaded: %s", plugin.name, plugin.error)
            if self.strict:
                raise RuntimeError(f"plugin {plugin.name}: {plugin.error}\n{plugin.details}")

    def _register(self, app: Flask, plugin: LoadedPlugin) -> None:
        check_name(plugin)
        check_tables(plugin)
        try:
            self.manager.register(plugin.module, name=plugin.name)
            self.manager.check_pending()
        except pluggy.PluginValidationError as error:
            raise PluginRefused(f"crochets : {error}") from error
        with app.app_context():
            blueprint = self.call_one(plugin.name, "blueprint")
            if blueprint is not None:
                check_blueprint(plugin, blueprint)
                app.register_blueprint(blueprint)
                plugin.blueprint = blueprint
            commands = [c for _, cs in self._call([plugin.name], "cli_commands") for c in cs]
        if commands:
            group = click.Group(plugin.name, help=f"Commandes du module {plugin.title}.")
            for command in commands:
                group.add_command(command)
            app.cli.add_command(group)

    def _forget(self, plugin: LoadedPlugin) -> None:
        if self.manager.has_plugin(plugin.name):
            self.manager.unregister(name=plugin.name)
        # A refused plugin's tables must never be created by the migrations (unless a
        # plugin that was accepted owns them too: same module under two names).
        owned = {t for other in self.plugins.values() if other.ok for t in other.tables}
        for table in plugin.tables - owned:
            if table in Base.metadata.tables:
                Base.metadata.remove(Base.metadata.tables[table])

    # --- calling hooks -------------------------------------------------------------------

    @property
    def registered(self) -> list[str]:
        return sorted(name for name, plugin in self.plugins.items() if plugin.ok)

    def _call(self, plugins: Iterable[str] | None, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        return call_each(self.manager, hook, plugins, **kwargs)

    def call_one(self, plugin: str, hook: str, **kwargs: Any) -> Any:
        results = self._call([plugin], hook, **kwargs)
        return results[0][1] if results else None

    def call_plugins(self, plugins: Iterable[str], hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Named plugins (outside a request, e.g. a command that read the state itself)."""
        return self._call(plugins, hook, **kwargs)

    def call_all(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Every registered plugin, enabled or not (export, erasure, migrations)."""
        return self._call(None, hook, **kwargs)

    def implementing(self, hook: str) -> list[str]:
        """Registered plugins that implement ``hook``, by name."""
        return sorted(i.plugin_name for i in getattr(self.manager.hook, hook).get_hookimpls())

    def call_for(self, association_id: int, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Plugins enabled for this association (and not forbidden); sections kept for a
        role the user does not hold in it are left out."""
        if not self.has_plugins:  # no plugin installed: not even the state query
            return []
        plugins = enabled_state().plugins_for(association_id)
        if not plugins:
            return []
        return [(plugin, _for_the_user(association_id, result))
                for plugin, result in self._call(plugins, hook, **kwargs)]

    def call_enabled(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Plugins enabled in at least one of the user's associations."""
        if not self.has_plugins:
            return []
        plugins = enabled_state().plugins()
        return self._call(plugins, hook, **kwargs) if plugins else []

    # --- what pages use ------------------------------------------------------------------

    def navigation(self) -> list[tuple[str, NavEntry]]:
        """Entries of the plugins enabled in the user's associations, by weight, each kept
        only if the user holds its minimum role in one of the associations that enabled
        the plugin: a link to a page that would answer « Accès refusé » is no link."""
        associations = enabled_state().associations
        entries = [
            (plugin, entry)
            for plugin, results in self.call_enabled("navigation")
            for entry in results or []
            if isinstance(entry, NavEntry) and any(
                has_role(association.id, Role(entry.minimum_role))
                for association in associations.get(plugin, []))
        ]
        return sorted(entries, key=lambda item: item[1].weight)

    def settings_of(self, plugin: str) -> PluginSettings | None:
        return cast(PluginSettings | None, self.call_one(plugin, "settings_form"))

    def settings_for(self, plugin: str, association_id: int) -> dict[str, Any]:
        declared = self.settings_of(plugin)
        defaults = dict(declared.defaults) if declared else {}
        state = enabled_state() if has_request_context() else None
        if state is not None and (plugin, association_id) in state.settings:
            saved = state.settings[(plugin, association_id)]
        else:  # a command, or an association outside the user's reach: read it directly
            saved = session.scalar(
                select(PluginActivation.settings).where(
                    PluginActivation.plugin == plugin,
                    PluginActivation.association_id == association_id)
            ) or {}
        return {**defaults, **{k: v for k, v in saved.items() if k in defaults}}

    def render_sections(self, results: list[tuple[str, Any]]) -> list[tuple[str, Markup]]:
        """Render contributed sections, ordered by weight; one that fails is dropped."""
        sections = [(plugin, s) for plugin, items in results for s in items or []
                    if isinstance(s, Section)]
        if not sections:
            return []
        # The template context (context processors) is computed once for all sections.
        context: dict[str, Any] = {}
        current_app.update_template_context(context)
        environment = self._sections_environment()
        rendered = []
        for plugin, section in sorted(sections, key=lambda item: item[1].weight):
            try:
                template = environment.get_template(section.template)
                html = template.render({**context, **section.context})
            except Exception as error:
                logger.exception("plugin %s: section %r failed to render", plugin, section.title)
                if current_app.config["PLUGINS_STRICT"]:
                    raise HookFailed(f"plugin {plugin}: section failed: {error}") from error
                continue
            rendered.append((section.title, Markup(html)))  # noqa: S704 - always autoescaped, see below
        return rendered

    def _sections_environment(self) -> Environment:
        """The app's templates, escaped whatever their file name.

        Flask escapes by extension only (``.html``, ``.xml``…): a section template named
        ``note.txt`` or ``widget.jinja`` would pour a person's name into the page as HTML,
        and the host marks the result safe. The overlay shares the app's loader, filters and
        globals; only the escaping and the cache of compiled templates are its own (a copy of
        the app's cache would hand back a template the app compiled without escaping).
        """
        environment = current_app.extensions.get(SECTIONS_ENVIRONMENT_KEY)
        if environment is None:
            environment = current_app.jinja_env.overlay(autoescape=True,
                                                        cache_size=SECTIONS_CACHE_SIZE)
            current_app.extensions[SECTIONS_ENVIRONMENT_KEY] = environment
        return cast(Environment, environment)

    def _gate(self) -> Any:
        """Before every plugin page: 404 unless one of the user's associations enabled the
        plugin; with an ``<association>`` in the URL, that association must have enabled it."""
        plugin = request.blueprint
        if plugin not in self.blueprints:
            return None
        if is_public(current_app.view_functions.get(request.endpoint or "")):
            return self._open_gate(plugin)
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        associations = enabled_state().associations.get(plugin, [])
        if not associations:
            abort(404)
        slug = (request.view_args or {}).get("association")
        if slug is not None:
            chosen = next((a for a in associations if a.slug == slug), None)
            if chosen is None:
                abort(404)
            g.plugin_association = chosen
        g.plugin_associations = associations
        return None

    def _open_gate(self, plugin: str) -> None:
        """A public page: the association of the URL must have enabled the plugin (and be
        active, the plugin allowed), whoever asks; nothing is said of other associations."""
        slug = (request.view_args or {}).get("association")
        found = next((AssociationRef(id=aid, slug=aslug, name=name, short_name=short)
                      for name_, _settings, aid, aslug, name, short in activations()
                      if name_ == plugin and aslug == slug), None)
        if found is None:
            abort(404)
        g.plugin_association = found
        g.plugin_associations = [found]

    def migration_locations(self) -> list[str]:
        return [str(location) for _, location in self.call_all("migrations_location")]


def _for_the_user(association_id: int, result: Any) -> Any:
    if not isinstance(result, list):
        return result
    return [item for item in result
            if not (isinstance(item, Section) and item.minimum_role is not None
                    and not has_role(association_id, Role(item.minimum_role)))]


def get_host(app: Flask | None = None) -> PluginHost:
    return cast(PluginHost, (app or current_app).extensions[EXTENSION_KEY])


def init_app(app: Flask) -> PluginHost:
    host = PluginHost(app)
    app.extensions[EXTENSION_KEY] = host
    return host


def current_association() -> AssociationRef | None:
    return g.get("plugin_association")
