"""Weekly schedule, work sessions and attendance, for the association's coordinators.

Routes (all under /p/premieres_heures/<association>/, coordinators of that association):

- GET       semaine/                                   week_overview
- GET       semaine/structure/<partner_id>             host_week
- POST      semaine/structure/<partner_id>/presences   host_week_attendance
- GET       semaine/parcours/<pathway_id>              person_week
- POST      semaine/parcours/<pathway_id>/presences    person_week_attendance
- GET, POST parcours/<pathway_id>/seances/nouvelle     session_new
- GET, POST parcours/<pathway_id>/seances/<id>/modifier  session_edit
- POST      parcours/<pathway_id>/seances/<id>/supprimer session_delete

Weeks run Monday to Sunday in Paris time; ``?jour=YYYY-MM-DD`` picks the week holding that
day (today by default).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from flask import abort, flash, render_template, request, url_for
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    add_error,
    as_id,
    day_param,
    in_paris,
    paris_today,
    partner,
    see_other,
    session,
    utcnow,
)
from plugins.premieres_heures import TITLE
from plugins.premieres_heures.forms_schedule import SessionForm
from plugins.premieres_heures.models import Attendance, Pathway, WorkSession
from plugins.premieres_heures.pathways import pathway_or_404
from plugins.premieres_heures.plan import week_of
from plugins.premieres_heures.schedule import (
    ATTENDANCE_LABELS,
    SessionLine,
    SessionRefused,
    absence_flag_message,
    absence_flags,
    clock_label,
    day_label,
    host_in_use,
    hosts_in_use,
    hours_label,
    mark_attendances,
    over_target_message,
    person_name,
    planned_hours_by_pathway,
    save_session,
    session_in,
    sessions_of_week,
    week_summary,
    week_targets,
)
from plugins.premieres_heures.settings import DEFAULT_SETTINGS, settings_of
from plugins.premieres_heures.views import bp, coordination

PRESENCE_PREFIX = "presence-"


# --- helpers -----------------------------------------------------------------------------------


def _day_asked(value: str | None) -> date:
    return day_param(value, paris_today())


def _threshold(association: AssociationRef) -> int:
    try:
        return int(settings_of(association)["absence_flag_threshold"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_SETTINGS["absence_flag_threshold"]


def _week_nav(endpoint: str, monday: date, **values: Any) -> dict[str, str]:
    return {
        "previous": url_for(endpoint, **values, jour=(monday - timedelta(days=7)).isoformat()),
        "current": url_for(endpoint, **values, jour=paris_today().isoformat()),
        "following": url_for(endpoint, **values, jour=(monday + timedelta(days=7)).isoformat()),
    }


def _days(monday: date, lines: list[SessionLine]) -> list[tuple[date, list[SessionLine]]]:
    grouped: dict[date, list[SessionLine]] = defaultdict(list)
    for line in lines:
        grouped[line.day].append(line)
    return [(monday + timedelta(days=n), grouped.get(monday + timedelta(days=n), []))
            for n in range(7)]


def _helpers() -> dict[str, Any]:
    return {"title": TITLE, "hours": hours_label, "clock": clock_label, "day_label": day_label,
            "attendance_labels": ATTENDANCE_LABELS, "now": utcnow(), "today": paris_today()}


def _chosen_attendance() -> dict[int, str]:
    chosen: dict[int, str] = {}
    for key, value in request.form.items():
        if key.startswith(PRESENCE_PREFIX):
            session_id = as_id(key[len(PRESENCE_PREFIX):])
            if session_id is None:
                abort(404)
            chosen[session_id] = value
    return chosen


def _save_attendance(association: AssociationRef, **scope: int) -> str | None:
    """Record the attendance posted; the refusal's message if it is refused (rolled back)."""
    try:
        count = mark_attendances(association.id, _chosen_attendance(), **scope)
    except LookupError:
        session.rollback()
        abort(404)
    except SessionRefused as refusal:
        session.rollback()
        return str(refusal)
    session.commit()
    flash("Présences enregistrées." if count else "Aucune présence à enregistrer.", "success")
    return None


# --- the weeks ---------------------------------------------------------------------------------


@bp.get("/<association>/semaine/")
@access(Level.MANAGER)
def week_overview(association: str) -> str:
    """The week at every host structure in use, and each person's hours against the target."""
    current = coordination()
    monday, _ = week_of(_day_asked(request.args.get("jour")))
    flags = absence_flags(current.id, _threshold(current))
    return render_template(
        "premieres_heures/schedule_overview.html", association=current, monday=monday,
        nav=_week_nav("premieres_heures.week_overview", monday, association=current.slug),
        hosts=hosts_in_use(current.id, monday), people=week_summary(current.id, monday),
        flags=flags, flag_message=absence_flag_message, over_target=over_target_message,
        **_helpers())


