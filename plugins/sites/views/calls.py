"""Calls for applications, the team's side: the list, a call's page (its lots, criteria,
applications received and the public address to share), creating and changing a call and
its criteria, and the files applicants sent (served to the team only)."""

from __future__ import annotations

from flask import abort, flash, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    add_error,
    external_url,
    id_arg,
    paris_today,
    see_other,
    send_upload,
    session,
)
from plugins.sites.calls import (
    STATE_LABELS,
    applications_count,
    calls_of,
    criteria_of,
    is_scored,
    lots_of_call,
    next_position,
    set_lots,
    state_of,
    wished_lots,
)
from plugins.sites.forms_calls import CallForm, CriterionForm
from plugins.sites.models import Lot, Site
from plugins.sites.models_calls import Attachment, Call, CallLot, Criterion
from plugins.sites.numbers import format_decimal
from plugins.sites.occupancy import KIND_LABELS
from plugins.sites.views import bp, own_or_404, render, team


def _lot_label(site_name: str, lot: Lot) -> str:
    return f"{site_name} — {lot.code} : {KIND_LABELS[lot.kind].lower()}, {format_decimal(lot.area)} m²"


def _form(current: AssociationRef, call: Call | None) -> CallForm:
    rows = session.execute(select(Lot, Site.name).join(Site, Site.id == Lot.site_id)
                           .where(Lot.association_id == current.id)
                           .order_by(Site.name, Site.id, Lot.code, Lot.id)).all()
    lot_sites = {lot.id: lot.site_id for lot, _ in rows}
    if request.method == "GET" and call is not None:
        chosen = list(session.scalars(select(CallLot.lot_id).where(CallLot.call_id == call.id)))
        form = CallForm(lot_sites=lot_sites, data={
            "site_id": call.site_id, "title": call.title, "presentation": call.presentation,
            "opens_on": call.opens_on, "closes_on": call.closes_on, "lot_ids": chosen,
            "published": call.published})
    elif request.method == "GET":
        # From a site's page (?site=…), or the association's only site.
        site_ids = sorted(set(lot_sites.values()))
        wanted = id_arg("site")
        site_id = wanted if wanted in site_ids else (site_ids[0] if len(site_ids) == 1 else None)
        form = CallForm(lot_sites=lot_sites, data={"site_id": site_id} if site_id else None)
    else:
        form = CallForm(lot_sites=lot_sites)
    sites = session.execute(select(Site.id, Site.name).where(Site.association_id == current.id)
                            .order_by(Site.name, Site.id)).all()
    form.site_id.choices = [(site_id, name) for site_id, name in sites]
    form.lot_ids.choices = [(lot.id, _lot_label(name, lot)) for lot, name in rows]
    return form


def _save(current: AssociationRef, call: Call | None) -> Response | tuple[str, int]:
    form = _form(current, call)
    if form.validate_on_submit():
        chosen = set(form.lot_ids.data or [])
        kept = wished_lots(call.id) - chosen if call is not None else set()
        if kept:
            codes = ", ".join(sorted(session.scalars(select(Lot.code).where(Lot.id.in_(kept)))))
            add_error(form.lot_ids, f"Des candidatures demandent déjà le lot {codes} : il reste dans l'appel."
                      if len(kept) == 1 else
                      f"Des candidatures demandent déjà les lots {codes} : ils restent dans l'appel.")
        else:
            if call is None:
                call = Call(association_id=current.id)
                session.add(call)
            call.site_id, call.title = form.site_id.data, form.title.data
            call.presentation = form.presentation.data or ""
            call.opens_on, call.closes_on = form.opens_on.data, form.closes_on.data
            call.published = bool(form.published.data)
            session.flush()
            set_lots(call, chosen)
            session.commit()
            flash(f"Appel « {call.title} » enregistré.", "success")
            return see_other("sites.call_detail", association=current.slug, call_id=call.id)
    return render("call_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, call=call,
                  heading=f"Modifier l'appel « {call.title} »" if call else "Nouvel appel à candidatures")


