"""The hook implementations of Aller-vers: what the plugin contributes to Maillage.

Hooks that receive an ``association`` are called only for associations that enabled the
plugin. Import from ``core.plugin_api`` only.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Blueprint, url_for

from core.plugin_api import AgendaItem, AssociationRef, NavEntry, PluginSettings, Role, hookimpl
from plugins.allervers import TITLE, outreach
from plugins.allervers.settings import DEFAULT_SETTINGS, SettingsForm
from plugins.allervers.views import bp

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@hookimpl
def blueprint() -> Blueprint:
    return bp


@hookimpl
def navigation() -> list[NavEntry]:
    # Volunteers go out too: the actions and the tally are theirs; pathways are coordinators'.
    return [NavEntry(label=TITLE, endpoint="allervers.index", weight=25, minimum_role=Role.VOLUNTEER)]


@hookimpl
def settings_form() -> PluginSettings:
    return PluginSettings(form=SettingsForm, defaults=dict(DEFAULT_SETTINGS))


@hookimpl
def migrations_location() -> str:
    return str(MIGRATIONS)


@hookimpl
def agenda_items(association: AssociationRef, start: datetime, end: datetime) -> list[AgendaItem]:
    # The outreach actions, for the association's members: the team sees who goes where.
    return outreach.agenda_items_for(
        association, start, end,
        lambda action_id: url_for("allervers.action_detail", association=association.slug,
                                  action_id=action_id))
