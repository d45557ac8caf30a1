"""The territory: its name, stage, neighbourhoods and EBEs (one per association)."""

from __future__ import annotations

from flask import flash, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.plugin_api import INVALID_FORM_STATUS, Level, access, neighbourhoods, partners, see_other, session
from plugins.tzcld.forms_territory import STAGE_LABELS, TerritoryForm
from plugins.tzcld.models import Stage, Territory, TerritoryEbe, TerritoryNeighbourhood
from plugins.tzcld.views import bp, render, team


@bp.route("/<association>/territoire", methods=["GET", "POST"])
@access(Level.MANAGER)
def territory_edit(association: str) -> Response | tuple[str, int]:
    current = team()
    territory = session.scalar(select(Territory).where(Territory.association_id == current.id))
    kept_ebes = {e.partner_id for e in territory.ebes} if territory else set()
    if request.method == "GET" and territory is not None:
        form = TerritoryForm(data={
            "name": territory.name, "stage": territory.stage.value,
            "authorised_on": territory.authorised_on, "ended_on": territory.ended_on,
            "neighbourhoods": [n.neighbourhood_id for n in territory.neighbourhoods],
            "ebes": sorted(kept_ebes)})
    else:
        form = TerritoryForm(data={"name": current.name} if request.method == "GET" else None)
    form.neighbourhoods.choices = [(n.id, f"{n.name} ({n.city})" if n.city else n.name)
                                   for n in neighbourhoods()]
    # EBEs of the directory, and those already linked whatever their kind now.
    form.ebes.choices = [(p.id, p.name) for p in partners() if p.kind == "ebe" or p.id in kept_ebes]
    if form.validate_on_submit():
        if territory is None:
            territory = Territory(association_id=current.id)
            session.add(territory)
        territory.name, territory.stage = form.name.data, Stage(form.stage.data)
        territory.authorised_on, territory.ended_on = form.authorised_on.data, form.ended_on.data
        territory.neighbourhoods = [TerritoryNeighbourhood(neighbourhood_id=n)
                                    for n in form.neighbourhoods.data]
        territory.ebes = [TerritoryEbe(partner_id=p) for p in form.ebes.data]
        session.commit()
        flash("Territoire enregistré.", "success")
        return see_other("tzcld.home", association=current.slug)
    return render("territory_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, stage_labels=STAGE_LABELS)
