"""The hook implementations of Premières Heures: what the plugin contributes to Maillage.

Hooks that receive an ``association`` are called only for associations that enabled the
plugin. Import from ``core.plugin_api`` only.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from core.plugin_api import NavEntry, PluginSettings, hookimpl
from plugins.premieres_heures import TITLE, models  # noqa: F401 - the tables, for migrations
from plugins.premieres_heures.settings import DEFAULT_SETTINGS, SettingsForm
from plugins.premieres_heures.views import bp

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@hookimpl
def blueprint() -> Blueprint:
    return bp


@hookimpl
def navigation() -> list[NavEntry]:
    return [NavEntry(label=TITLE, endpoint="premieres_heures.home", weight=20)]


@hookimpl
def settings_form() -> PluginSettings:
    return PluginSettings(form=SettingsForm, defaults=dict(DEFAULT_SETTINGS))


@hookimpl
def migrations_location() -> str:
    return str(MIGRATIONS)
