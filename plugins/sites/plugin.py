"""The hook implementations of Sites en transition: what the plugin contributes to Maillage.
Hooks that receive an ``association`` are called only for associations that enabled the
plugin. Import from ``core.plugin_api`` only.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask import Blueprint

from core.plugin_api import (
    AgendaItem,
    AssociationRef,
    Indicator,
    NavEntry,
    PersonalData,
    PersonRef,
    PluginSettings,
    Role,
    Section,
    has_role,
    hookimpl,
    paris_today,
)
from plugins.sites import TITLE, demo, models, models_agreements, models_calls, models_rooms  # noqa: F401 - every table
from plugins.sites.allocations import ending_soon
from plugins.sites.commands import COMMANDS
from plugins.sites.indicators import indicators_for
from plugins.sites.models_agreements import WarningKind
from plugins.sites.personal_data import erase_person, export_person
from plugins.sites.rooms import TITLE as ROOMS_TITLE
from plugins.sites.rooms import agenda_items_for
from plugins.sites.settings import DEFAULT_SETTINGS, SettingsForm, rules_of
from plugins.sites.views import bp
from plugins.sites.warnings import due_warnings

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@hookimpl
def blueprint() -> Blueprint:
    return bp


@hookimpl
def navigation() -> list[NavEntry]:
    # Occupants' contacts and the sites' money: the association's coordinators and admins.
    return [NavEntry(label=TITLE, endpoint="sites.index", weight=40, minimum_role=Role.COORDINATOR),
            # Shared rooms are reserved by every member, volunteers included (sites.index is
            # the team's: a volunteer would get 403 there).
            NavEntry(label=ROOMS_TITLE, endpoint="sites.rooms_index", weight=41, minimum_role=Role.VOLUNTEER)]


@hookimpl
def settings_form() -> PluginSettings:
    return PluginSettings(form=SettingsForm, defaults=dict(DEFAULT_SETTINGS))


@hookimpl
def cli_commands() -> list[click.Command]:
    return list(COMMANDS)


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


@hookimpl
def report_indicators(association: AssociationRef, period_start: date, period_end: date) -> list[Indicator]:
    return indicators_for(association, period_start, period_end)


@hookimpl
def dashboard_widgets(association: AssociationRef, person: PersonRef) -> list[Section]:
    """The occupancies ending soon, and the agreements ending or whose insurance expires
    soon, for the team, in two queries."""
    if not has_role(association.id, Role.COORDINATOR):
        return []
    rules, today = rules_of(association), paris_today()
    days = rules.ending_warning_days
    ending = ending_soon(association.id, today, days)
    warnings = due_warnings(association.id, today, days, rules.insurance_warning_days)
    return [Section(title=f"{TITLE} — {association.short_name}", template="sites/widget.html",
                    context={"association": association, "ending": ending[:5], "count": len(ending),
                             "days": days, "today": today, "insurance_days": rules.insurance_warning_days,
                             "agreements_ending": [w for w in warnings if w.kind == WarningKind.ENDING],
                             "insurance": [w for w in warnings if w.kind == WarningKind.INSURANCE]},
                    weight=40, minimum_role=Role.COORDINATOR)]


@hookimpl
def agenda_items(association: AssociationRef, start: datetime, end: datetime) -> list[AgendaItem]:
    """Shared rooms' reservations, for the association's members only."""
    return agenda_items_for(association, start, end)