def _render_host_week(current: AssociationRef, partner_id: int, day: date,
                      status: int = 200) -> tuple[str, int]:
    host = host_in_use(current.id, partner_id)
    if host is None:
        abort(404)
    monday, _ = week_of(day)
    lines = sessions_of_week(current.id, monday, host_partner_id=partner_id)
    pathway_ids = {line.pathway_id for line in lines}
    planned = planned_hours_by_pathway(current.id, monday, pathway_ids)
    targets = week_targets(pathway_ids, monday)
    flags = absence_flags(current.id, _threshold(current))
    people: dict[int, str] = {}
    for line in lines:
        people.setdefault(line.pathway_id, line.person_label)
    notices = _notices(people, planned, targets, flags)
    return render_template(
        "premieres_heures/schedule_host_week.html", association=current, monday=monday,
        host_name=host[0], host_address=host[1], partner_id=partner_id,
        nav=_week_nav("premieres_heures.host_week", monday, association=current.slug,
                      partner_id=partner_id),
        days=_days(monday, lines), notices=notices,
        attendance_action=url_for("premieres_heures.host_week_attendance",
                                  association=current.slug, partner_id=partner_id),
        show_person=True, **_helpers()), status


def _notices(people: dict[int, str], planned: dict[int, float], targets: dict[int, int],
             flags: dict[int, int]) -> list[tuple[int, str, str]]:
    """(pathway_id, person, message) for each warning of the week, by person."""
    found = []
    for pathway_id, name in sorted(people.items(), key=lambda item: item[1].lower()):
        target = targets.get(pathway_id)
        if target is not None and planned.get(pathway_id, 0.0) > target:
            found.append((pathway_id, name, over_target_message(planned[pathway_id], target) + "."))
        if pathway_id in flags:
            found.append((pathway_id, name, absence_flag_message(flags[pathway_id]) + "."))
    return found


@bp.get("/<association>/semaine/structure/<int:partner_id>")
@access(Level.MANAGER)
def host_week(association: str, partner_id: int) -> tuple[str, int]:
    """The week at one host structure: every session, who, what, and attendance."""
    current = coordination()
    return _render_host_week(current, partner_id, _day_asked(request.args.get("jour")))


@bp.post("/<association>/semaine/structure/<int:partner_id>/presences")
@access(Level.MANAGER)
def host_week_attendance(association: str, partner_id: int) -> Response | tuple[str, int]:
    current = coordination()
    if host_in_use(current.id, partner_id) is None:
        abort(404)
    day = _day_asked(request.form.get("jour"))
    refused = _save_attendance(current, host_partner_id=partner_id)
    if refused:
        flash(refused, "error")
        return _render_host_week(current, partner_id, day, INVALID_FORM_STATUS)
    return see_other("premieres_heures.host_week", association=current.slug,
                     partner_id=partner_id, jour=day.isoformat())


def _render_person_week(current: AssociationRef, pathway: Pathway, day: date,
                        status: int = 200, form: SessionForm | None = None) -> tuple[str, int]:
    monday, _ = week_of(day)
    lines = sessions_of_week(current.id, monday, pathway_id=pathway.id)
    planned = sum(line.hours for line in lines)
    worked = sum(line.hours for line in lines
                 if line.attendance == Attendance.PRESENT)
    target = week_targets([pathway.id], monday).get(pathway.id)
    flag = absence_flags(current.id, _threshold(current)).get(pathway.id)
    host = partner(pathway.host_partner_id) if pathway.host_partner_id else None
    if form is None:
        form = SessionForm(formdata=None)
        today = paris_today()
        form.day.data = today if monday <= today < monday + timedelta(days=7) else monday
        if lines:
            form.supervisor.data = lines[-1].supervisor
            form.task.data = lines[-1].task
    return render_template(
        "premieres_heures/schedule_person_week.html", association=current, monday=monday,
        pathway=pathway, person=person_name(pathway.person_id), host=host,
        nav=_week_nav("premieres_heures.person_week", monday, association=current.slug,
                      pathway_id=pathway.id),
        days=_days(monday, lines), planned=planned, worked=worked, target=target, flag=flag,
        over_target=target is not None and planned > target,
        over_target_text=over_target_message(planned, target) if target is not None else "",
        flag_text=absence_flag_message(flag) if flag else "", form=form,
        attendance_action=url_for("premieres_heures.person_week_attendance",
                                  association=current.slug, pathway_id=pathway.id),
        show_person=False, **_helpers()), status