@bp.get("/<association>/appels/")
@access(Level.MANAGER)
def call_list(association: str) -> tuple[str, int]:
    current = team()
    today = paris_today()
    calls = [(line, state_of(line, today)) for line in calls_of(current.id)]
    return render("call_list.html", association=current, calls=calls, states=STATE_LABELS)


@bp.route("/<association>/appels/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def call_create(association: str) -> Response | tuple[str, int]:
    return _save(team(), None)


@bp.route("/<association>/appels/<int:call_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def call_edit(association: str, call_id: int) -> Response | tuple[str, int]:
    current = team()
    return _save(current, own_or_404(Call, call_id, current))


@bp.get("/<association>/appels/<int:call_id>")
@access(Level.MANAGER)
def call_detail(association: str, call_id: int) -> tuple[str, int]:
    current = team()
    call = own_or_404(Call, call_id, current)
    site = own_or_404(Site, call.site_id, current)
    return render("call_detail.html", association=current, call=call, site=site,
                  state=state_of(call, paris_today()), states=STATE_LABELS, lots=lots_of_call(call.id),
                  kinds=KIND_LABELS, criteria=criteria_of(call.id), received=applications_count(call.id),
                  public_url=external_url("sites.public_call", association=current.slug, call_id=call.id))


def _save_criterion(current: AssociationRef, call: Call,
                    criterion: Criterion | None) -> Response | tuple[str, int]:
    if request.method == "GET" and criterion is not None:
        form = CriterionForm(data={"label": criterion.label, "description": criterion.description,
                                   "weight": criterion.weight})
    else:
        form = CriterionForm(data={"weight": 1} if request.method == "GET" else None)
    if form.validate_on_submit():
        if criterion is None:
            criterion = Criterion(call_id=call.id, position=next_position(call.id))
            session.add(criterion)
        criterion.label, criterion.description = form.label.data, form.description.data or ""
        criterion.weight = form.weight.data
        session.commit()
        flash(f"Critère « {criterion.label} » enregistré.", "success")
        return see_other("sites.call_detail", association=current.slug, call_id=call.id, _anchor="criteres")
    return render("call_criterion_form.html", INVALID_FORM_STATUS if form.errors else 200,
                  association=current, call=call, form=form,
                  heading=f"Critère « {criterion.label} »" if criterion else "Nouveau critère")


def _criterion_or_404(current: AssociationRef, criterion_id: int) -> tuple[Criterion, Call]:
    # A criterion has no association of its own: its call's says whose it is.
    criterion = session.get(Criterion, criterion_id)
    if criterion is None:
        abort(404)
    return criterion, own_or_404(Call, criterion.call_id, current)


@bp.route("/<association>/appels/<int:call_id>/criteres/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def criterion_create(association: str, call_id: int) -> Response | tuple[str, int]:
    current = team()
    return _save_criterion(current, own_or_404(Call, call_id, current), None)


@bp.route("/<association>/criteres/<int:criterion_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def criterion_edit(association: str, criterion_id: int) -> Response | tuple[str, int]:
    current = team()
    criterion, call = _criterion_or_404(current, criterion_id)
    return _save_criterion(current, call, criterion)


@bp.post("/<association>/criteres/<int:criterion_id>/supprimer")
@access(Level.MANAGER)
def criterion_delete(association: str, criterion_id: int) -> Response:
    current = team()
    criterion, call = _criterion_or_404(current, criterion_id)
    label = criterion.label
    if is_scored(criterion.id):
        flash(f"Le critère « {label} » a déjà servi à noter des candidatures : il ne peut plus "
              "être supprimé (les notes données en dépendent).", "error")
    else:
        session.delete(criterion)
        session.commit()
        flash(f"Critère « {label} » supprimé.", "success")
    return see_other("sites.call_detail", association=current.slug, call_id=call.id, _anchor="criteres")


@bp.get("/<association>/pieces/<int:attachment_id>")
@access(Level.MANAGER)
def attachment_file(association: str, attachment_id: int) -> Response:
    """A file an applicant sent, for the association's team (404 for another's)."""
    return send_upload(own_or_404(Attachment, attachment_id, team()).file)
