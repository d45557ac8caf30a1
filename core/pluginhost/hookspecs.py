"""Hook specifications: everything a plugin may contribute to Maillage.

Each hook is called with keyword arguments; an implementation may accept only the
ones it needs. Hooks marked *per association* are called only for plugins that the
association in question has enabled (and that the collective has not forbidden).
docs/plugins.md documents each hook; a test checks the two agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint

    from core.pluginhost.contributions import (
        AgendaItem,
        AssociationRef,
        Indicator,
        NavEntry,
        PermissionDecl,
        PersonalData,
        PersonRef,
        PluginSettings,
        Section,
    )
    from core.referrals.api import ReferralInfo

PROJECT = "maillage"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec(firstresult=True)
def blueprint() -> Blueprint | None:
    """The plugin's pages: a Blueprint named after the plugin, with url_prefix
    ``/p/<plugin>``. Called once at start-up."""


@hookspec
def navigation() -> list[NavEntry]:
    """Entries for the main navigation (and the dashboard's shortcuts), shown to users
    holding each entry's ``minimum_role`` in an association that enabled the plugin."""


@hookspec
def dashboard_widgets(association: AssociationRef, person: PersonRef) -> list[Section]:
    """Per association: blocks for the dashboard of ``person``."""


@hookspec
def agenda_items(association: AssociationRef, start: datetime, end: datetime) -> list[AgendaItem]:
    """Per association: what the plugin puts in the shared agenda between start and end."""


@hookspec
def person_sections(association: AssociationRef, person: PersonRef) -> list[Section]:
    """Per association: blocks on the page of a person of that association."""


@hookspec
def association_sections(association: AssociationRef) -> list[Section]:
    """Per association: blocks on the association's page."""


@hookspec(firstresult=True)
def settings_form() -> PluginSettings | None:
    """The per-association settings form and its default values."""


@hookspec
def permissions() -> list[PermissionDecl]:
    """Permissions the plugin declares (shown to admins, checked by the plugin)."""


@hookspec
def cli_commands() -> list[click.Command]:
    """Commands added under ``maillage <plugin> ...``."""


@hookspec(firstresult=True)
def migrations_location() -> str | None:
    """Folder of the plugin's Alembic versions (its own branch, labelled with its name)."""


@hookspec
def export_person_data(person: PersonRef,
                       associations: frozenset[int] | None) -> PersonalData | None:
    """What the plugin stores about ``person`` for the associations whose part the requester
    may see (``associations``; ``None``: the collective admin's full export). Each record
    carries its ``association_id``; the core drops those outside the scope, and those
    without one unless the export is full. Called for every plugin, enabled or not."""


@hookspec
def erase_person_data(person: PersonRef) -> int:
    """Delete or anonymise everything the plugin stores about ``person`` (erasure is the
    collective admin's, never scoped); return how many records were affected. Called for
    every plugin, enabled or not. Do not commit: the core commits once, after every plugin
    and the core itself have erased."""


@hookspec
def load_demo_data(association: AssociationRef, today: date) -> None:
    """Fill ``association`` (the demo association) with the plugin's demo data, dated
    around ``today`` (Paris), in the shared session, without committing. Called once by
    ``maillage demo load`` on an empty database, for every plugin that implements it; the
    core enables those plugins for that association first."""


@hookspec
def report_indicators(association: AssociationRef, period_start: date,
                      period_end: date) -> list[Indicator]:
    """Per association: counts for funder reports over the period."""


@hookspec
def referral_changed(referral: ReferralInfo) -> None:
    """A referral the plugin created (``create_referral(..., plugin=<its name>)``) changed
    status: accepted, refused, done, expired or withdrawn. Called for that plugin only, and
    only if the referral's association enabled it, in the transaction of the change (a
    savepoint: a failing hook is logged and its writes undone, the change stands). Do not
    commit."""
