"""Finding plugins, importing them safely and checking that they respect their namespace."""

from __future__ import annotations

import importlib
import posixpath
import re
import sys
import traceback
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Blueprint

from core.database import Base

ENTRY_POINT_GROUP = "maillage.plugins"
NAME_RULE = re.compile(r"^[a-z][a-z0-9_]{1,38}$")

# Tables each plugin module added to the shared metadata, remembered across apps:
# a module is imported once per process, so the difference is seen only once.
_TABLES_BY_MODULE: dict[str, set[str]] = {}


class PluginRefused(Exception):
    """The plugin breaks a rule of the plugin contract; the message names the rule."""


@dataclass
class LoadedPlugin:
    name: str
    module_path: str
    source: str  # "entry point (distribution x.y)" or "configuration"
    version: str = ""
    module: ModuleType | None = None
    error: str = ""
    blueprint: Blueprint | None = None
    tables: set[str] = field(default_factory=set)
    title: str = ""
    description: str = ""  # one French sentence on what it does, for the modules pages
    details: str = ""  # traceback of a failure, for the logs and the admin page

    @property
    def ok(self) -> bool:
        return self.module is not None and not self.error


def discover(extra: dict[str, str]) -> list[LoadedPlugin]:
    """Entry points of the ``maillage.plugins`` group, then plugins named in settings."""
    found: dict[str, LoadedPlugin] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        dist = entry.dist
        source = f"{dist.name} {dist.version}" if dist else "entry point"
        found[entry.name] = LoadedPlugin(entry.name, entry.value, source,
                                         version=dist.version if dist else "")
    for name, module_path in extra.items():
        found[name] = LoadedPlugin(name, module_path, "configuration (PLUGIN_MODULES)")
    return sorted(found.values(), key=lambda plugin: plugin.name)


def import_plugin(plugin: LoadedPlugin) -> None:
    """Import the plugin's module; any failure is kept on the plugin, never raised."""
    before = set(Base.metadata.tables)
    try:
        module = importlib.import_module(plugin.module_path)
    except (Exception, SystemExit) as error:  # a broken plugin must not stop the site
        plugin.error = f"import impossible : {type(error).__name__}: {error}"
        plugin.details = traceback.format_exc()
        return
    added = set(Base.metadata.tables) - before
    _TABLES_BY_MODULE.setdefault(module.__name__, set()).update(added)
    plugin.module = module
    plugin.tables = set(_TABLES_BY_MODULE[module.__name__])
    plugin.version = plugin.version or str(_declared(module, "__version__") or "")
    plugin.title = str(_declared(module, "TITLE") or plugin.name)
    # Optional: plugins written before DESCRIPTION existed load as before, without one.
    plugin.description = str(_declared(module, "DESCRIPTION") or "")


def _declared(module: ModuleType, attribute: str) -> Any:
    """An attribute of the plugin module or, failing that, of its enclosing packages
    (``TITLE`` and ``__version__`` usually sit in the package's ``__init__``)."""
    name = module.__name__
    while name:
        found = getattr(sys.modules.get(name), attribute, None)
        if found:
            return found
        name = name.rpartition(".")[0]
    return None


def check_name(plugin: LoadedPlugin) -> None:
    if not NAME_RULE.fullmatch(plugin.name):
        raise PluginRefused(
            f"nom « {plugin.name} » : lettres minuscules, chiffres et _ seulement, "
            "commençant par une lettre (2 à 39 caractères)"
        )


def check_tables(plugin: LoadedPlugin) -> None:
    wrong = sorted(t for t in plugin.tables if not t.startswith(f"{plugin.name}_"))
    if wrong:
        raise PluginRefused(
            f"tables : {', '.join(wrong)} — chaque table doit commencer par « {plugin.name}_ »"
        )


def check_blueprint(plugin: LoadedPlugin, blueprint: Any) -> None:
    name = plugin.name
    if not isinstance(blueprint, Blueprint):
        raise PluginRefused("blueprint : le crochet blueprint() doit rendre un flask.Blueprint")
    if blueprint.name != name:
        raise PluginRefused(f"blueprint : son nom est « {blueprint.name} », il doit être « {name} »")
    if (blueprint.url_prefix or "").rstrip("/") != f"/p/{name}":
        raise PluginRefused(
            f"préfixe d'URL : « {blueprint.url_prefix} », il doit être « /p/{name} »"
        )
    if blueprint.template_folder:
        folder = Path(blueprint.root_path) / blueprint.template_folder
        outside = [
            str(path.relative_to(folder))
            for path in folder.rglob("*")
            if path.is_file() and path.relative_to(folder).parts[0] != name
        ]
        if outside:
            raise PluginRefused(
                f"gabarits : {', '.join(sorted(outside))} — ils doivent être dans "
                f"« {blueprint.template_folder}/{name}/ »"
            )
    _check_routes_have_access_rules(name, blueprint)
    if blueprint.static_folder:
        # Normalised: "/p/x/../../static" would otherwise pass for a path under /p/x/.
        url = posixpath.normpath(f"{blueprint.url_prefix}{blueprint.static_url_path or '/static'}")
        if not url.startswith(f"/p/{name}/"):
            raise PluginRefused(f"fichiers statiques : servis sous « {url} », pas sous /p/{name}/")


def _check_routes_have_access_rules(name: str, blueprint: Blueprint) -> None:
    """Every page needs ``@access``: registered on a throwaway app first, so that a plugin
    that forgot one is refused instead of stopping the whole site at start-up."""
    from flask import Flask

    from core.auth.permissions import access_level_of

    probe = Flask(f"probe_{name}")
    probe.register_blueprint(blueprint)
    missing = sorted(
        endpoint for endpoint, view in probe.view_functions.items()
        if endpoint.startswith(f"{name}.") and not endpoint.endswith(".static")
        and access_level_of(view) is None
    )
    if missing:
        raise PluginRefused(f"droits : {', '.join(missing)} sans @access(Level…)")
