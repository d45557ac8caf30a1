"""The hook implementations of Premières Heures: what the plugin contributes to Maillage.

Hooks that receive an ``association`` are called only for associations that enabled the
plugin. Import from ``core.plugin_api`` only.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

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
    in_paris,
    paris_today,
    partner,
    people_of,
    session,
)
from plugins.premieres_heures import TITLE, demo, pathways, schedule
from plugins.premieres_heures.indicators import indicators_for
from plugins.premieres_heures.models import Attendance, Pathway, PathwayStatus, WorkSession
from plugins.premieres_heures.pathways import REVIEWS_DUE_DAYS
from plugins.premieres_heures.personal_data import erase_person, export_person
from plugins.premieres_heures.plan import week_of
from plugins.premieres_heures.settings import DEFAULT_SETTINGS, SettingsForm, settings_of
from plugins.premieres_heures.views import bp

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"
OPEN_STATUSES = (PathwayStatus.DISCOVERY, PathwayStatus.ACTIVE)  # "people active" on the dashboard


def pathway_url(association: AssociationRef, pathway_id: int) -> str:
    return url_for("premieres_heures.pathway_detail", association=association.slug,
                   pathway_id=pathway_id)


@hookimpl
def blueprint() -> Blueprint:
    return bp


@hookimpl
def navigation() -> list[NavEntry]:
    # Every page of the plugin is for coordinators and admins: a volunteer would get 403.
    return [NavEntry(label=TITLE, endpoint="premieres_heures.home", weight=20,
                     minimum_role=Role.COORDINATOR)]


@hookimpl
def settings_form() -> PluginSettings:
    return PluginSettings(form=SettingsForm, defaults=dict(DEFAULT_SETTINGS))


@hookimpl
def migrations_location() -> str:
    return str(MIGRATIONS)


# --- the dashboard --------------------------------------------------------------------------


@hookimpl
def dashboard_widgets(association: AssociationRef, person: PersonRef) -> list[Section]:
    """For the association's coordinators and admins: who is in a pathway, this week's hours,
    reviews and waivers coming up, repeated absences — a fixed number of queries, whatever
    the number of pathways (each helper below is one query)."""
    if not has_role(association.id, Role.COORDINATOR):
        return []
    settings = settings_of(association)
    today = paris_today()
    monday, _ = week_of(today)
    week = schedule.week_summary(association.id, monday)
    reviews = pathways.reviews_due(association.id, today, days=REVIEWS_DUE_DAYS,
                                   interval_weeks=int(settings["review_interval_weeks"]))
    waiver_days = int(settings["waiver_warning_days"])
    ongoing = session.scalars(select(Pathway).where(
        Pathway.association_id == association.id, Pathway.status != PathwayStatus.ENDED)).all()
    states = pathways.waiver_states(list(ongoing), today, waiver_days)
    active_count = sum(p.status in OPEN_STATUSES for p in ongoing)
    to_plan = [p for p in ongoing if states[p.id].needed]
    ending = sorted((p for p in ongoing if states[p.id].ending_soon),
                    key=lambda p: (states[p.id].latest_end, p.id))
    flags = schedule.absence_flags(association.id, int(settings["absence_flag_threshold"]))
    names = {line.person_id: line.person_label for line in week}
    persons = {line.pathway_id: line.person_id for line in week}
    wanted = ({due.person_id for due in reviews} | {p.person_id for p in (*to_plan, *ending)}
              | {persons.get(p) for p in flags})
    if not wanted <= set(names):  # a pathway not in this week's lines (starting later, say)
        names.update(_names_of(association))

    def link(pathway_id: int, person_id: int | None) -> dict[str, Any]:
        return {"name": names.get(person_id, "Personne") if person_id else "Personne",
                "url": pathway_url(association, pathway_id)}

    context = {
        "association": association,
        "active_count": active_count,
        "worked": schedule.hours_label(sum(line.worked_hours for line in week)),
        "planned": schedule.hours_label(sum(line.planned_hours for line in week)),
        "target": schedule.hours_label(sum(line.target or 0 for line in week
                                           if line.status in OPEN_STATUSES)),
        "review_days": REVIEWS_DUE_DAYS,
        "reviews": [{**link(due.pathway_id, due.person_id), "day": due.next_review_on,
                     "late": due.next_review_on < today} for due in reviews],
        "waiver_days": waiver_days,
        "waivers": [{**link(p.id, p.person_id), "day": states[p.id].latest_end} for p in ending],
        "waivers_to_plan": [{**link(p.id, p.person_id), "target": states[p.id].target} for p in to_plan],
        "threshold": pathways.WAIVER_THRESHOLD_HOURS,
        "absences": [{**link(pathway_id, persons.get(pathway_id)), "count": count}
                     for pathway_id, count in sorted(flags.items(), key=lambda item: (-item[1], item[0]))],
    }
    return [Section(title=f"{TITLE} — {association.short_name}", template="premieres_heures/widget.html",
                    context=context, weight=20)]


def _names_of(association: AssociationRef) -> dict[int, str]:
    """Names of the association's people, in one query."""
    return {p.id: f"{p.first_name} {p.last_name}" for p in people_of(association)}