@bp.get("/<association>/semaine/parcours/<int:pathway_id>")
@access(Level.MANAGER)
def person_week(association: str, pathway_id: int) -> tuple[str, int]:
    """One person's week: sessions, planned and worked hours against the target."""
    current = coordination()
    pathway = pathway_or_404(current.id, pathway_id)
    return _render_person_week(current, pathway, _day_asked(request.args.get("jour")))


@bp.post("/<association>/semaine/parcours/<int:pathway_id>/presences")
@access(Level.MANAGER)
def person_week_attendance(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway = pathway_or_404(current.id, pathway_id)
    day = _day_asked(request.form.get("jour"))
    refused = _save_attendance(current, pathway_id=pathway.id)
    if refused:
        flash(refused, "error")
        pathway = pathway_or_404(current.id, pathway_id)
        return _render_person_week(current, pathway, day, INVALID_FORM_STATUS)
    return see_other("premieres_heures.person_week", association=current.slug,
                     pathway_id=pathway_id, jour=day.isoformat())


# --- sessions ----------------------------------------------------------------------------------


def _render_form(current: AssociationRef, pathway: Pathway, form: SessionForm,
                 row: WorkSession | None, status: int) -> tuple[str, int]:
    day = form.day.data if isinstance(form.day.data, date) else paris_today()
    return render_template(
        "premieres_heures/session_form.html", association=current, pathway=pathway,
        person=person_name(pathway.person_id), form=form, row=row,
        cancel=url_for("premieres_heures.person_week", association=current.slug,
                       pathway_id=pathway.id, jour=day.isoformat()),
        **_helpers()), status


def _save(current: AssociationRef, pathway: Pathway, form: SessionForm,
          row: WorkSession | None) -> Response | tuple[str, int]:
    """Save the valid form; on a refusal, roll back and show the message by its field."""
    fields = form.fields_typed()
    try:
        saved = save_session(pathway, fields, existing=row)
    except SessionRefused as refusal:
        session.rollback()
        add_error(getattr(form, refusal.field), str(refusal))
        pathway = pathway_or_404(current.id, pathway.id)
        return _render_form(current, pathway, form, row, INVALID_FORM_STATUS)
    session.commit()
    flash("Séance enregistrée." if row is None else "Séance modifiée.", "success")
    if saved.warning:
        flash(saved.warning, "warning")
    return see_other("premieres_heures.person_week", association=current.slug,
                     pathway_id=pathway.id, jour=fields.day.isoformat())


@bp.route("/<association>/parcours/<int:pathway_id>/seances/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def session_new(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway = pathway_or_404(current.id, pathway_id)
    form = SessionForm()
    if form.validate_on_submit():
        return _save(current, pathway, form, None)
    if request.method == "GET":
        form.day.data = _day_asked(request.args.get("jour"))
    return _render_form(current, pathway, form, None, INVALID_FORM_STATUS if form.errors else 200)


def _session_or_404(current: AssociationRef, pathway_id: int, session_id: int) -> WorkSession:
    row = session_in(current.id, pathway_id, session_id)
    if row is None:
        abort(404)
    return row


@bp.route("/<association>/parcours/<int:pathway_id>/seances/<int:session_id>/modifier",
          methods=["GET", "POST"])
@access(Level.MANAGER)
def session_edit(association: str, pathway_id: int, session_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway = pathway_or_404(current.id, pathway_id)
    row = _session_or_404(current, pathway_id, session_id)
    form = SessionForm()
    if form.validate_on_submit():
        return _save(current, pathway, form, row)
    if request.method == "GET":
        start = in_paris(row.starts_at)
        form.day.data, form.start.data = start.date(), start.time()
        form.end.data = in_paris(row.ends_at).time()
        form.supervisor.data, form.task.data = row.supervisor, row.task
    return _render_form(current, pathway, form, row, INVALID_FORM_STATUS if form.errors else 200)


@bp.post("/<association>/parcours/<int:pathway_id>/seances/<int:session_id>/supprimer")
@access(Level.MANAGER)
def session_delete(association: str, pathway_id: int, session_id: int) -> Response:
    current = coordination()
    pathway_or_404(current.id, pathway_id)
    row = _session_or_404(current, pathway_id, session_id)
    day = in_paris(row.starts_at).date()
    session.delete(row)
    session.commit()
    flash("Séance supprimée.", "success")
    return see_other("premieres_heures.person_week", association=current.slug,
                     pathway_id=pathway_id, jour=day.isoformat())
