"""The territory at a glance: who waits for a job and for how long, and this month's staff."""

from __future__ import annotations

from sqlalchemy import select

from core.plugin_api import Level, access, month_label, paris_today, people_of, plugin_associations, session
from plugins.tzcld.models import Territory
from plugins.tzcld.register import waiting_of
from plugins.tzcld.settings import rules_of
from plugins.tzcld.staff import contracts_of, monthly_figures
from plugins.tzcld.views import bp, render, team_or_reader

LONGEST_SHOWN = 10  # a glance: the whole list is the exhaustiveness page's


@bp.get("/")
@access(Level.MANAGER)
def index() -> tuple[str, int]:
    """The associations of the user that run the plugin."""
    return render("index.html", associations=plugin_associations())


@bp.get("/<association>/")
@access(Level.MEMBER)
def home(association: str) -> tuple[str, int]:
    """For the team, and for the committee's readers without the names of who waits."""
    current, in_team = team_or_reader()
    rules = rules_of(current)
    today = paris_today()
    territory = session.scalar(select(Territory).where(Territory.association_id == current.id))
    waiting = waiting_of(current.id, today, rules.waiting_alert_days)
    month = today.replace(day=1)
    [figures] = monthly_figures(contracts_of(current.id, month, today), month, month, rules)
    shown = waiting.over_threshold[:LONGEST_SHOWN] if in_team else []
    names = {p.id: f"{p.first_name} {p.last_name}"
             for p in people_of(current, ids={w.person_id for w in shown})}
    return render("home.html", association=current, territory=territory, waiting=waiting,
                  threshold=rules.waiting_alert_days, figures=figures, month=month_label(month),
                  names=names, in_team=in_team, shown=shown)
