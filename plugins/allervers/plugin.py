"""The hook implementations of Aller-vers: what the plugin contributes to Maillage.

Hooks that receive an ``association`` are called only for associations that enabled the
plugin. Import from ``core.plugin_api`` only.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, url_for

from core.plugin_api import (
    AgendaItem,
    AssociationRef,
    Indicator,
    NavEntry,
    PersonalData,
    PersonRef,
    PluginSettings,
    ReferralInfo,
    Role,
    Section,
    hookimpl,
)
from plugins.allervers import TITLE, demo, outreach, pathways, sections
from plugins.allervers.indicators import indicators_for
from plugins.allervers.personal_data import erase_person, export_person
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


# --- pathways: the dashboard, a person's page -------------------------------------------------


@hookimpl
def dashboard_widgets(association: AssociationRef, person: PersonRef) -> list[Section]:
    return sections.dashboard_widgets(association, person)


@hookimpl
def person_sections(association: AssociationRef, person: PersonRef) -> list[Section]:
    return sections.person_sections(association, person)


@hookimpl
def referral_changed(referral: ReferralInfo) -> None:
    pathways.referral_changed(referral.id, referral.association_id)


# --- pathways: reports, personal data, demo ---------------------------------------------------


@hookimpl
def report_indicators(association: AssociationRef, period_start: date,
                      period_end: date) -> list[Indicator]:
    return indicators_for(association, period_start, period_end)


@hookimpl
def export_person_data(person: PersonRef,
                       associations: frozenset[int] | None) -> PersonalData | None:
    return export_person(person, associations)


@hookimpl
def erase_person_data(person: PersonRef) -> int:
    return erase_person(person)


@hookimpl
def load_demo_data(association: AssociationRef, today: date) -> None:
    demo.load(association, today)
