"""The funnel page, for coordinators: reached → identified → engaged → exits, with the
conversion rates, as a chart and tables.

Route: GET /p/allervers/<association>/entonnoir — ``allervers.funnel`` (the benchmark
bench/allervers.py calls it). Filters in the query string: ``du`` and ``au`` (days,
AAAA-MM-JJ), ``quartier`` (a neighbourhood's id), ``lieu`` (a place kind), ``action`` (an
action's id). A value that cannot be read is ignored, with a French message on the page.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import render_template, request
from sqlalchemy import select

from core.plugin_api import (
    Level,
    Series,
    access,
    as_id,
    bar_chart,
    neighbourhoods,
    session,
)
from plugins.allervers import TITLE
from plugins.allervers.funnel import EXIT_LABELS, STAGES, FunnelFilters, funnel
from plugins.allervers.models_outreach import OutreachAction, PlaceKind
from plugins.allervers.outreach import PLACE_LABELS
from plugins.allervers.views import bp, coordination

ACTION_CHOICES = 100


def _day(name: str, label: str, problems: list[str]) -> date | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:  # the date picker sends 2026-03-01; typed by hand (no picker), 01/03/2026
        day = date.fromisoformat(value) if "-" in value else datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        problems.append(f"{label} : date illisible (exemple : 01/03/2026), filtre ignoré.")
        return None
    if not 1900 <= day.year <= 2200:
        problems.append(f"{label} : date hors du calendrier, filtre ignoré.")
        return None
    return day


def _filters(neighbourhood_ids: set[int], action_ids: set[int]) -> tuple[FunnelFilters, list[str]]:
    problems: list[str] = []
    start, end = _day("du", "Du", problems), _day("au", "Au", problems)
    if start and end and end < start:
        problems.append("La fin de la période est avant son début : période ignorée.")
        start = end = None
    neighbourhood = None
    if request.args.get("quartier"):
        neighbourhood = as_id(request.args["quartier"])
        if neighbourhood not in neighbourhood_ids:
            problems.append("Quartier inconnu : filtre ignoré.")
            neighbourhood = None
    place = None
    if request.args.get("lieu"):
        try:
            place = PlaceKind(request.args["lieu"])
        except ValueError:
            problems.append("Type de lieu inconnu : filtre ignoré.")
    action = None
    if request.args.get("action"):
        action = as_id(request.args["action"])
        if action not in action_ids:
            problems.append("Action inconnue : filtre ignoré.")
            action = None
    return FunnelFilters(start=start, end=end, neighbourhood_id=neighbourhood, place_kind=place,
                         action_id=action), problems


@bp.get("/<association>/entonnoir", endpoint="funnel")
@access(Level.MANAGER)
def funnel_page(association: str) -> str:
    current = coordination()
    places = neighbourhoods()
    # The actions offered in the filter: the most recent ones; an older one is still read
    # from ?action= when it is the association's (one more query, always run).
    wanted = as_id(request.args.get("action", "")) or 0
    actions = session.execute(
        select(OutreachAction.id, OutreachAction.starts_at, OutreachAction.place)
        .where(OutreachAction.association_id == current.id)
        .order_by(OutreachAction.starts_at.desc(), OutreachAction.id.desc()).limit(ACTION_CHOICES)
    ).all()
    known = {row[0] for row in actions}
    if wanted and wanted not in known and session.scalar(
            select(OutreachAction.id).where(OutreachAction.id == wanted,
                                            OutreachAction.association_id == current.id)):
        known.add(wanted)
    filters, problems = _filters({n.id for n in places}, known)
    figures = funnel(current.id, filters)
    total = figures.total
    chart = bar_chart("Personnes à chaque étape", list(STAGES), [Series("Personnes", total.counts)],
                      category="Étape",
                      caption="Rencontrées : comptées, ou identifiées sans avoir été comptées.")
    by_place_chart = bar_chart(
        "Par type de lieu", [s.label for s in figures.by_place],
        [Series(name, [s.counts[i] for s in figures.by_place]) for i, name in enumerate(STAGES)],
        category="Type de lieu")
    return render_template("allervers/funnel.html", title=TITLE, association=current,
                           figures=figures, chart=chart, by_place_chart=by_place_chart,
                           problems=problems, filters=filters, neighbourhoods=places,
                           actions=actions, place_labels=PLACE_LABELS, exit_labels=EXIT_LABELS,
                           stages=STAGES)
