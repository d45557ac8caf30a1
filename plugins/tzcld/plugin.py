"""The hook implementations of Territoire zéro chômeur: what the plugin contributes to
Maillage. Hooks that receive an ``association`` are called only for associations that
enabled the plugin. Import from ``core.plugin_api`` only.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, url_for
from sqlalchemy import select

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
    session,
    utcnow,
)
from plugins.tzcld import TITLE, demo
from plugins.tzcld.committee import reads_decisions
from plugins.tzcld.indicators import indicators_for
from plugins.tzcld.models import Meeting
from plugins.tzcld.personal_data import erase_person, export_person
from plugins.tzcld.register import waiting_of
from plugins.tzcld.settings import DEFAULT_SETTINGS, SettingsForm, rules_of
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


@hookimpl
def dashboard_widgets(association: AssociationRef, person: PersonRef) -> list[Section]:
    """The committee's next meeting and the way in, for the team and for the committee's
    readers (who have no entry in the navigation), in at most three queries; nothing for
    anyone else."""
    in_team = has_role(association.id, Role.COORDINATOR)
    if not in_team and not reads_decisions(association.id, person.id):
        return []
    upcoming = session.scalar(select(Meeting.starts_at).where(
        Meeting.association_id == association.id, Meeting.starts_at >= utcnow())
        .order_by(Meeting.starts_at).limit(1))
    threshold = rules_of(association).waiting_alert_days
    over = (len(waiting_of(association.id, paris_today(), threshold).over_threshold)
            if in_team else 0)
    return [Section(title=f"{TITLE} — {association.short_name}", template="tzcld/widget.html",
                    context={"association": association, "upcoming": upcoming, "in_team": in_team,
                             "over": over, "threshold": threshold},
                    weight=30)]


@hookimpl
def agenda_items(association: AssociationRef, start: datetime, end: datetime) -> list[AgendaItem]:
    """The committee's meetings, for the territory's team (coordinators), in one query."""
    meetings = session.execute(
        select(Meeting.id, Meeting.starts_at, Meeting.ends_at, Meeting.place)
        .where(Meeting.association_id == association.id, Meeting.starts_at < end, Meeting.ends_at > start)
        .order_by(Meeting.starts_at, Meeting.id)).all()
    return [AgendaItem(title="Comité local pour l'emploi", start=starts_at, end=ends_at, kind="meeting",
                       location=place, uid=f"meeting-{meeting_id}", visibility="people",
                       url=url_for("tzcld.meeting_detail", association=association.slug,
                                   meeting_id=meeting_id))
            for meeting_id, starts_at, ends_at, place in meetings]


@hookimpl
def report_indicators(association: AssociationRef, period_start: date,
                      period_end: date) -> list[Indicator]:
    return indicators_for(association, period_start, period_end)
