"""An occupant's commitments: listed, added, changed and deleted from the allocation's page
of commitments; each with its yearly follow-up, a year × target / achieved / rate table and
the form that records a year (saving a year again changes it)."""

from __future__ import annotations

from flask import flash, request
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    add_error,
    paris_today,
    see_other,
    session,
)
from plugins.sites.commitments import (
    KIND_LABELS,
    FollowUpRefused,
    commitments_of,
    follow_up_of,
    follow_ups_of,
    save_follow_up,
    years_of,
)
from plugins.sites.forms_commitments import CommitmentForm, FollowUpForm
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.models_agreements import Commitment, CommitmentKind
from plugins.sites.views import bp, own_or_404, render, team


def _places(current: AssociationRef, allocation: Allocation) -> tuple[Lot, Site]:
    lot = own_or_404(Lot, allocation.lot_id, current)
    return lot, own_or_404(Site, lot.site_id, current)


def _write(commitment: Commitment, form: CommitmentForm) -> None:
    commitment.kind, commitment.description = CommitmentKind(form.kind.data), form.description.data
    commitment.target, commitment.unit = form.target.data, form.unit.data or ""


def _list_page(current: AssociationRef, allocation: Allocation, form: CommitmentForm) -> tuple[str, int]:
    lot, site = _places(current, allocation)
    commitments = commitments_of(allocation.id)
    return render("commitment_list.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  site=site, lot=lot, allocation=allocation, commitments=commitments, kinds=KIND_LABELS,
                  years=follow_ups_of(commitments, years_of(allocation)), form=form)


@bp.route("/<association>/attributions/<int:allocation_id>/engagements", methods=["GET", "POST"])
@access(Level.MANAGER)
def commitment_list(association: str, allocation_id: int) -> Response | tuple[str, int]:
    current = team()
    allocation = own_or_404(Allocation, allocation_id, current)
    fresh = {"kind": CommitmentKind.PUBLIC_OPENING.value}
    form = CommitmentForm(data=fresh if request.method == "GET" else None)
    if form.validate_on_submit():
        commitment = Commitment(association_id=current.id, allocation_id=allocation.id)
        _write(commitment, form)
        session.add(commitment)
        session.commit()
        flash("Engagement ajouté.", "success")
        return see_other("sites.commitment_list", association=current.slug, allocation_id=allocation.id)
    return _list_page(current, allocation, form)


@bp.route("/<association>/engagements/<int:commitment_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def commitment_edit(association: str, commitment_id: int) -> Response | tuple[str, int]:
    current = team()
    commitment = own_or_404(Commitment, commitment_id, current)
    allocation = own_or_404(Allocation, commitment.allocation_id, current)
    lot, site = _places(current, allocation)
    form = CommitmentForm(data={"kind": commitment.kind.value, "description": commitment.description,
                                "target": commitment.target, "unit": commitment.unit}
                          if request.method == "GET" else None)
    if form.validate_on_submit():
        _write(commitment, form)
        session.commit()
        flash("Engagement enregistré.", "success")
        return see_other("sites.commitment_list", association=current.slug, allocation_id=allocation.id)
    return render("commitment_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  site=site, lot=lot, allocation=allocation, commitment=commitment, form=form)


@bp.post("/<association>/engagements/<int:commitment_id>/supprimer")
@access(Level.MANAGER)
def commitment_delete(association: str, commitment_id: int) -> Response:
    current = team()
    commitment = own_or_404(Commitment, commitment_id, current)
    allocation_id = commitment.allocation_id
    session.delete(commitment)  # its follow-up goes with the database's cascade
    session.commit()
    flash("Engagement supprimé, avec son suivi.", "success")
    return see_other("sites.commitment_list", association=current.slug, allocation_id=allocation_id)


def _chosen_year(years: list[int]) -> int:
    """The year of ``?annee=`` if the allocation covers it, else this year, else its first."""
    asked = request.args.get("annee", type=int)
    if asked in years:
        return asked
    this_year = paris_today().year
    return this_year if this_year in years else years[0]


def _follow_up_form(commitment: Commitment, years: list[int]) -> FollowUpForm:
    if request.method != "GET":
        form = FollowUpForm()
    else:
        year = _chosen_year(years)
        row = follow_up_of(commitment.id, year)
        form = FollowUpForm(data={"year": year, "achieved": row.achieved if row else None,
                                  "comment": row.comment if row else ""})
    form.year.choices = [(year, str(year)) for year in years]
    return form


@bp.route("/<association>/engagements/<int:commitment_id>/suivi", methods=["GET", "POST"])
@access(Level.MANAGER)
def commitment_follow_up(association: str, commitment_id: int) -> Response | tuple[str, int]:
    current = team()
    commitment = own_or_404(Commitment, commitment_id, current)
    allocation = own_or_404(Allocation, commitment.allocation_id, current)
    lot, site = _places(current, allocation)
    years = years_of(allocation)
    form = _follow_up_form(commitment, years)
    if form.validate_on_submit():
        saved = False
        for _attempt in range(2):  # the same year saved by someone else at once: then change theirs
            try:
                save_follow_up(commitment, allocation, form.year.data, form.achieved.data,
                               form.comment.data or "")
                session.commit()
            except FollowUpRefused as refusal:
                session.rollback()
                add_error(getattr(form, refusal.field), str(refusal))
                break
            except IntegrityError:
                session.rollback()
            else:
                saved = True
                break
        else:
            add_error(form.year, "Ce suivi vient d'être changé par quelqu'un d'autre : réessayez.")
        if saved:
            flash(f"Suivi de {form.year.data} enregistré.", "success")
            return see_other("sites.commitment_follow_up", association=current.slug,
                             commitment_id=commitment.id)
    return render("commitment_follow_up.html", INVALID_FORM_STATUS if form.errors else 200,
                  association=current, site=site, lot=lot, allocation=allocation, commitment=commitment,
                  kinds=KIND_LABELS, lines=follow_ups_of([commitment], years)[commitment.id], form=form)