# --- a person's page ------------------------------------------------------------------------


@hookimpl
def person_sections(association: AssociationRef, person: PersonRef) -> list[Section]:
    """The person's pathway at a glance, for the association's coordinators and admins;
    nothing when the person has no pathway in the association."""
    if not has_role(association.id, Role.COORDINATOR):
        return []
    pathway = pathways.pathway_of_person(association.id, person.id)
    if pathway is None:
        return []
    settings = settings_of(association)
    today = paris_today()
    monday, _ = week_of(today)
    waiver = pathways.waiver_state_of(pathway, today, int(settings["waiver_warning_days"]))
    target = waiver.target
    next_review = pathways.next_reviews([pathway.id], int(settings["review_interval_weeks"]))
    week = schedule.sessions_of_week(association.id, monday, pathway_id=pathway.id)
    last = session.execute(
        select(WorkSession.starts_at, WorkSession.attendance)
        .where(WorkSession.pathway_id == pathway.id, WorkSession.attendance.is_not(None))
        .order_by(WorkSession.starts_at.desc()).limit(1)).first()
    host = partner(pathway.host_partner_id) if pathway.host_partner_id else None
    context = {
        "person": person,
        "status": pathways.STATUS_LABELS[pathway.status],
        "exit_date": pathway.exit_date,
        "exit_outcome": pathways.OUTCOME_LABELS[pathway.exit_outcome] if pathway.exit_outcome else None,
        "host": host.name if host else None,
        "target": schedule.hours_label(target) if target is not None else None,
        "next_review": next_review.get(pathway.id),
        "waiver": waiver,
        "threshold": pathways.WAIVER_THRESHOLD_HOURS,
        "worked": schedule.hours_label(sum(line.hours for line in week
                                           if line.attendance == Attendance.PRESENT)),
        "planned": schedule.hours_label(sum(line.hours for line in week)),
        "last_attendance": ({"label": schedule.ATTENDANCE_LABELS[last.attendance],
                             "day": in_paris(last.starts_at).date()} if last else None),
        "url": pathway_url(association, pathway.id),
    }
    return [Section(title=f"{TITLE} — {association.short_name}",
                    template="premieres_heures/person_section.html", context=context, weight=20)]


# --- the agenda ------------------------------------------------------------------------------


@hookimpl
def agenda_items(association: AssociationRef, start: datetime, end: datetime) -> list[AgendaItem]:
    return schedule.agenda_items_for(association, start, end)


# --- personal data and reports ---------------------------------------------------------------


@hookimpl
def export_person_data(person: PersonRef,
                       associations: frozenset[int] | None) -> PersonalData | None:
    return export_person(person, associations)


@hookimpl
def erase_person_data(person: PersonRef) -> int:
    return erase_person(person)


@hookimpl
def report_indicators(association: AssociationRef, period_start: date,
                      period_end: date) -> list[Indicator]:
    return indicators_for(association, period_start, period_end)



# --- demo data ------------------------------------------------------------------------------


@hookimpl
def load_demo_data(association: AssociationRef, today: date) -> None:
    demo.load(association, today)
