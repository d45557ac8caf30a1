from __future__ import annotations

from flask import flash, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.auth.permissions import Level, access, is_collective_admin
from core.database import session
from core.members.forms import NeighbourhoodForm
from core.members.neighbourhoods import Neighbourhood
from core.members.views import bp
from core.web.forms import INVALID_FORM_STATUS, add_error, name_taken
from core.web.views import commit_or_conflict, get_or_404, see_other

TAKEN = "Ce quartier existe déjà."


def _save(form: NeighbourhoodForm, neighbourhood: Neighbourhood) -> bool:
    if not form.validate():
        return False
    others = select(Neighbourhood.id).where(Neighbourhood.id != (neighbourhood.id or -1))
    if name_taken(Neighbourhood.name, form.name.data, others.whereclause):
        add_error(form.name, TAKEN)
        return False
    if form.qpv_code.data and session.scalar(
        others.where(Neighbourhood.qpv_code == form.qpv_code.data)
    ):
        add_error(form.qpv_code, "Ce code QPV est déjà attribué à un autre quartier.")
        return False
    neighbourhood.name = form.name.data
    neighbourhood.city = form.city.data or ""
    neighbourhood.qpv_code = form.qpv_code.data or None
    session.add(neighbourhood)
    return commit_or_conflict(form.name, TAKEN)


@bp.get("/quartiers/")
@access(Level.MEMBER)
def neighbourhood_list() -> str:
    neighbourhoods = session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)).all()
    return render_template("members/neighbourhood_list.html", neighbourhoods=neighbourhoods,
                           can_edit=is_collective_admin())


@bp.route("/quartiers/nouveau", methods=["GET", "POST"])
@access(Level.COLLECTIVE_ADMIN)
def neighbourhood_create() -> Response | tuple[str, int]:
    form = NeighbourhoodForm()
    if form.is_submitted():
        if _save(form, Neighbourhood()):
            flash("Quartier ajouté.", "success")
            return see_other("members.neighbourhood_list")
        return render_template("members/neighbourhood_form.html", form=form), INVALID_FORM_STATUS
    return render_template("members/neighbourhood_form.html", form=form), 200


@bp.route("/quartiers/<int:neighbourhood_id>/modifier", methods=["GET", "POST"])
@access(Level.COLLECTIVE_ADMIN)
def neighbourhood_edit(neighbourhood_id: int) -> Response | tuple[str, int]:
    neighbourhood = get_or_404(Neighbourhood, neighbourhood_id)
    form = NeighbourhoodForm(obj=neighbourhood)
    if form.is_submitted():
        if _save(form, neighbourhood):
            flash("Quartier modifié.", "success")
            return see_other("members.neighbourhood_list")
        session.rollback()
        return render_template("members/neighbourhood_form.html", form=form), INVALID_FORM_STATUS
    return render_template("members/neighbourhood_form.html", form=form), 200
