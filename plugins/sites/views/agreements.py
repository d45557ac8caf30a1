"""The agreement of an allocation: written and changed by the team, its two files sent and
served to the team only, and a printable version built from the data.

A refused form comes back with the French message next to its field, what was typed kept
(except the files: a browser never sends a file back) and nothing saved — a file already
stored by the refused request goes with its rollback."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, request
from flask_wtf.file import FileField
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    StoredFile,
    UploadRefused,
    accepts_uploads,
    access,
    add_error,
    people_of,
    see_other,
    send_upload,
    session,
    store_upload,
)
from plugins.sites import NAME
from plugins.sites.agreements import (
    AgreementRefused,
    agreement_of,
    agreements_of_site,
    check_period,
    default_fee,
    delete_agreement,
    save_agreement,
)
from plugins.sites.allocations import day_label
from plugins.sites.commitments import KIND_LABELS as COMMITMENT_KINDS
from plugins.sites.commitments import commitments_of
from plugins.sites.forms_agreements import FILE_MAX, INSURANCE_KINDS, SIGNED_KINDS, AgreementForm
from plugins.sites.models import Allocation, Lot, Owner, Site
from plugins.sites.models_agreements import Agreement
from plugins.sites.numbers import typed
from plugins.sites.occupancy import KIND_LABELS as LOT_KINDS
from plugins.sites.views import bp, own_or_404, render, team
from plugins.sites.views.sites import owner_name


@bp.context_processor
def _agreements_for_the_site_page() -> dict[str, Any]:
    """The site's page (``site_detail.html``) shows each allocation's agreement: one query,
    made by the template through this."""
    return {"agreements_of_site": agreements_of_site}


def _places(current: AssociationRef, allocation: Allocation) -> tuple[Lot, Site]:
    lot = own_or_404(Lot, allocation.lot_id, current)
    return lot, own_or_404(Site, lot.site_id, current)


def _form(allocation: Allocation, lot: Lot, agreement: Agreement | None) -> AgreementForm:
    if request.method != "GET":
        return AgreementForm()
    if agreement is not None:
        return AgreementForm(data={
            "fee": typed(agreement.fee), "charges": typed(agreement.charges),
            "deposit": typed(agreement.deposit),
            "starts_on": agreement.starts_on, "ends_on": agreement.ends_on, "insurer": agreement.insurer,
            "insurance_expires_on": agreement.insurance_expires_on, "signed_on": agreement.signed_on,
            "terms": agreement.terms})
    return AgreementForm(data={"fee": typed(default_fee(lot)), "charges": typed(lot.charges),
                               "starts_on": allocation.starts_on, "ends_on": allocation.ends_on})


def _stored(field: FileField, kinds: tuple[str, ...]) -> StoredFile | None:
    """The file sent in ``field``, stored (kept only if the transaction commits); None if
    none was sent or it was refused, the refusal next to the field."""
    if field.data is None:
        return None
    try:
        return store_upload(field.data, plugin=NAME, kinds=kinds, max_bytes=FILE_MAX)
    except UploadRefused as refused:
        add_error(field, str(refused))
        return None


def _save(current: AssociationRef, allocation: Allocation) -> Response | tuple[str, int]:
    lot, site = _places(current, allocation)
    agreement = agreement_of(allocation.id)
    form = _form(allocation, lot, agreement)
    if form.validate_on_submit():
        fields = form.fields()
        try:
            check_period(allocation, fields)  # before storing any file
        except AgreementRefused as refusal:
            add_error(getattr(form, refusal.field), str(refusal))
        else:
            insurance, signed = _stored(form.insurance, INSURANCE_KINDS), _stored(form.signed, SIGNED_KINDS)
            if form.errors:
                session.rollback()  # and with it the file of the other field, if one was stored
            else:
                save_agreement(allocation, fields, existing=agreement, insurance=insurance, signed=signed)
                session.commit()
                flash(f"Convention du lot {lot.code} enregistrée.", "success")
                return see_other("sites.agreement_edit", association=current.slug,
                                 allocation_id=allocation.id)
    return render("agreement_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  site=site, lot=lot, allocation=allocation, agreement=agreement_of(allocation.id), form=form)


@bp.route("/<association>/attributions/<int:allocation_id>/convention", methods=["GET", "POST"])
@access(Level.MANAGER)
@accepts_uploads(2 * 2 * FILE_MAX)  # two files
def agreement_edit(association: str, allocation_id: int) -> Response | tuple[str, int]:
    current = team()
    return _save(current, own_or_404(Allocation, allocation_id, current))


def _file(agreement_id: int, which: str) -> Response:
    stored = getattr(own_or_404(Agreement, agreement_id, team()), which)
    if stored is None:
        abort(404)
    return send_upload(stored)


@bp.get("/<association>/conventions/<int:agreement_id>/assurance")
@access(Level.MANAGER)
def agreement_insurance(association: str, agreement_id: int) -> Response:
    return _file(agreement_id, "insurance")


@bp.get("/<association>/conventions/<int:agreement_id>/signee")
@access(Level.MANAGER)
def agreement_signed(association: str, agreement_id: int) -> Response:
    return _file(agreement_id, "signed")


@bp.post("/<association>/conventions/<int:agreement_id>/supprimer")
@access(Level.MANAGER)
def agreement_delete(association: str, agreement_id: int) -> Response:
    current = team()
    agreement = own_or_404(Agreement, agreement_id, current)
    allocation = own_or_404(Allocation, agreement.allocation_id, current)
    lot, site = _places(current, allocation)
    delete_agreement(agreement)
    session.commit()
    flash(f"Convention du lot {lot.code} supprimée, avec ses fichiers.", "success")
    return see_other("sites.site_detail", association=current.slug, site_id=site.id)


@bp.get("/<association>/conventions/<int:agreement_id>/imprimer")
@access(Level.MANAGER)
def agreement_print(association: str, agreement_id: int) -> tuple[str, int]:
    current = team()
    agreement = own_or_404(Agreement, agreement_id, current)
    allocation = own_or_404(Allocation, agreement.allocation_id, current)
    lot, site = _places(current, allocation)
    owner = session.get(Owner, site.owner_id) if site.owner_id is not None else None
    person = (people_of(current, ids=[allocation.contact_person_id])
              if allocation.contact_person_id is not None else [])
    contact = f"{person[0].first_name} {person[0].last_name}" if person else allocation.contact_name
    return render("agreement_print.html", association=current, agreement=agreement, allocation=allocation,
                  lot=lot, site=site, owner=owner, owner_name=owner_name(site.owner_id), contact=contact,
                  lot_kind=LOT_KINDS[lot.kind], commitments=commitments_of(allocation.id),
                  commitment_kinds=COMMITMENT_KINDS, day=day_label,
                  monthly=agreement.fee + agreement.charges)
