"""The hook implementations of Territoire zéro chômeur: what the plugin contributes to
Maillage. Hooks that receive an ``association`` are called only for associations that
enabled the plugin. Import from ``core.plugin_api`` only.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint

from core.plugin_api import (
    AssociationRef,
    NavEntry,
    PersonalData,
    PersonRef,
    PluginSettings,
    Role,
    hookimpl,
)
from plugins.tzcld import TITLE, demo
from plugins.tzcld.personal_data import erase_person, export_person
from plugins.tzcld.settings import DEFAULT_SETTINGS, SettingsForm
from plugins.tzcld.views import bp

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@hookimpl
def blueprint() -> Blueprint:
    return bp


@hookimpl
def navigation() -> list[NavEntry]:
    # The register holds people's files: the project team's (coordinators and admins).
    return [NavEntry(label=TITLE, endpoint="tzcld.index", weight=30, minimum_role=Role.COORDINATOR)]


@hookimpl
def settings_form() -> PluginSettings:
    return PluginSettings(form=SettingsForm, defaults=dict(DEFAULT_SETTINGS))


@hookimpl
def migrations_location() -> str:
    return str(MIGRATIONS)


@hookimpl
def export_person_data(person: PersonRef, associations: frozenset[int] | None) -> PersonalData | None:
    return export_person(person, associations)


@hookimpl
def erase_person_data(person: PersonRef) -> int:
    return erase_person(person)


@hookimpl
def load_demo_data(association: AssociationRef, today: date) -> None:
    demo.load(association, today)
