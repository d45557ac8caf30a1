"""A site's timeline: lots × months, from ``?depuis=YYYY-MM-DD`` (this month by default), as
many months as the association's setting says."""

from __future__ import annotations

from flask import request

from core.plugin_api import Level, access, add_months, day_param, month_label, paris_today
from plugins.sites.models import Site
from plugins.sites.settings import rules_of
from plugins.sites.timeline import timeline_of
from plugins.sites.views import bp, own_or_404, render, team


@bp.get("/<association>/sites/<int:site_id>/calendrier")
@access(Level.MANAGER)
def site_timeline(association: str, site_id: int) -> tuple[str, int]:
    current = team()
    site = own_or_404(Site, site_id, current)
    count = rules_of(current).timeline_months
    first = day_param(request.args.get("depuis"), paris_today()).replace(day=1)
    timeline = timeline_of(site.id, first, count, site.available_from, site.available_until)
    return render("timeline.html", association=current, site=site, timeline=timeline,
                  earlier=add_months(first, -count), later=add_months(first, count),
                  period=f"{month_label(timeline.months[0], short=True)} – "
                         f"{month_label(timeline.months[-1], short=True)}")
